/** Pieces the simulated formats share: reading messages and the scenario tag. */
import { scenarioTag, stripScenarioTag, textAfterTag } from '../scenario.js';

type Msg = { role?: string; content?: unknown };

/** A message's text: a string, or the text parts of a content array joined. */
export function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content.map((p) => (p as { text?: string })?.text ?? '').join('');
  return '';
}

/** The prompt fields every chat-like format reads from a list of messages. */
export function fromMessages(model: unknown, messages: unknown, extraText = '') {
  const msgs = (Array.isArray(messages) ? messages : []) as Msg[];
  const lastUser = [...msgs].reverse().find((m) => m?.role === 'user');
  const prompt = text(lastUser?.content);
  return {
    model: typeof model === 'string' ? model : '',
    prompt: stripScenarioTag(prompt),
    said: textAfterTag(prompt),
    allText: [extraText, ...msgs.map((m) => text(m?.content))].join('\n'),
    tag: scenarioTag(prompt),
  };
}

/** The prompt fields of a format that takes one prompt string. */
export function fromPrompt(model: unknown, prompt: unknown, extraText = '') {
  const p =
    typeof prompt === 'string'
      ? prompt
      : Array.isArray(prompt)
        ? prompt.map(String).join('\n')
        : '';
  return {
    model: typeof model === 'string' ? model : '',
    prompt: stripScenarioTag(p),
    said: textAfterTag(p),
    allText: `${extraText}\n${p}`,
    tag: scenarioTag(p),
  };
}

/** A string field, or empty. */
export const strOr = (v: unknown): string => (typeof v === 'string' ? v : '');

export const sampling = (b: { temperature?: unknown; seed?: unknown }) => ({
  temperature: typeof b.temperature === 'number' ? b.temperature : 1,
  seed: typeof b.seed === 'number' ? b.seed : undefined,
});

export const sse = (event: string, data: object) =>
  `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
