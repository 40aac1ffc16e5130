/**
 * Upstream errors reach the application as text: the SDKs raise them with the error's message,
 * or, when it has none, with the whole error object serialised (a `code`, a `type`, any field).
 * So every string of an error is checked — each string value and key of a JSON error body, the
 * message and code of an in-band stream error — each as a choice of its own, by the answer's
 * policies. Redaction rewrites each string in place; a block replaces the error.
 */
import type { Choice, NormalisedResponse } from '../model/exchange.js';
import { emptyResponse } from '../model/exchange.js';
import type { Verdict } from '../model/verdict.js';
import { redactChoices } from '../policy/redact.js';

/** Strings of one error checked one by one; past this the body is checked as one text. */
const MAX_STRINGS = 256;
const MAX_DEPTH = 32;

/**
 * The strings of a JSON value, keys and values, in document order; undefined when the value is
 * not an object or array, or has more strings (or depth) than are checked one by one.
 */
export function jsonStrings(v: unknown): string[] | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const out: string[] = [];
  const walk = (x: unknown, depth: number): boolean => {
    if (typeof x === 'string') {
      out.push(x);
      return out.length <= MAX_STRINGS;
    }
    if (typeof x !== 'object' || x === null) return true;
    if (depth > MAX_DEPTH) return false;
    if (Array.isArray(x)) return x.every((y) => walk(y, depth + 1));
    for (const [k, y] of Object.entries(x))
      if (!walk(k, depth) || !walk(y, depth + 1)) return false;
    return true;
  };
  return walk(v, 0) ? out : undefined;
}

/** `v` rebuilt with its strings (as `jsonStrings` lists them) replaced by `texts`, in order. */
export function withStrings(v: unknown, texts: readonly string[]): unknown {
  let i = 0;
  const build = (x: unknown): unknown => {
    if (typeof x === 'string') return texts[i++];
    if (typeof x !== 'object' || x === null) return x;
    if (Array.isArray(x)) return x.map(build);
    const o: Record<string, unknown> = {};
    for (const [k, y] of Object.entries(x)) {
      // A key named `__proto__` stays a key (JSON.parse made it one), not a prototype.
      const key = texts[i++] ?? k;
      Object.defineProperty(o, key, {
        value: build(y),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return o;
  };
  return build(v);
}

/** Texts as the choices of a response, for the policy engine. */
export function asChoices(texts: readonly string[]): NormalisedResponse {
  const r = emptyResponse();
  r.choices = texts.map((text, index): Choice => ({
    index,
    text,
    toolCalls: [],
    finishReason: undefined,
  }));
  return r;
}

export interface CheckedTexts {
  verdict: Verdict | undefined;
  /** The texts as the client may see them: redacted where a rule redacts. */
  texts: string[];
}

/** Checks texts with `check` (the answer's policies) and applies any redaction. */
export function checkTexts(
  texts: readonly string[],
  check: (r: NormalisedResponse) => Verdict | undefined,
): CheckedTexts {
  const normalised = asChoices(texts);
  const verdict = check(normalised);
  const out = [...texts];
  if (verdict?.decision === 'redact')
    for (const e of redactChoices(normalised.choices, verdict.results))
      if (e.text !== undefined) out[e.choice] = e.text;
  return { verdict, texts: out };
}
