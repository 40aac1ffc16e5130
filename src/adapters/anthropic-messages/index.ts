/**
 * Anthropic Messages (`POST /v1/messages`): https://docs.anthropic.com/en/api/messages
 * Streams are named SSE events (`message_start`, `content_block_start|delta|stop`,
 * `message_delta`, `message_stop`, `ping`, `error`): text from `text_delta`, tool calls from
 * `tool_use` blocks and their `input_json_delta` pieces. `thinking` blocks are passed
 * through untouched and not checked (they are not the answer). Errors are
 * `{"type":"error","error":{"type","message"}}`.
 */
import type { StreamEvent } from '../../model/events.js';
import type {
  ChoiceEdit,
  NormalisedResponse,
  RequestInfo,
  ToolCall,
} from '../../model/exchange.js';
import type { Obj } from '../read.js';
import { arr, contentText, num, obj, parseJson, str, usageOf } from '../read.js';
import type { Frame, FrameParser, WireAdapter, WireError } from '../types.js';

const usage = (u: Obj | undefined) => usageOf(u, 'input_tokens', 'output_tokens');

function parseRequest(body: unknown): RequestInfo {
  const b = obj(body) ?? {};
  const system = b['system'];
  const tools = (arr(b['tools']) ?? []).flatMap((t) => {
    const name = str(obj(t)?.['name']);
    return name ? [{ name, parameters: obj(t)?.['input_schema'] }] : [];
  });
  return {
    operation: 'chat',
    model: str(b['model']),
    stream: b['stream'] === true,
    systemPrompt: contentText(system) || undefined,
    tools,
    responseSchema: undefined,
    choices: 1,
  };
}

function parseResponse(body: unknown): NormalisedResponse | undefined {
  const b = obj(body);
  const content = arr(b?.['content']);
  if (!b || str(b['type']) !== 'message' || !content) return undefined;
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const c of content) {
    const block = obj(c);
    const type = str(block?.['type']);
    if (type === 'text') text += str(block?.['text']) ?? '';
    else if (type === 'tool_use')
      toolCalls.push({
        id: str(block?.['id']),
        name: str(block?.['name']) ?? '',
        arguments: JSON.stringify(block?.['input'] ?? {}),
      });
  }
  return {
    id: str(b['id']),
    model: str(b['model']),
    fingerprint: undefined,
    choices: [{ index: 0, text, toolCalls, finishReason: str(b['stop_reason']) }],
    usage: usage(obj(b['usage'])),
  };
}

/** Per stream: which content block is which tool call. */
function streamParser(): FrameParser {
  const toolIndex = new Map<number, number>();
  return (frame) => {
    if (frame.data === undefined) return [];
    const b = obj(parseJson(frame.data));
    if (!b) return undefined;
    const type = str(b['type']) ?? frame.event;
    switch (type) {
      case 'message_start': {
        const m = obj(b['message']);
        const ev: StreamEvent[] = [];
        const meta: StreamEvent & { type: 'meta' } = { type: 'meta' };
        const id = str(m?.['id']);
        const model = str(m?.['model']);
        if (id !== undefined) meta.id = id;
        if (model !== undefined) meta.model = model;
        ev.push(meta);
        const u = usage(obj(m?.['usage']));
        if (u)
          ev.push({
            type: 'usage',
            usage: { inputTokens: u.inputTokens, outputTokens: undefined },
          });
        return ev;
      }
      case 'content_block_start': {
        const block = obj(b['content_block']);
        if (str(block?.['type']) !== 'tool_use') return [];
        const index = toolIndex.size;
        toolIndex.set(num(b['index']) ?? 0, index);
        const ev: StreamEvent & { type: 'tool_call' } = {
          type: 'tool_call',
          choice: 0,
          index,
          arguments: '',
        };
        const id = str(block?.['id']);
        const name = str(block?.['name']);
        if (id !== undefined) ev.id = id;
        if (name !== undefined) ev.name = name;
        return [ev];
      }
      case 'content_block_delta': {
        const d = obj(b['delta']);
        const dt = str(d?.['type']);
        if (dt === 'text_delta') {
          const text = str(d?.['text']);
          return text ? [{ type: 'text', choice: 0, text }] : [];
        }
        if (dt === 'input_json_delta') {
          const index = toolIndex.get(num(b['index']) ?? 0) ?? 0;
          return [
            { type: 'tool_call', choice: 0, index, arguments: str(d?.['partial_json']) ?? '' },
          ];
        }
        return [];
      }
      case 'message_delta': {
        const ev: StreamEvent[] = [];
        const reason = str(obj(b['delta'])?.['stop_reason']);
        if (reason) ev.push({ type: 'finish', choice: 0, reason });
        const u = usage(obj(b['usage']));
        if (u?.outputTokens !== undefined)
          ev.push({
            type: 'usage',
            usage: { inputTokens: u.inputTokens, outputTokens: u.outputTokens },
          });
        return ev;
      }
      case 'message_stop':
        return [{ type: 'done' }];
      case 'error':
        return [{ type: 'error', message: str(obj(b['error'])?.['message']) ?? 'upstream error' }];
      case 'content_block_stop':
      case 'ping':
        return [];
      default:
        return [];
    }
  };
}

function rewriteResponse(body: unknown, edits: readonly ChoiceEdit[]): unknown {
  const copy = structuredClone(body);
  const content = arr(obj(copy)?.['content']) ?? [];
  const e = edits.find((x) => x.choice === 0);
  if (!e) return copy;
  let firstText = true;
  let tool = 0;
  for (const c of content) {
    const block = obj(c);
    const type = str(block?.['type']);
    if (type === 'text' && block && e.text !== undefined) {
      // The choice's text is the blocks' concatenation: the edited text goes in the first.
      block['text'] = firstText ? e.text : '';
      firstText = false;
    } else if (type === 'tool_use' && block) {
      const args = e.toolCallArguments.get(tool++);
      if (args !== undefined) block['input'] = obj(parseJson(args)) ?? {};
    }
  }
  return copy;
}

function rewriteFrame(
  frame: Frame,
  _choice: number,
  edit: { text?: string; toolCallArguments?: ReadonlyMap<number, string> },
): string {
  const b = obj(parseJson(frame.data ?? '')) ?? {};
  const d = obj(b['delta']);
  if (d && str(d['type']) === 'text_delta' && edit.text !== undefined) d['text'] = edit.text;
  if (d && str(d['type']) === 'input_json_delta' && edit.toolCallArguments?.size) {
    const [args] = edit.toolCallArguments.values();
    d['partial_json'] = args ?? '';
  }
  return `event: ${frame.event ?? str(b['type']) ?? 'message'}\ndata: ${JSON.stringify(b)}\n\n`;
}

function errorType(err: WireError): string {
  if (err.status === 400 || err.status === 413 || err.status === 404)
    return 'invalid_request_error';
  if (err.status === 503 || err.status === 529) return 'overloaded_error';
  if (err.status === 504) return 'timeout_error';
  return 'api_error';
}

export function anthropicErrorBody(err: WireError): string {
  return JSON.stringify({ type: 'error', error: { type: errorType(err), message: err.message } });
}

export const anthropicMessages: WireAdapter = {
  id: 'anthropic.messages',
  operation: 'chat',
  streamHasTerminator: true,
  matches: (method, path) => method === 'POST' && path.endsWith('/v1/messages'),
  parseRequest,
  streamFraming: (ct) => (ct.startsWith('text/event-stream') ? 'sse' : undefined),
  parseResponse,
  streamParser,
  rewriteResponse,
  rewriteFrame,
  errorBody: anthropicErrorBody,
  streamError: (err) => `event: error\ndata: ${anthropicErrorBody(err)}\n\n`,
  canaryRequest: (model, request) => ({ max_tokens: 256, ...request, model, stream: false }),
  canaryHeaders: { 'anthropic-version': '2023-06-01' },
};
