/** The texts of a chat message or delta, read and written back the same way buffered and streamed. */
import type { Usage } from '../../model/exchange.js';
import type { Obj } from '../read.js';
import { arr, obj, str, usageOf } from '../read.js';

export const usage = (u: Obj | undefined): Usage | undefined =>
  usageOf(u, 'prompt_tokens', 'completion_tokens');

/**
 * The content of a message or delta: a string, or an array of parts whose `text` parts are
 * joined (`[{type:'text', text}]`).
 */
export function contentText(v: unknown): string | undefined {
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
export function setContent(msg: Obj, text: string): void {
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
export function reasoningText(m: Obj | undefined): string | undefined {
  const a = str(m?.['reasoning_content']);
  const b = str(m?.['reasoning']);
  return a === undefined ? b : b === undefined ? a : a + b;
}

/** New reasoning text goes into `reasoning_content` if present (the other emptied), else `reasoning`. */
export function setReasoning(m: Obj, text: string): void {
  if (typeof m['reasoning_content'] === 'string') {
    m['reasoning_content'] = text;
    if (typeof m['reasoning'] === 'string') m['reasoning'] = '';
  } else if (typeof m['reasoning'] === 'string') m['reasoning'] = text;
}

/** The transcript of a message's or delta's audio (`audio.transcript`); the audio data is not text. */
export function transcriptText(m: Obj | undefined): string | undefined {
  return str(obj(m?.['audio'])?.['transcript']);
}

/** New transcript text goes where the transcript was (nothing is added where there was none). */
export function setTranscript(m: Obj, text: string): void {
  const audio = obj(m['audio']);
  if (audio && typeof audio['transcript'] === 'string') audio['transcript'] = text;
}

/**
 * The body of one tool call entry and the key of its input: a function call
 * (`function: {name, arguments}`) or a custom tool call (`custom: {name, input}`, free-form
 * input). Undefined when the entry carries both (a client could read either: malformed).
 * https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices-message-tool_calls
 */
export function callBody(
  t: Obj | undefined,
):
  { kind: 'function' | 'custom'; body: Obj | undefined; input: 'arguments' | 'input' } | undefined {
  const fn = t?.['function'];
  const custom = t?.['custom'];
  if (fn != null && custom != null) return undefined;
  return custom != null
    ? { kind: 'custom', body: obj(custom), input: 'input' }
    : { kind: 'function', body: obj(fn), input: 'arguments' };
}
