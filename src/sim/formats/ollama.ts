import type { SimAnswer } from '../answer.js';
import { pieces } from '../answer.js';
import { fromMessages, fromPrompt, sampling, strOr } from './shared.js';
import type { SimFormat } from './types.js';

const CREATED = '2025-06-15T12:00:00.000Z';

function ollama(kind: 'chat' | 'generate'): SimFormat {
  const line = (a: SimAnswer, piece: string, done: boolean, extra: object = {}) =>
    `${JSON.stringify({
      model: a.model,
      created_at: CREATED,
      ...(kind === 'chat'
        ? { message: { role: 'assistant', content: piece } }
        : { response: piece }),
      done,
      ...extra,
    })}\n`;
  const final = (a: SimAnswer) => ({
    done_reason: 'stop',
    ...(kind === 'generate' ? { context: [1, 2, 3] } : {}),
    total_duration: 1_000_000,
    prompt_eval_count: a.promptTokens,
    eval_count: a.completionTokens,
  });
  const toolCalls = (a: SimAnswer) =>
    a.toolCalls.map((c) => ({
      function: { name: c.name, arguments: JSON.parse(c.arguments) as unknown },
    }));
  return {
    matches: (method, path) => method === 'POST' && path.endsWith(`/api/${kind}`),
    streamContentType: 'application/x-ndjson',
    malformedFrame: '{"model": "broken", \n',
    parse(body) {
      const b = (body ?? {}) as Record<string, unknown>;
      const options = (b['options'] ?? {}) as Record<string, unknown>;
      const tools = Array.isArray(b['tools'])
        ? (b['tools'] as { function?: { name?: string; parameters?: unknown } }[])
        : [];
      return {
        ...(kind === 'chat'
          ? fromMessages(b['model'], b['messages'])
          : fromPrompt(b['model'], b['prompt'], strOr(b['system']))),
        ...sampling(options),
        choices: 1,
        tools: tools.flatMap((t) =>
          t.function?.name ? [{ name: t.function.name, parameters: t.function.parameters }] : [],
        ),
        stream: b['stream'] !== false,
        includeUsage: true,
      };
    },
    json(a) {
      const body = JSON.parse(line(a, a.texts[0] ?? '', true, final(a))) as Record<string, unknown>;
      if (kind === 'chat' && a.toolCalls.length)
        body['message'] = { role: 'assistant', content: '', tool_calls: toolCalls(a) };
      return JSON.stringify(body);
    },
    frames(a, o) {
      const out: string[] = [];
      if (kind === 'chat' && a.toolCalls.length)
        out.push(
          `${JSON.stringify({ model: a.model, created_at: CREATED, message: { role: 'assistant', content: '', tool_calls: toolCalls(a) }, done: false })}\n`,
        );
      else for (const p of pieces(a.texts[0] ?? '', o.chunks)) out.push(line(a, p, false));
      if (!o.noDone) out.push(line(a, '', true, final(a)));
      return out;
    },
    error: (_status, message) => JSON.stringify({ error: message }),
  };
}

export const simOllamaChat = ollama('chat');
export const simOllamaGenerate = ollama('generate');
