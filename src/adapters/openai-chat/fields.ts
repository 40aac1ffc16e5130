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
