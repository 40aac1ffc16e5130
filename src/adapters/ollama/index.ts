/**
 * Ollama's native API: `POST /api/chat` and `POST /api/generate`
 * (https://github.com/ollama/ollama/blob/main/docs/api.md). Streaming is the default
 * (`stream` absent means true) and is NDJSON: one JSON object per line, text in
 * `message.content` (chat) or `response` (generate), ended by a line with `done: true`.
 * Tool calls arrive whole, arguments as an object. Errors are `{"error":"…"}`, in streams
 * as one more line. Generate's `context` (token ids of the conversation) spells out the
 * answer, so a redaction drops it.
 */
import type { StreamEvent } from '../../model/events.js';
import type {
  ChoiceEdit,
  NormalisedResponse,
  RequestInfo,
  ToolCall,
} from '../../model/exchange.js';
import type { Obj } from '../read.js';
import { arr, functionTools, num, obj, parseJson, roleText, str } from '../read.js';
import type { Frame, FrameParser, WireAdapter, WireError } from '../types.js';

type Kind = 'chat' | 'generate';

function parseRequest(kind: Kind, body: unknown): RequestInfo {
  const b = obj(body) ?? {};
  const system: string[] = [];
  if (kind === 'generate') {
    const s = str(b['system']);
    if (s) system.push(s);
  }
  system.push(...roleText(b['messages'], ['system']));
  const tools = functionTools(b['tools']);
  const format = b['format'];
  return {
    operation: kind === 'chat' ? 'chat' : 'text_completion',
    model: str(b['model']),
    stream: b['stream'] !== false,
    systemPrompt: system.length ? system.join('\n') : undefined,
    tools,
    responseSchema: obj(format),
    choices: 1,
  };
}

function toolCalls(message: Obj | undefined, from = 0): ToolCall[] {
  return (arr(message?.['tool_calls']) ?? []).map((t, i) => {
    const fn = obj(obj(t)?.['function']);
    const args = fn?.['arguments'];
    return {
      id: `call_${from + i}`,
      name: str(fn?.['name']) ?? '',
      arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
    };
  });
}

const textOf = (kind: Kind, b: Obj) =>
  kind === 'chat' ? str(obj(b['message'])?.['content']) : str(b['response']);

const usage = (b: Obj) => {
  const i = num(b['prompt_eval_count']);
  const o = num(b['eval_count']);
  return i === undefined && o === undefined ? undefined : { inputTokens: i, outputTokens: o };
};

function parseResponse(kind: Kind, body: unknown): NormalisedResponse | undefined {
  const b = obj(body);
  const text = b ? textOf(kind, b) : undefined;
  if (!b || text === undefined) return undefined;
  const calls = kind === 'chat' ? toolCalls(obj(b['message'])) : [];
  return {
    id: undefined,
    model: str(b['model']),
    fingerprint: undefined,
    choices: [{ index: 0, text, toolCalls: calls, finishReason: str(b['done_reason']) }],
    usage: usage(b),
  };
}

function streamParser(kind: Kind): FrameParser {
  let calls = 0;
  let first = true;
  return (frame) => {
    if (frame.data === undefined || frame.data.trim() === '') return [];
    const b = obj(parseJson(frame.data));
    if (!b) return undefined;
    const error = str(b['error']);
    if (error !== undefined) return [{ type: 'error', message: error }];
    const ev: StreamEvent[] = [];
    const model = str(b['model']);
    if (first && model !== undefined) ev.push({ type: 'meta', model });
    first = false;
    const text = textOf(kind, b);
    if (text) ev.push({ type: 'text', choice: 0, text });
    if (kind === 'chat')
      for (const c of toolCalls(obj(b['message']), calls)) {
        ev.push({
          type: 'tool_call',
          choice: 0,
          index: calls++,
          id: c.id!,
          name: c.name,
          arguments: c.arguments,
        });
      }
    if (b['done'] === true) {
      const u = usage(b);
      if (u) ev.push({ type: 'usage', usage: u });
      ev.push({ type: 'finish', choice: 0, reason: str(b['done_reason']) ?? 'stop' });
      // The final line of generate carries `context`, which encodes the answer.
      if (kind === 'generate' && 'context' in b && !text) ev.push({ type: 'snapshot', choice: 0 });
      ev.push({ type: 'done' });
    }
    return ev;
  };
}

/** Ollama takes tool arguments as an object: redacted JSON text back to one, if it parses. */
const argsObject = (a: string): unknown => obj(parseJson(a)) ?? {};

function editChat(
  message: Obj,
  text: string | undefined,
  args: ReadonlyMap<number, string>,
  from = 0,
) {
  if (text !== undefined && typeof message['content'] === 'string') message['content'] = text;
  (arr(message['tool_calls']) ?? []).forEach((t, i) => {
    const fn = obj(obj(t)?.['function']);
    const a = args.get(from + i);
    if (fn && a !== undefined) fn['arguments'] = argsObject(a);
  });
}

function rewriteResponse(kind: Kind, body: unknown, edits: readonly ChoiceEdit[]): unknown {
  const copy = structuredClone(body);
  const b = obj(copy);
  const e = edits.find((x) => x.choice === 0);
  if (!b || !e) return copy;
  if (kind === 'chat') {
    const m = obj(b['message']);
    if (m) editChat(m, e.text, e.toolCallArguments);
  } else if (e.text !== undefined) {
    b['response'] = e.text;
    delete b['context'];
  }
  return copy;
}

function rewriteFrame(
  kind: Kind,
  frame: Frame,
  edit: { text?: string; toolCallArguments?: ReadonlyMap<number, string> },
): string {
  const b = obj(parseJson(frame.data ?? '')) ?? {};
  if (kind === 'generate') {
    // A snapshot (the final line) carries no text of its own: only its `context` goes.
    if (edit.text !== undefined && str(b['response'])) b['response'] = edit.text;
    if (b['done'] === true) delete b['context'];
  } else {
    const m = obj(b['message']);
    // The map is keyed by call index across the stream; a line's calls are whole calls.
    if (m) {
      const keys = [...(edit.toolCallArguments?.keys() ?? [])];
      editChat(
        m,
        edit.text,
        edit.toolCallArguments ?? new Map(),
        keys.length ? Math.min(...keys) : 0,
      );
    }
  }
  return `${JSON.stringify(b)}\n`;
}

const errorBody = (err: WireError) => JSON.stringify({ error: err.message });

function adapter(kind: Kind): WireAdapter {
  return {
    id: `ollama.${kind}`,
    operation: kind === 'chat' ? 'chat' : 'text_completion',
    streamHasTerminator: true,
    matches: (method, path) => method === 'POST' && path.endsWith(`/api/${kind}`),
    parseRequest: (body) => parseRequest(kind, body),
    streamFraming: (ct) =>
      ct.startsWith('application/x-ndjson') || ct.startsWith('application/jsonl')
        ? 'ndjson'
        : undefined,
    parseResponse: (body) => parseResponse(kind, body),
    streamParser: () => streamParser(kind),
    rewriteResponse: (body, edits) => rewriteResponse(kind, body, edits),
    rewriteFrame: (frame, _choice, edit) => rewriteFrame(kind, frame, edit),
    errorBody,
    streamError: (err) => `${errorBody(err)}\n`,
    canaryRequest: (model, request) => ({ ...request, model, stream: false }),
  };
}

export const ollamaChat = adapter('chat');
export const ollamaGenerate = adapter('generate');
