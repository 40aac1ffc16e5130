/**
 * The texts of Responses output items, read and written one way for a complete response, the
 * item of an `output_item.*` event and the response of a `response.completed` event.
 * https://platform.openai.com/docs/api-reference/responses/object#responses/object-output
 */
import type { Obj } from '../read.js';
import { arr, obj, str } from '../read.js';

/** One text of an output item: an object and the key of its string field. */
export interface Slot {
  o: Obj;
  key: string;
}

/** The text fields of a message content part (an `output_text` part's, a `refusal` part's). */
export const MESSAGE_KEYS = ['text', 'refusal'] as const;
/** The text field of a reasoning summary or content part. */
export const REASONING_KEYS = ['text'] as const;

/** Pushes the string fields `keys` of each part of `parts` (an array, else nothing). */
function collect(parts: unknown, keys: readonly string[], into: Slot[]): void {
  for (const p of arr(parts) ?? []) {
    const o = obj(p);
    if (!o) continue;
    for (const key of keys) if (typeof o[key] === 'string') into.push({ o, key });
  }
}

/**
 * The texts of the items of `output` the client reads as one text: the content of `message`
 * items (`output_text` and `refusal` parts), or the reasoning of `reasoning` items (their
 * `summary` parts, then their `content` parts). Encrypted reasoning is opaque: not a text.
 */
export function slots(output: readonly unknown[], which: 'message' | 'reasoning'): Slot[] {
  const out: Slot[] = [];
  for (const o of output) {
    const item = obj(o);
    if (!item || str(item['type']) !== which) continue;
    if (which === 'message') collect(item['content'], MESSAGE_KEYS, out);
    else {
      collect(item['summary'], REASONING_KEYS, out);
      collect(item['content'], REASONING_KEYS, out);
    }
  }
  return out;
}

export function joined(s: readonly Slot[]): string {
  let t = '';
  for (const { o, key } of s) t += o[key] as string;
  return t;
}

/**
 * Puts a new whole text back: the first slot takes it, the others are emptied (a text split
 * over parts has no part boundaries once redacted). Log probabilities spell out the old
 * tokens: they go with them. Returns false when the text was already that.
 */
export function setFirst(s: readonly Slot[], text: string): boolean {
  if (joined(s) === text) return false;
  s.forEach(({ o, key }, i) => {
    o[key] = i === 0 ? text : '';
    if (Array.isArray(o['logprobs'])) o['logprobs'] = [];
  });
  return true;
}

/** The `output_text` convenience string as the SDKs compute it: every `output_text` part. */
export function outputText(output: readonly unknown[]): string {
  let t = '';
  for (const o of output) {
    const item = obj(o);
    if (str(item?.['type']) !== 'message') continue;
    for (const p of arr(item?.['content']) ?? []) {
      const part = obj(p);
      if (str(part?.['type']) === 'output_text') t += str(part?.['text']) ?? '';
    }
  }
  return t;
}

/**
 * Output items that call the client's tools, and the field their input is in: `function_call`
 * (JSON `arguments`) and `custom_tool_call` (free-form `input`). Both are tool calls, numbered
 * in output order.
 */
const CALL_INPUT = new Map([
  ['function_call', 'arguments'],
  ['custom_tool_call', 'input'],
]);
export const inputKey = (item: Obj | undefined): string | undefined =>
  CALL_INPUT.get(str(item?.['type']) ?? '');

/** What a redaction changes of the output of one response. */
export interface OutputEdit {
  text?: string | undefined;
  reasoning?: string | undefined;
  /** By tool-call index: the call items in order. */
  args?: ReadonlyMap<number, string> | undefined;
  names?: ReadonlyMap<number, string> | undefined;
  ids?: ReadonlyMap<number, string> | undefined;
}

/**
 * Applies an edit to the items of `output` (in place). Returns true when the message text
 * changed (the caller then recomputes an `output_text` string).
 */
export function editOutput(output: readonly unknown[], e: OutputEdit): boolean {
  const changed = e.text !== undefined && setFirst(slots(output, 'message'), e.text);
  if (e.reasoning !== undefined) setFirst(slots(output, 'reasoning'), e.reasoning);
  let call = 0;
  for (const o of output) {
    const item = obj(o);
    const key = inputKey(item);
    if (!item || !key) continue;
    editCall(item, key, e.args?.get(call), e.names?.get(call), e.ids?.get(call));
    call++;
  }
  return changed;
}

/** New input (in `key`), name and call id of one call item or `*.done` event (each when given). */
export function editCall(
  item: Obj,
  key: string,
  args: string | undefined,
  name: string | undefined,
  id: string | undefined,
): void {
  if (args !== undefined) item[key] = args;
  if (name !== undefined && typeof item['name'] === 'string') item['name'] = name;
  if (id !== undefined && typeof item['call_id'] === 'string') item['call_id'] = id;
}

/** After the message text of `r.output` changed: a string `output_text` says the new text. */
export function syncOutputText(r: Obj): void {
  if (typeof r['output_text'] === 'string') r['output_text'] = outputText(arr(r['output']) ?? []);
}

/**
 * Whether a response's `output_text` (a convenience some servers send, which the SDKs hand on
 * as is) says what its output says: absent, or every `output_text` part (or every message
 * text, refusals included) joined.
 */
export function outputTextHolds(r: Obj): boolean {
  const v = r['output_text'];
  if (v === undefined || v === null) return true;
  if (typeof v !== 'string') return false;
  const output = arr(r['output']) ?? [];
  return v === outputText(output) || v === joined(slots(output, 'message'));
}
