/**
 * OpenAI Responses (`POST /v1/responses`): https://platform.openai.com/docs/api-reference/responses
 * The answer is the `output_text` and `refusal` parts of `message` items; tool calls are
 * `function_call` items. Streams are typed SSE events (`response.output_text.delta`,
 * `response.function_call_arguments.delta`, …) ending with `response.completed`,
 * `response.incomplete` or `response.failed`; the `*.done` events and the final response
 * repeat the whole output, so they are snapshots (re-rendered after a redaction).
 */
import type { StreamEvent } from '../../model/events.js';
import type {
  ChoiceEdit,
  NormalisedResponse,
  RequestInfo,
  ToolCall,
} from '../../model/exchange.js';
import { openAiErrorBody } from '../openai-chat/index.js';
import type { Obj } from '../read.js';
import { arr, num, obj, parseJson, roleText, str, usageOf } from '../read.js';
import type { Frame, FrameParser, WireAdapter, WireError } from '../types.js';

const usage = (u: Obj | undefined) => usageOf(u, 'input_tokens', 'output_tokens');

function parseRequest(body: unknown): RequestInfo {
  const b = obj(body) ?? {};
  const instructions = str(b['instructions']);
  const system = [
    ...(instructions ? [instructions] : []),
    ...roleText(b['input'], ['system', 'developer']),
  ];
  const tools = (arr(b['tools']) ?? []).flatMap((t) => {
    const to = obj(t);
    const name = str(to?.['name']);
    return str(to?.['type']) === 'function' && name
      ? [{ name, parameters: to?.['parameters'] }]
      : [];
  });
  const format = obj(obj(b['text'])?.['format']);
  return {
    operation: 'chat',
    model: str(b['model']),
    stream: b['stream'] === true,
    systemPrompt: system.length ? system.join('\n') : undefined,
    tools,
    responseSchema: str(format?.['type']) === 'json_schema' ? format?.['schema'] : undefined,
    choices: 1,
  };
}

/** The text of a message item: its output_text and refusal parts, in order. */
function messageText(item: Obj): string {
  let t = '';
  for (const p of arr(item['content']) ?? []) {
    const part = obj(p);
    t += str(part?.['text']) ?? str(part?.['refusal']) ?? '';
  }
  return t;
}

function finishReason(r: Obj, hasCalls: boolean): string | undefined {
  const status = str(r['status']);
  if (status === 'incomplete') {
    const reason = str(obj(r['incomplete_details'])?.['reason']);
    return reason === 'max_output_tokens' ? 'length' : (reason ?? 'incomplete');
  }
  if (status === 'completed') return hasCalls ? 'tool_calls' : 'stop';
  return status;
}

function parseResponse(body: unknown): NormalisedResponse | undefined {
  const b = obj(body);
  const output = arr(b?.['output']);
  if (!b || !output) return undefined;
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const o of output) {
    const item = obj(o);
    if (!item) continue;
    const type = str(item['type']);
    if (type === 'message') text += messageText(item);
    else if (type === 'function_call')
      toolCalls.push({
        id: str(item['call_id']),
        name: str(item['name']) ?? '',
        arguments: str(item['arguments']) ?? '',
      });
  }
  return {
    id: str(b['id']),
    model: str(b['model']),
    fingerprint: undefined,
    choices: [{ index: 0, text, toolCalls, finishReason: finishReason(b, toolCalls.length > 0) }],
    usage: usage(obj(b['usage'])),
  };
}

function streamParser(): FrameParser {
  /** output_index of each function_call item → its tool-call index. */
  const calls = new Map<number, number>();
  const toolOf = (b: Obj) => calls.get(num(b['output_index']) ?? -1);
  return (frame) => {
    if (frame.data === undefined) return [];
    const b = obj(parseJson(frame.data));
    if (!b) return undefined;
    const type = str(b['type']) ?? frame.event;
    switch (type) {
      case 'response.created':
      case 'response.in_progress': {
        const r = obj(b['response']);
        const meta: StreamEvent & { type: 'meta' } = { type: 'meta' };
        const id = str(r?.['id']);
        const model = str(r?.['model']);
        if (id !== undefined) meta.id = id;
        if (model !== undefined) meta.model = model;
        return [meta];
      }
      case 'response.output_item.added': {
        const item = obj(b['item']);
        if (str(item?.['type']) !== 'function_call') return [];
        const index = calls.size;
        calls.set(num(b['output_index']) ?? index, index);
        const ev: StreamEvent & { type: 'tool_call' } = {
          type: 'tool_call',
          choice: 0,
          index,
          arguments: str(item?.['arguments']) ?? '',
        };
        const id = str(item?.['call_id']);
        const name = str(item?.['name']);
        if (id !== undefined) ev.id = id;
        if (name !== undefined) ev.name = name;
        return [ev];
      }
      case 'response.output_text.delta':
      case 'response.refusal.delta': {
        const text = str(b['delta']);
        return text ? [{ type: 'text', choice: 0, text }] : [];
      }
      case 'response.function_call_arguments.delta': {
        const index = toolOf(b);
        return index === undefined
          ? []
          : [{ type: 'tool_call', choice: 0, index, arguments: str(b['delta']) ?? '' }];
      }
      case 'response.output_text.done':
      case 'response.refusal.done':
      case 'response.content_part.done':
        return [{ type: 'snapshot', choice: 0 }];
      case 'response.function_call_arguments.done': {
        const index = toolOf(b);
        return index === undefined ? [] : [{ type: 'snapshot', choice: 0, toolIndex: index }];
      }
      case 'response.output_item.done': {
        const item = obj(b['item']);
        if (str(item?.['type']) === 'function_call') {
          const index = toolOf(b);
          return index === undefined ? [] : [{ type: 'snapshot', choice: 0, toolIndex: index }];
        }
        return str(item?.['type']) === 'message' ? [{ type: 'snapshot', choice: 0 }] : [];
      }
      case 'response.completed':
      case 'response.incomplete': {
        const r = obj(b['response']) ?? {};
        const ev: StreamEvent[] = [{ type: 'snapshot', choice: 0 }];
        const model = str(r['model']);
        if (model !== undefined) ev.push({ type: 'meta', model });
        const u = usage(obj(r['usage']));
        if (u) ev.push({ type: 'usage', usage: u });
        const reason = finishReason(r, calls.size > 0);
        if (reason) ev.push({ type: 'finish', choice: 0, reason });
        ev.push({ type: 'done' });
        return ev;
      }
      case 'response.failed': {
        const e = obj(obj(b['response'])?.['error']);
        return [{ type: 'error', message: str(e?.['message']) ?? 'response failed' }];
      }
      case 'error':
        return [{ type: 'error', message: str(b['message']) ?? 'upstream error' }];
      default:
        return [];
    }
  };
}

/** Puts `text` in the first text part of the message items (others emptied) and tool arguments by call order. */
function editOutput(
  output: unknown[],
  text: string | undefined,
  args: ReadonlyMap<number, string>,
): void {
  let first = true;
  let call = 0;
  for (const o of output) {
    const item = obj(o);
    if (!item) continue;
    const type = str(item['type']);
    if (type === 'message' && text !== undefined) {
      for (const p of arr(item['content']) ?? []) {
        const part = obj(p);
        if (!part) continue;
        const key =
          typeof part['text'] === 'string'
            ? 'text'
            : typeof part['refusal'] === 'string'
              ? 'refusal'
              : undefined;
        if (!key) continue;
        part[key] = first ? text : '';
        first = false;
        // Log-probabilities spell out the original tokens.
        if ('logprobs' in part) part['logprobs'] = [];
      }
    } else if (type === 'function_call') {
      const a = args.get(call++);
      if (a !== undefined) item['arguments'] = a;
    }
  }
}

function rewriteResponse(body: unknown, edits: readonly ChoiceEdit[]): unknown {
  const copy = structuredClone(body);
  const b = obj(copy);
  const e = edits.find((x) => x.choice === 0);
  if (!b || !e) return copy;
  editOutput(arr(b['output']) ?? [], e.text, e.toolCallArguments);
  // A convenience field some servers include: the whole text again.
  if (e.text !== undefined && typeof b['output_text'] === 'string') b['output_text'] = e.text;
  return copy;
}

function rewriteFrame(
  frame: Frame,
  _choice: number,
  edit: { text?: string; toolCallArguments?: ReadonlyMap<number, string> },
): string {
  const b = obj(parseJson(frame.data ?? '')) ?? {};
  const type = str(b['type']) ?? frame.event ?? '';
  const text = edit.text;
  const [oneArgs] = edit.toolCallArguments?.values() ?? [];
  switch (type) {
    case 'response.output_text.delta':
    case 'response.refusal.delta':
      if (text !== undefined) b['delta'] = text;
      break;
    case 'response.function_call_arguments.delta':
      if (oneArgs !== undefined) b['delta'] = oneArgs;
      break;
    case 'response.output_text.done':
      if (text !== undefined) b['text'] = text;
      break;
    case 'response.refusal.done':
      if (text !== undefined) b['refusal'] = text;
      break;
    case 'response.content_part.done': {
      const part = obj(b['part']);
      if (part && text !== undefined) {
        if (typeof part['text'] === 'string') part['text'] = text;
        else if (typeof part['refusal'] === 'string') part['refusal'] = text;
      }
      break;
    }
    case 'response.function_call_arguments.done':
      if (oneArgs !== undefined) b['arguments'] = oneArgs;
      break;
    case 'response.output_item.done': {
      const item = obj(b['item']);
      if (item && str(item['type']) === 'function_call' && oneArgs !== undefined)
        item['arguments'] = oneArgs;
      else if (item) editOutput([item], text, new Map());
      break;
    }
    case 'response.completed':
    case 'response.incomplete': {
      const r = obj(b['response']);
      if (r) editOutput(arr(r['output']) ?? [], text, edit.toolCallArguments ?? new Map());
      break;
    }
    default:
      break;
  }
  return `event: ${frame.event ?? type}\ndata: ${JSON.stringify(b)}\n\n`;
}

/**
 * The Responses API's in-band stream error event (`type`, `code`, `message`, `param`), plus
 * the `error` object of OpenAI's error body, which makes the official SDKs raise their
 * `APIError` instead of handing the event to the caller.
 */
function streamError(err: WireError): string {
  const event = {
    type: 'error',
    code: err.code,
    message: err.message,
    param: null,
    error: { message: err.message, type: err.type, code: err.code, param: null },
  };
  return `event: error\ndata: ${JSON.stringify(event)}\n\n`;
}

export const openAiResponses: WireAdapter = {
  id: 'openai.responses',
  operation: 'chat',
  streamHasTerminator: true,
  matches: (method, path) => method === 'POST' && path.endsWith('/responses'),
  parseRequest,
  streamFraming: (ct) => (ct.startsWith('text/event-stream') ? 'sse' : undefined),
  parseResponse,
  streamParser,
  rewriteResponse,
  rewriteFrame,
  errorBody: openAiErrorBody,
  streamError,
  canaryRequest: (model, request) => ({ ...request, model, stream: false }),
};
