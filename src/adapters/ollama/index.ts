/**
 * Ollama's native API: `POST /api/chat` and `POST /api/generate`
 * (https://github.com/ollama/ollama/blob/main/docs/api.md). Streaming is the default
 * (`stream` absent means true) and is NDJSON: one JSON object per line, text in
 * `message.content` (chat) or `response` (generate), ended by a line with `done: true`.
 * A thinking model (`think: true`) adds its reasoning in `message.thinking` / `thinking`,
 * checked as reasoning. Tool calls arrive whole, arguments as an object. Errors are
 * `{"error":"…"}`, in streams as one more line. Some fields spell out the answer and go
 * with a redaction: generate's `context` (token ids of the conversation), and the
 * `logprobs` of a response or line whose text changed.
 */
import type { StreamEvent } from '../../model/events.js';
import type {
  ChoiceEdit,
  NormalisedResponse,
  RequestInfo,
  ToolCall,
} from '../../model/exchange.js';
import type { Obj } from '../read.js';
import { arr, errorText, functionTools, num, obj, parseJson, roleText, str } from '../read.js';
import { codedMessage } from '../error-code.js';
import type { Frame, FrameEdit, FrameParser, WireAdapter, WireError } from '../types.js';

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
      // Newer Ollama sends an id; a call without one is named by its number.
      id: str(obj(t)?.['id']) ?? `call_${from + i}`,
      name: str(fn?.['name']) ?? '',
      arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
    };
  });
}

const textOf = (kind: Kind, b: Obj) =>
  kind === 'chat' ? str(obj(b['message'])?.['content']) : str(b['response']);

/** Reasoning of a thinking model (`think: true`): `message.thinking` (chat), `thinking` (generate). */
const thinkingOf = (kind: Kind, b: Obj) =>
  kind === 'chat' ? str(obj(b['message'])?.['thinking']) : str(b['thinking']);

const usage = (b: Obj) => {
  const i = num(b['prompt_eval_count']);
  const o = num(b['eval_count']);
  return i === undefined && o === undefined ? undefined : { inputTokens: i, outputTokens: o };
};

function parseResponse(kind: Kind, body: unknown): NormalisedResponse | undefined {
  const b = obj(body);
  if (!b) return undefined;
  const reasoning = thinkingOf(kind, b);
  const text = textOf(kind, b) ?? (reasoning !== undefined ? '' : undefined);
  if (text === undefined) return undefined;
  const calls = kind === 'chat' ? toolCalls(obj(b['message'])) : [];
  return {
    id: undefined,
    model: str(b['model']),
    fingerprint: undefined,
    choices: [
      {
        index: 0,
        text,
        ...(reasoning ? { reasoning } : {}),
        toolCalls: calls,
        finishReason: str(b['done_reason']),
      },
    ],
    usage: usage(b),
  };
}

/**
 * The index of the first tool call each parsed chat line carries. A line's calls are whole
 * calls, numbered across the stream, and a redaction names them by that number: only the
 * parser knows where a line's calls start. Keyed by the frame object, which the pipeline
 * hands to the parser and then to `rewriteFrame`.
 */
const firstCall = new WeakMap<Frame, number>();

function streamParser(kind: Kind): FrameParser {
  let calls = 0;
  let first = true;
  return (frame) => {
    if (frame.data === undefined || frame.data.trim() === '') return [];
    const b = obj(parseJson(frame.data));
    if (!b) return undefined;
    // The ollama client raises any line that has an `error` key, whatever its value.
    if ('error' in b) return [{ type: 'error', message: errorText(b['error']) }];
    const ev: StreamEvent[] = [];
    const model = str(b['model']);
    if (first && model !== undefined) ev.push({ type: 'meta', model });
    first = false;
    const reasoning = thinkingOf(kind, b);
    if (reasoning) ev.push({ type: 'text', choice: 0, text: reasoning, field: 'reasoning' });
    const text = textOf(kind, b);
    if (text) ev.push({ type: 'text', choice: 0, text });
    const lineCalls = kind === 'chat' ? toolCalls(obj(b['message']), calls) : [];
    if (lineCalls.length) {
      firstCall.set(frame, calls);
      for (const c of lineCalls) {
        ev.push({
          type: 'tool_call',
          choice: 0,
          index: calls++,
          id: c.id!,
          name: c.name,
          arguments: c.arguments,
        });
      }
    }
    if (b['done'] === true) {
      const u = usage(b);
      if (u) ev.push({ type: 'usage', usage: u });
      ev.push({ type: 'finish', choice: 0, reason: str(b['done_reason']) ?? 'stop' });
      // The final line of generate carries `context`, which encodes the answer.
      if (kind === 'generate' && 'context' in b && !text && !reasoning)
        ev.push({ type: 'snapshot', choice: 0 });
      ev.push({ type: 'done' });
    }
    return ev;
  };
}

/** Ollama takes tool arguments as an object: redacted JSON text back to one, if it parses. */
const argsObject = (a: string): unknown => obj(parseJson(a)) ?? {};

interface Edit {
  text?: string | undefined;
  reasoning?: string | undefined;
  toolCallArguments?: ReadonlyMap<number, string> | undefined;
  toolCallNames?: ReadonlyMap<number, string> | undefined;
  toolCallIds?: ReadonlyMap<number, string> | undefined;
}

/**
 * Applies an edit to a response or line (`b`); `from` is the index of its first tool call.
 * Only texts the line has are replaced (a summary line's empty text stays empty), and
 * `logprobs` (which spell the tokens) go with an edited text.
 */
function applyEdit(kind: Kind, b: Obj, e: Edit, from = 0): void {
  const m = kind === 'chat' ? obj(b['message']) : b;
  if (!m) return;
  const textKey = kind === 'chat' ? 'content' : 'response';
  if (e.text !== undefined && typeof m[textKey] === 'string') m[textKey] = e.text;
  if (e.reasoning !== undefined && typeof m['thinking'] === 'string') m['thinking'] = e.reasoning;
  if (e.text !== undefined || e.reasoning !== undefined) delete b['logprobs'];
  (arr(m['tool_calls']) ?? []).forEach((t, i) => {
    const fn = obj(obj(t)?.['function']);
    const a = e.toolCallArguments?.get(from + i);
    if (fn && a !== undefined) fn['arguments'] = argsObject(a);
    const name = e.toolCallNames?.get(from + i);
    if (fn && name !== undefined) fn['name'] = name;
    const call = obj(t);
    const id = e.toolCallIds?.get(from + i);
    if (call && id !== undefined && typeof call['id'] === 'string') call['id'] = id;
  });
}

function rewriteResponse(kind: Kind, body: unknown, edits: readonly ChoiceEdit[]): unknown {
  const copy = structuredClone(body);
  const b = obj(copy);
  const e = edits.find((x) => x.choice === 0);
  if (!b || !e) return copy;
  applyEdit(kind, b, e);
  if (kind === 'generate' && (e.text !== undefined || e.reasoning !== undefined))
    delete b['context'];
  return copy;
}

function rewriteFrame(kind: Kind, frame: Frame, edit: FrameEdit): string {
  const b = obj(parseJson(frame.data ?? '')) ?? {};
  // A summary line (the last one) carries no text of its own: only its `context` goes.
  const e: Edit = { ...edit };
  if (!str(textOf(kind, b))) delete e.text;
  if (!str(thinkingOf(kind, b))) delete e.reasoning;
  // A line no parser of this module read (never in the pipeline): the lowest call edited.
  const keys = [
    ...(edit.toolCallArguments?.keys() ?? []),
    ...(edit.toolCallNames?.keys() ?? []),
    ...(edit.toolCallIds?.keys() ?? []),
  ];
  applyEdit(kind, b, e, firstCall.get(frame) ?? (keys.length ? Math.min(...keys) : 0));
  if (kind === 'generate' && b['done'] === true) delete b['context'];
  return `${JSON.stringify(b)}\n`;
}

/** Ollama's `{"error": "…"}`, the message starting with `[code] ` (ollama-js raises it). */
const errorBody = (err: WireError) => JSON.stringify({ error: codedMessage(err) });

function adapter(kind: Kind): WireAdapter {
  return {
    id: `ollama.${kind}`,
    operation: kind === 'chat' ? 'chat' : 'text_completion',
    streamHasTerminator: true,
    // Generate's last line is a snapshot (its `context` spells the answer).
    snapshots: kind === 'generate',
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
