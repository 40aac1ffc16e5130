import type { SimAnswer } from '../answer.js';
import { pieces } from '../answer.js';
import { fromMessages, fromPrompt, sampling, sse, strOr } from './shared.js';
import type { SimFormat } from './types.js';

const usage = (a: SimAnswer) => ({
  input_tokens: a.promptTokens,
  output_tokens: a.completionTokens,
  total_tokens: a.promptTokens + a.completionTokens,
});

function output(a: SimAnswer) {
  if (a.toolCalls.length)
    return a.toolCalls.map((c) => ({
      type: 'function_call',
      id: `fc_${c.id}`,
      call_id: c.id,
      name: c.name,
      arguments: c.arguments,
      status: 'completed',
    }));
  return [
    {
      type: 'message',
      id: `msg_${a.id}`,
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: a.texts[0] ?? '', annotations: [] }],
    },
  ];
}

function response(a: SimAnswer, status: string, withOutput: boolean) {
  return {
    id: `resp_${a.id}`,
    object: 'response',
    created_at: 1_750_000_000,
    status,
    model: a.model,
    output: withOutput ? output(a) : [],
    usage: withOutput ? usage(a) : null,
  };
}

export const simOpenAiResponses: SimFormat = {
  matches: (method, path) => method === 'POST' && path.endsWith('/responses'),
  streamContentType: 'text/event-stream; charset=utf-8',
  malformedFrame:
    'event: response.output_text.delta\ndata: {"type": "response.output_text.delta", \n\n',
  parse(body) {
    const b = (body ?? {}) as Record<string, unknown>;
    const input = b['input'];
    const base =
      typeof input === 'string'
        ? fromPrompt(b['model'], input, strOr(b['instructions']))
        : fromMessages(b['model'], input, strOr(b['instructions']));
    const tools = Array.isArray(b['tools']) ? (b['tools'] as Record<string, unknown>[]) : [];
    return {
      ...base,
      ...sampling(b),
      choices: 1,
      tools: tools.flatMap((t) =>
        typeof t['name'] === 'string' ? [{ name: t['name'], parameters: t['parameters'] }] : [],
      ),
      stream: b['stream'] === true,
      includeUsage: true,
    };
  },
  json: (a) => JSON.stringify(response(a, 'completed', true)),
  frames(a, o) {
    let seq = 0;
    const ev = (type: string, data: object) => sse(type, { type, sequence_number: seq++, ...data });
    const out = [ev('response.created', { response: response(a, 'in_progress', false) })];
    if (a.toolCalls.length) {
      a.toolCalls.forEach((c, i) => {
        const item = {
          type: 'function_call',
          id: `fc_${c.id}`,
          call_id: c.id,
          name: c.name,
          arguments: '',
          status: 'in_progress',
        };
        out.push(ev('response.output_item.added', { output_index: i, item }));
        for (const p of pieces(c.arguments, 3))
          out.push(
            ev('response.function_call_arguments.delta', {
              item_id: item.id,
              output_index: i,
              delta: p,
            }),
          );
        out.push(
          ev('response.function_call_arguments.done', {
            item_id: item.id,
            output_index: i,
            arguments: c.arguments,
          }),
        );
        out.push(
          ev('response.output_item.done', {
            output_index: i,
            item: { ...item, arguments: c.arguments, status: 'completed' },
          }),
        );
      });
    } else {
      const t = a.texts[0] ?? '';
      const id = `msg_${a.id}`;
      out.push(
        ev('response.output_item.added', {
          output_index: 0,
          item: { type: 'message', id, role: 'assistant', status: 'in_progress', content: [] },
        }),
      );
      out.push(
        ev('response.content_part.added', {
          item_id: id,
          output_index: 0,
          content_index: 0,
          part: { type: 'output_text', text: '', annotations: [] },
        }),
      );
      for (const p of pieces(t, o.chunks))
        out.push(
          ev('response.output_text.delta', {
            item_id: id,
            output_index: 0,
            content_index: 0,
            delta: p,
          }),
        );
      out.push(
        ev('response.output_text.done', {
          item_id: id,
          output_index: 0,
          content_index: 0,
          text: t,
        }),
      );
      out.push(
        ev('response.content_part.done', {
          item_id: id,
          output_index: 0,
          content_index: 0,
          part: { type: 'output_text', text: t, annotations: [] },
        }),
      );
      out.push(ev('response.output_item.done', { output_index: 0, item: output(a)[0]! }));
    }
    if (!o.noDone) out.push(ev('response.completed', { response: response(a, 'completed', true) }));
    return out;
  },
  error: (status, message, code) =>
    JSON.stringify({
      error: {
        message,
        type: status >= 500 ? 'server_error' : 'invalid_request_error',
        param: null,
        code: code ?? null,
      },
    }),
};
