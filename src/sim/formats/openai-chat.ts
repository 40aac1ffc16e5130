import type { SimAnswer } from '../answer.js';
import { pieces } from '../answer.js';
import type { SimToken } from '../logprobs.js';
import { MAX_TOP } from '../logprobs.js';
import { scenarioTag, stripScenarioTag, textAfterTag } from '../scenario.js';
import { text } from './shared.js';
import type { SimFormat } from './types.js';

type Msg = { role?: string; content?: unknown };

const CREATED = 1_750_000_000;

export const simOpenAiChat: SimFormat = {
  matches: (method, path) => method === 'POST' && path.endsWith('/chat/completions'),
  streamContentType: 'text/event-stream; charset=utf-8',
  malformedFrame: 'data: {"id": "broken", "choices": [\n\n',

  parse(body) {
    const b = (body ?? {}) as {
      model?: string;
      messages?: unknown;
      n?: number;
      stream?: boolean;
      stream_options?: { include_usage?: boolean };
      temperature?: number;
      seed?: number;
      logprobs?: boolean;
      top_logprobs?: number;
      tools?: { function?: { name?: string; parameters?: unknown } }[];
    };
    const msgs = (Array.isArray(b.messages) ? b.messages : []) as Msg[];
    const lastUser = [...msgs].reverse().find((m) => m?.role === 'user');
    const prompt = text(lastUser?.content);
    return {
      model: typeof b.model === 'string' ? b.model : '',
      prompt: stripScenarioTag(prompt),
      said: textAfterTag(prompt),
      allText: msgs.map((m) => text(m?.content)).join('\n'),
      choices: Math.min(Math.max(1, Number(b.n) || 1), 8),
      tools: (b.tools ?? []).flatMap((t) =>
        t?.function?.name ? [{ name: t.function.name, parameters: t.function.parameters }] : [],
      ),
      temperature: typeof b.temperature === 'number' ? b.temperature : 1,
      seed: typeof b.seed === 'number' ? b.seed : undefined,
      logprobs:
        b.logprobs === true
          ? Math.min(Math.max(0, Math.floor(Number(b.top_logprobs) || 0)), MAX_TOP)
          : undefined,
      stream: b.stream === true,
      includeUsage: b.stream_options?.include_usage === true,
      tag: scenarioTag(prompt),
    };
  },

  json(a) {
    return JSON.stringify({
      id: `chatcmpl-${a.id}`,
      object: 'chat.completion',
      created: CREATED,
      model: a.model,
      system_fingerprint: a.fingerprint,
      choices: a.texts.map((t, index) => ({
        index,
        message: {
          role: 'assistant',
          content: a.toolCalls.length ? null : t,
          refusal: null,
          ...(a.toolCalls.length
            ? {
                tool_calls: a.toolCalls.map((c) => ({
                  id: c.id,
                  type: 'function',
                  function: { name: c.name, arguments: c.arguments },
                })),
              }
            : {}),
        },
        logprobs: chatLogprobs(a.logprobs?.[index]),
        finish_reason: a.finishReason,
      })),
      usage: usage(a),
    });
  },

  frames(a, o) {
    const head = {
      id: `chatcmpl-${a.id}`,
      object: 'chat.completion.chunk',
      created: CREATED,
      model: a.model,
      system_fingerprint: a.fingerprint,
    };
    const frame = (choices: unknown[], extra?: object) =>
      `data: ${JSON.stringify({ ...head, choices, ...extra })}\n\n`;
    const out: string[] = [];
    a.texts.forEach((t, index) => {
      out.push(
        frame([
          { index, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null },
        ]),
      );
      if (a.toolCalls.length) {
        a.toolCalls.forEach((c, i) => {
          out.push(
            frame([
              {
                index,
                delta: {
                  tool_calls: [
                    {
                      index: i,
                      id: c.id,
                      type: 'function',
                      function: { name: c.name, arguments: '' },
                    },
                  ],
                },
                logprobs: null,
                finish_reason: null,
              },
            ]),
          );
          for (const p of pieces(c.arguments, 3)) {
            out.push(
              frame([
                {
                  index,
                  delta: { tool_calls: [{ index: i, function: { arguments: p } }] },
                  logprobs: null,
                  finish_reason: null,
                },
              ]),
            );
          }
        });
      } else if (a.logprobs) {
        // With log probabilities, one event per token: each event's logprobs spell its text.
        for (const tok of a.logprobs[index] ?? [])
          out.push(
            frame([
              {
                index,
                delta: { content: tok.token },
                logprobs: chatLogprobs([tok]),
                finish_reason: null,
              },
            ]),
          );
      } else {
        for (const p of pieces(t, o.chunks))
          out.push(frame([{ index, delta: { content: p }, logprobs: null, finish_reason: null }]));
      }
      out.push(frame([{ index, delta: {}, logprobs: null, finish_reason: a.finishReason }]));
    });
    if (o.includeUsage) out.push(frame([], { usage: usage(a) }));
    if (!o.noDone) out.push('data: [DONE]\n\n');
    return out;
  },

  error(status, message, code) {
    return JSON.stringify({
      error: {
        message,
        type: status >= 500 ? 'server_error' : 'invalid_request_error',
        param: null,
        code: code ?? null,
      },
    });
  },
};

const bytes = (t: string) => [...Buffer.from(t, 'utf8')];

/** `choices[].logprobs` of a chat completion (or chunk): `{content: [{token, logprob, bytes, top_logprobs}]}`. */
function chatLogprobs(tokens: SimToken[] | undefined) {
  if (!tokens) return null;
  return {
    content: tokens.map((t) => ({
      token: t.token,
      logprob: t.logprob,
      bytes: bytes(t.token),
      top_logprobs: t.top.map((x) => ({
        token: x.token,
        logprob: x.logprob,
        bytes: bytes(x.token),
      })),
    })),
    refusal: null,
  };
}

function usage(a: SimAnswer) {
  return {
    prompt_tokens: a.promptTokens,
    completion_tokens: a.completionTokens,
    total_tokens: a.promptTokens + a.completionTokens,
  };
}
