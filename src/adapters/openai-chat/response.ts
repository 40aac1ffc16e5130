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
import type { Frame, FrameEdit, FrameParser } from '../types.js';

const usage = (u: Obj | undefined): Usage | undefined =>
  usageOf(u, 'prompt_tokens', 'completion_tokens');

/**
 * The content of a message or delta: a string, or an array of parts whose `text` parts are
 * joined (`[{type:'text', text}]`).
 */
function contentText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  const parts = arr(v);
  if (!parts) return undefined;
  let out = '';
  for (const p of parts) out += str(obj(p)?.['text']) ?? '';
  return out;
}

/**
 * Puts new content text back: a string is replaced; in an array of parts the first part with
 * text takes the whole new text and the other text parts are emptied.
 */
function setContent(msg: Obj, text: string): void {
  const parts = arr(msg['content']);
  if (!parts) {
    msg['content'] = text;
    return;
  }
  let first = true;
  for (const p of parts) {
    const o = obj(p);
    if (!o || typeof o['text'] !== 'string') continue;
    o['text'] = first ? text : '';
    first = false;
  }
}

/** Reasoning text: `reasoning_content` (vLLM, DeepSeek) and/or `reasoning` (other servers). */
function reasoningText(m: Obj | undefined): string | undefined {
  const a = str(m?.['reasoning_content']);
  const b = str(m?.['reasoning']);
  return a === undefined ? b : b === undefined ? a : a + b;
}

/** New reasoning text goes into `reasoning_content` if present (the other emptied), else `reasoning`. */
function setReasoning(m: Obj, text: string): void {
  if (typeof m['reasoning_content'] === 'string') {
    m['reasoning_content'] = text;
    if (typeof m['reasoning'] === 'string') m['reasoning'] = '';
  } else if (typeof m['reasoning'] === 'string') m['reasoning'] = text;
}

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
    const choice: Choice = {
      index: num(co?.['index']) ?? i,
      text: contentText(msg?.['content']) ?? '',
      toolCalls,
      finishReason: str(co?.['finish_reason']),
    };
    const refusal = str(msg?.['refusal']);
    const reasoning = reasoningText(msg);
    if (refusal) choice.refusal = refusal;
    if (reasoning) choice.reasoning = reasoning;
    out.push(choice);
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
      // Every text of the delta, each in its own field (content may be an array of parts).
      const content = contentText(delta?.['content']);
      if (content) events.push({ type: 'text', choice, text: content });
      const refusal = str(delta?.['refusal']);
      if (refusal) events.push({ type: 'text', choice, text: refusal, field: 'refusal' });
      const reasoning = reasoningText(delta);
      if (reasoning) events.push({ type: 'text', choice, text: reasoning, field: 'reasoning' });
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
    if (!c || !msg) continue;
    if (e.text !== undefined) setContent(msg, e.text);
    if (e.refusal !== undefined) msg['refusal'] = e.refusal;
    if (e.reasoning !== undefined) setReasoning(msg, e.reasoning);
    // Log probabilities repeat the tokens of the text: gone with the text they repeat.
    if (
      (e.text !== undefined || e.refusal !== undefined || e.reasoning !== undefined) &&
      c['logprobs'] != null
    )
      c['logprobs'] = null;
    const calls = arr(msg['tool_calls']);
    const fnCall = obj(msg['function_call']);
    // Tool calls are numbered as parsed: `tool_calls` first, then a legacy `function_call`.
    const call = (i: number) =>
      i < (calls?.length ?? 0)
        ? obj(calls?.[i])
        : i === (calls?.length ?? 0)
          ? { function: fnCall }
          : undefined;
    for (const [i, args] of e.toolCallArguments) {
      const fn = obj(call(i)?.['function']);
      if (fn) fn['arguments'] = args;
    }
    for (const [i, name] of e.toolCallNames ?? []) {
      const fn = obj(call(i)?.['function']);
      if (fn) fn['name'] = name;
    }
    for (const [i, id] of e.toolCallIds ?? []) {
      const t = call(i);
      if (t && typeof t['id'] === 'string') t['id'] = id;
    }
  }
  return copy;
}

/** A `chat.completion.chunk` frame with its texts (or tool calls) for `choice` replaced. */
export function rewriteChatFrame(frame: Frame, choice: number, edit: FrameEdit): string {
  return rewriteChatFrameChoices(frame, new Map([[choice, edit]]));
}

/**
 * A `chat.completion.chunk` frame with the edits of each of its choices applied (a frame may
 * carry several choices). A choice whose text changed loses its `logprobs`, which repeat it.
 */
export function rewriteChatFrameChoices(
  frame: Frame,
  edits: ReadonlyMap<number, FrameEdit>,
): string {
  const body = obj(parseJson(frame.data ?? '')) ?? {};
  for (const c of arr(body['choices']) ?? []) {
    const co = obj(c);
    const edit = edits.get(num(co?.['index']) ?? 0);
    const delta = obj(co?.['delta']);
    if (!co || !edit || !delta) continue;
    if (edit.text !== undefined && 'content' in delta) setContent(delta, edit.text);
    if (edit.refusal !== undefined && typeof delta['refusal'] === 'string')
      delta['refusal'] = edit.refusal;
    if (edit.reasoning !== undefined) setReasoning(delta, edit.reasoning);
    if ((edit.text ?? edit.refusal ?? edit.reasoning) !== undefined && co['logprobs'] != null)
      co['logprobs'] = null;
    for (const tc of arr(delta['tool_calls']) ?? []) {
      const t = obj(tc);
      const fn = obj(t?.['function']);
      const i = num(t?.['index']) ?? 0;
      const args = edit.toolCallArguments?.get(i);
      if (fn && args !== undefined) fn['arguments'] = args;
      const name = edit.toolCallNames?.get(i);
      if (fn && name !== undefined && typeof fn['name'] === 'string') fn['name'] = name;
      const id = edit.toolCallIds?.get(i);
      if (t && id !== undefined && typeof t['id'] === 'string') t['id'] = id;
    }
  }
  return `data: ${JSON.stringify(body)}\n\n`;
}
