import type { StreamEvent } from '../model/events.js';
/**
 * Lenient readers for upstream and client JSON: the fields we read, typed, and nothing
 * else assumed. Wire formats are hostile input; these never throw.
 */
export type Obj = Record<string, unknown>;

export function obj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}
export function arr(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
/** Parses JSON text; undefined when it is not valid JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
/** Token usage from a provider's usage object, given its input and output field names. */
export function usageOf(
  u: Obj | undefined,
  input: string,
  output: string,
): { inputTokens: number | undefined; outputTokens: number | undefined } | undefined {
  return u ? { inputTokens: num(u[input]), outputTokens: num(u[output]) } : undefined;
}

/** The text of the messages (or input items) whose role is one of `roles`, joined by newlines. */
export function roleText(messages: unknown, roles: readonly string[]): string[] {
  const out: string[] = [];
  for (const m of arr(messages) ?? []) {
    const msg = obj(m);
    const role = str(msg?.['role']);
    if (role && roles.includes(role)) {
      const t = contentText(msg?.['content']);
      if (t) out.push(t);
    }
  }
  return out;
}

/** Tool declarations of the `{type: 'function', function: {name, parameters}}` shape. */
export function functionTools(tools: unknown): { name: string; parameters: unknown }[] {
  return (arr(tools) ?? []).flatMap((t) => {
    const fn = obj(obj(t)?.['function']);
    const name = str(fn?.['name']);
    return name ? [{ name, parameters: fn?.['parameters'] }] : [];
  });
}

/** Text of a message `content` that is either a string or an array of `{type:'text', text}` parts. */
export function contentText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  const parts = arr(v);
  if (!parts) return undefined;
  let out = '';
  for (const p of parts) {
    const t = str(obj(p)?.['text']);
    if (t !== undefined) out += t;
  }
  return out;
}

/** A piece of a tool call as a stream event; `id` and `name` only when the frame says them. */
export function toolCallPiece(
  choice: number,
  index: number,
  args: string,
  id: string | undefined,
  name: string | undefined,
): StreamEvent {
  const ev: StreamEvent & { type: 'tool_call' } = {
    type: 'tool_call',
    choice,
    index,
    arguments: args,
  };
  if (id !== undefined) ev.id = id;
  if (name !== undefined) ev.name = name;
  return ev;
}

/**
 * The text of an in-band error value as the SDKs raise it: its `message` when that is a
 * non-empty string, else the whole value serialised (what they show without a message).
 */
export function errorText(v: unknown): string {
  const m = str(obj(v)?.['message']);
  if (m) return m;
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
}

/**
 * A choice or tool-call index of a stream frame: a non-negative integer, else undefined
 * (malformed). The SDKs assemble a stream by the index as given — a missing, `null` or string
 * index is a choice of its own to them — so no other value can be read as one they agree on.
 */
export function streamIndex(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
}
