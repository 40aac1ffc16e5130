import type { SimAnswer } from '../answer.js';
import { pieces } from '../answer.js';
import { fromMessages, sampling, sse, text } from './shared.js';
import type { SimFormat } from './types.js';

const stopReason = (a: SimAnswer) => (a.toolCalls.length ? 'tool_use' : 'end_turn');

function content(a: SimAnswer) {
  if (a.toolCalls.length)
    return a.toolCalls.map((c) => ({
      type: 'tool_use',
      id: `toolu_${c.id}`,
      name: c.name,
      input: JSON.parse(c.arguments) as unknown,
    }));
  return [{ type: 'text', text: a.texts[0] ?? '' }];
}

export const simAnthropic: SimFormat = {
  matches: (method, path) => method === 'POST' && path.endsWith('/v1/messages'),
  streamContentType: 'text/event-stream; charset=utf-8',
  malformedFrame: 'event: content_block_delta\ndata: {"type": "content_block_delta", \n\n',
  parse(body) {
    const b = (body ?? {}) as Record<string, unknown>;
    const tools = Array.isArray(b['tools']) ? (b['tools'] as Record<string, unknown>[]) : [];
    return {
      ...fromMessages(b['model'], b['messages'], text(b['system'])),
      ...sampling(b),
      choices: 1,
      tools: tools.flatMap((t) =>
        typeof t['name'] === 'string' ? [{ name: t['name'], parameters: t['input_schema'] }] : [],
      ),
      stream: b['stream'] === true,
      includeUsage: true,
    };
  },
  json: (a) =>
    JSON.stringify({
      id: `msg_${a.id}`,
      type: 'message',
      role: 'assistant',
      model: a.model,
      content: content(a),
      stop_reason: stopReason(a),
      stop_sequence: null,
      usage: { input_tokens: a.promptTokens, output_tokens: a.completionTokens },
    }),
  frames(a, o) {
    const out = [
      sse('message_start', {
        type: 'message_start',
        message: {
          id: `msg_${a.id}`,
          type: 'message',
          role: 'assistant',
          model: a.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: a.promptTokens, output_tokens: 1 },
        },
      }),
    ];
    if (a.toolCalls.length) {
      a.toolCalls.forEach((c, index) => {
        out.push(
          sse('content_block_start', {
            type: 'content_block_start',
            index,
            content_block: { type: 'tool_use', id: `toolu_${c.id}`, name: c.name, input: {} },
          }),
        );
        for (const p of pieces(c.arguments, 3))
          out.push(
            sse('content_block_delta', {
              type: 'content_block_delta',
              index,
              delta: { type: 'input_json_delta', partial_json: p },
            }),
          );
        out.push(sse('content_block_stop', { type: 'content_block_stop', index }));
      });
    } else {
      out.push(
        sse('content_block_start', {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'text', text: '' },
        }),
      );
      out.push(sse('ping', { type: 'ping' }));
      for (const p of pieces(a.texts[0] ?? '', o.chunks))
        out.push(
          sse('content_block_delta', {
            type: 'content_block_delta',
            index: 0,
            delta: { type: 'text_delta', text: p },
          }),
        );
      out.push(sse('content_block_stop', { type: 'content_block_stop', index: 0 }));
    }
    out.push(
      sse('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: stopReason(a), stop_sequence: null },
        usage: { output_tokens: a.completionTokens },
      }),
    );
    if (!o.noDone) out.push(sse('message_stop', { type: 'message_stop' }));
    return out;
  },
  error: (status, message) =>
    JSON.stringify({
      type: 'error',
      error: { type: status >= 500 ? 'api_error' : 'invalid_request_error', message },
    }),
};
