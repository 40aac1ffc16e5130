import type { StreamEvent } from '../../model/events.js';
import type {
  Choice,
  ChoiceEdit,
  NormalisedResponse,
  ToolCall,
  Usage,
} from '../../model/exchange.js';
import type { Obj } from '../read.js';
import { arr, num, obj, parseJson, str, usageOf } from '../read.js';
import type { Frame, FrameParser } from '../types.js';

const usage = (u: Obj | undefined): Usage | undefined =>
  usageOf(u, 'prompt_tokens', 'completion_tokens');

/** A complete `chat.completion` object. */
export function parseChatResponse(body: unknown): NormalisedResponse | undefined {
  const b = obj(body);
  const choices = arr(b?.['choices']);
  if (!b || !choices) return undefined;
  const out: Choice[] = [];
  for (const [i, c] of choices.entries()) {
    const co = obj(c);
    const msg = obj(co?.['message']);
    const toolCalls: ToolCall[] = [];
    for (const tc of arr(msg?.['tool_calls']) ?? []) {
      const t = obj(tc);
      const fn = obj(t?.['function']);
      toolCalls.push({
        id: str(t?.['id']),
        name: str(fn?.['name']) ?? '',
        arguments: str(fn?.['arguments']) ?? '',
      });
    }
    const fc = obj(msg?.['function_call']);
    if (fc)
      toolCalls.push({
        id: undefined,
        name: str(fc['name']) ?? '',
        arguments: str(fc['arguments']) ?? '',
      });
    out.push({
      index: num(co?.['index']) ?? i,
      text: (str(msg?.['content']) ?? '') + (str(msg?.['refusal']) ?? ''),
      toolCalls,
      finishReason: str(co?.['finish_reason']),
    });
  }
  return {
    id: str(b['id']),
    model: str(b['model']),
    fingerprint: str(b['system_fingerprint']),
    choices: out,
    usage: usage(obj(b['usage'])),
  };
}

/** Chat chunk frames carry no state between them: one parser serves every stream. */
export function chatStreamParser(): FrameParser {
  return parseChatFrame;
}

function parseChatFrame(frame: Frame): StreamEvent[] | undefined {
  const data = frame.data;
  if (data === undefined) return [];
  if (data === '[DONE]') return [{ type: 'done' }];
  return parseChatData(data);
}

/** The data of one `chat.completion.chunk` SSE frame, or an in-band `{"error":…}`. */
export function parseChatData(data: string): StreamEvent[] | undefined {
  const b = obj(parseJson(data));
  if (!b) return undefined;
  const err = obj(b['error']);
  if (err) return [{ type: 'error', message: str(err['message']) ?? 'upstream error' }];
  const events: StreamEvent[] = [];
  const id = str(b['id']);
  const model = str(b['model']);
  const fingerprint = str(b['system_fingerprint']);
  if (id !== undefined || model !== undefined || fingerprint !== undefined) {
    const meta: StreamEvent & { type: 'meta' } = { type: 'meta' };
    if (id !== undefined) meta.id = id;
    if (model !== undefined) meta.model = model;
    if (fingerprint !== undefined) meta.fingerprint = fingerprint;
    events.push(meta);
  }
  const choices = arr(b['choices']);
  if (choices) {
    for (const c of choices) {
      const co = obj(c);
      const choice = num(co?.['index']) ?? 0;
      const delta = obj(co?.['delta']);
      const text = str(delta?.['content']) ?? str(delta?.['refusal']);
      if (text) events.push({ type: 'text', choice, text });
      for (const tc of arr(delta?.['tool_calls']) ?? []) {
        const t = obj(tc);
        const fn = obj(t?.['function']);
        const ev: StreamEvent & { type: 'tool_call' } = {
          type: 'tool_call',
          choice,
          index: num(t?.['index']) ?? 0,
          arguments: str(fn?.['arguments']) ?? '',
        };
        const tid = str(t?.['id']);
        const name = str(fn?.['name']);
        if (tid !== undefined) ev.id = tid;
        if (name !== undefined) ev.name = name;
        events.push(ev);
      }
      const finish = str(co?.['finish_reason']);
      if (finish) events.push({ type: 'finish', choice, reason: finish });
    }
  } else if (!obj(b['usage'])) {
    return undefined;
  }
  const u = usage(obj(b['usage']));
  if (u) events.push({ type: 'usage', usage: u });
  return events;
}

/** Applies choice edits to a parsed `chat.completion` (a structured copy; the input is not mutated). */
export function rewriteChatResponse(body: unknown, edits: readonly ChoiceEdit[]): unknown {
  const copy = structuredClone(body);
  const choices = arr(obj(copy)?.['choices']) ?? [];
  for (const e of edits) {
    const c = choices.map(obj).find((x, i) => (num(x?.['index']) ?? i) === e.choice);
    const msg = obj(c?.['message']);
    if (!msg) continue;
    if (e.text !== undefined) {
      if (typeof msg['content'] === 'string') msg['content'] = e.text;
      else if (typeof msg['refusal'] === 'string') msg['refusal'] = e.text;
    }
    const calls = arr(msg['tool_calls']);
    for (const [i, args] of e.toolCallArguments) {
      const fn = obj(obj(calls?.[i])?.['function']);
      if (fn) fn['arguments'] = args;
    }
  }
  return copy;
}

/** A `chat.completion.chunk` frame with its content (or tool-call arguments) for `choice` replaced. */
export function rewriteChatFrame(
  frame: Frame,
  choice: number,
  edit: { text?: string; toolCallArguments?: ReadonlyMap<number, string> },
): string {
  const body = obj(parseJson(frame.data ?? '')) ?? {};
  for (const c of arr(body['choices']) ?? []) {
    const co = obj(c);
    if ((num(co?.['index']) ?? 0) !== choice) continue;
    const delta = obj(co?.['delta']);
    if (!delta) continue;
    if (edit.text !== undefined && ('content' in delta || 'refusal' in delta))
      delta[typeof delta['refusal'] === 'string' ? 'refusal' : 'content'] = edit.text;
    for (const tc of arr(delta['tool_calls']) ?? []) {
      const t = obj(tc);
      const fn = obj(t?.['function']);
      const args = edit.toolCallArguments?.get(num(t?.['index']) ?? 0);
      if (fn && args !== undefined) fn['arguments'] = args;
    }
  }
  return `data: ${JSON.stringify(body)}\n\n`;
}
