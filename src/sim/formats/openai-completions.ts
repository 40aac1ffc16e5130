import { pieces } from '../answer.js';
import type { SimToken } from '../logprobs.js';
import { MAX_TOP } from '../logprobs.js';
import { fromPrompt, sampling } from './shared.js';
import { simOpenAiChat } from './openai-chat.js';
import type { SimFormat } from './types.js';

export const simOpenAiCompletions: SimFormat = {
  matches: (method, path) =>
    method === 'POST' && path.endsWith('/completions') && !path.endsWith('/chat/completions'),
  streamContentType: 'text/event-stream; charset=utf-8',
  malformedFrame: 'data: {"id": "broken", "choices": [\n\n',
  parse(body) {
    const b = (body ?? {}) as Record<string, unknown>;
    return {
      ...fromPrompt(b['model'], b['prompt']),
      ...sampling(b),
      choices: Math.min(Math.max(1, Number(b['n']) || 1), 8),
      tools: [],
      logprobs:
        typeof b['logprobs'] === 'number'
          ? Math.min(Math.max(0, Math.floor(b['logprobs'])), MAX_TOP)
          : undefined,
      stream: b['stream'] === true,
      includeUsage:
        (b['stream_options'] as { include_usage?: boolean } | undefined)?.include_usage === true,
    };
  },
  json: (a) =>
    JSON.stringify({
      id: `cmpl-${a.id}`,
      object: 'text_completion',
      created: 1_750_000_000,
      model: a.model,
      system_fingerprint: a.fingerprint,
      choices: a.texts.map((text, index) => ({
        text,
        index,
        logprobs: completionLogprobs(a.logprobs?.[index], 0),
        finish_reason: a.finishReason,
      })),
      usage: {
        prompt_tokens: a.promptTokens,
        completion_tokens: a.completionTokens,
        total_tokens: a.promptTokens + a.completionTokens,
      },
    }),
  frames(a, o) {
    const head = {
      id: `cmpl-${a.id}`,
      object: 'text_completion',
      created: 1_750_000_000,
      model: a.model,
      system_fingerprint: a.fingerprint,
    };
    const out: string[] = [];
    a.texts.forEach((t, index) => {
      const tokens = a.logprobs?.[index];
      if (tokens) {
        // With log probabilities, one event per token: each event's logprobs spell its text.
        let offset = 0;
        for (const tok of tokens) {
          const logprobs = completionLogprobs([tok], offset);
          offset += tok.token.length;
          out.push(
            `data: ${JSON.stringify({ ...head, choices: [{ text: tok.token, index, logprobs, finish_reason: null }] })}\n\n`,
          );
        }
      } else
        for (const p of pieces(t, o.chunks))
          out.push(
            `data: ${JSON.stringify({ ...head, choices: [{ text: p, index, logprobs: null, finish_reason: null }] })}\n\n`,
          );
      out.push(
        `data: ${JSON.stringify({ ...head, choices: [{ text: '', index, logprobs: null, finish_reason: a.finishReason }] })}\n\n`,
      );
    });
    if (o.includeUsage)
      out.push(
        `data: ${JSON.stringify({ ...head, choices: [], usage: { prompt_tokens: a.promptTokens, completion_tokens: a.completionTokens, total_tokens: a.promptTokens + a.completionTokens } })}\n\n`,
      );
    if (!o.noDone) out.push('data: [DONE]\n\n');
    return out;
  },
  error: (status, message, code) => simOpenAiChat.error(status, message, code),
};

/** A completion choice's `logprobs`: `{tokens, token_logprobs, top_logprobs, text_offset}`. */
function completionLogprobs(tokens: SimToken[] | undefined, start: number) {
  if (!tokens) return null;
  const text_offset: number[] = [];
  let at = start;
  for (const t of tokens) {
    text_offset.push(at);
    at += t.token.length;
  }
  return {
    tokens: tokens.map((t) => t.token),
    token_logprobs: tokens.map((t) => t.logprob),
    top_logprobs: tokens.map((t) => Object.fromEntries(t.top.map((x) => [x.token, x.logprob]))),
    text_offset,
  };
}
