/**
 * `system-prompt-leak`: long verbatim overlap between the output and the request's system
 * prompt (OWASP LLM07). Word shingles of the prompt are hashed once per request; the output's
 * shingles are looked up, and runs of matches become spans.
 */
import { z } from 'zod';
import type { Span } from '../../model/verdict.js';
import { isLetterOrNumber } from './support/chars.js';
import { defineCheck, PASS } from './types.js';

const params = z.strictObject({
  /** Words per shingle. */
  shingle: z.number().int().min(3).max(50).default(8),
  /** Fail when the leaked run totals at least this many characters. */
  min_chars: z.number().int().positive().default(80),
  /** A honeytoken planted in system prompts: any occurrence in the output fails. */
  honeytoken: z.string().min(8).optional(),
});

const doubled = (a: Int32Array) => {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
};

interface Words {
  ids: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
}

/**
 * Words (`[\p{L}\p{N}]+`, lower-cased) of `text` as ids in `dict` (new words get new ids when
 * `grow`, else -1). Scanned by hand, code point by code point: a Unicode regex per word was
 * most of the check's time.
 */
function words(text: string, dict: Map<string, number>, grow: boolean): Words {
  // Typed arrays grown by doubling (`Int32Array.from` an array goes through its iterator).
  let ids = new Int32Array(256);
  let starts = new Int32Array(256);
  let ends = new Int32Array(256);
  let count = 0;
  const n = text.length;
  for (let i = 0; i < n;) {
    let c = text.charCodeAt(i);
    // ASCII fast path: letters and digits by code, lower-casing only words with capitals.
    const asciiWord = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a ? true : c >= 0x30 && c <= 0x39;
    if (!asciiWord && (c < 0x80 || !isLetterOrNumber(text.codePointAt(i)!))) {
      i += c >= 0xd800 && c <= 0xdbff && text.codePointAt(i)! > 0xffff ? 2 : 1;
      continue;
    }
    const s = i;
    let upper = false;
    for (; i < n;) {
      c = text.charCodeAt(i);
      if (c < 0x80) {
        if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a)) i++;
        else if (c >= 0x41 && c <= 0x5a) {
          upper = true;
          i++;
        } else break;
      } else {
        const cp = text.codePointAt(i)!;
        if (!isLetterOrNumber(cp)) break;
        upper = true; // non-ASCII: let toLowerCase decide
        i += cp > 0xffff ? 2 : 1;
      }
    }
    const w = upper ? text.slice(s, i).toLowerCase() : text.slice(s, i);
    let id = dict.get(w);
    if (id === undefined) {
      id = grow ? dict.size : -1;
      if (grow) dict.set(w, id);
    }
    if (count === ids.length) [ids, starts, ends] = [doubled(ids), doubled(starts), doubled(ends)];
    ids[count] = id;
    starts[count] = s;
    ends[count] = i;
    count++;
  }
  return {
    ids: ids.subarray(0, count),
    starts: starts.subarray(0, count),
    ends: ends.subarray(0, count),
  };
}

/**
 * Shingle `k` words from `i` as one number (two independent 26-bit polynomial hashes), so
 * looking one up allocates nothing; a hit is confirmed word by word against the prompt.
 */
function shingleHash(ids: Int32Array, i: number, k: number): number {
  let a = 0;
  let b = 0;
  for (let j = i; j < i + k; j++) {
    a = (Math.imul(a, 0x01000193) + ids[j]! + 1) & 0x3ffffff;
    b = (Math.imul(b, 0x5bd1e995) + ids[j]! + 7) & 0x3ffffff;
  }
  return a * 0x4000000 + b;
}

const sameShingle = (x: Int32Array, i: number, y: Int32Array, j: number, k: number) => {
  for (let d = 0; d < k; d++) if (x[i + d] !== y[j + d]) return false;
  return true;
};

export const systemPromptLeakCheck = defineCheck({
  id: 'system-prompt-leak',
  summary:
    "Long verbatim overlap with the request's system prompt, and an optional honeytoken planted in it.",
  params,
  actions: ['block', 'redact', 'flag'],
  create(p) {
    return {
      reads: { toolCallArguments: false },
      evaluate(input) {
        const spans: Span[] = [];
        if (p.honeytoken) {
          for (
            let i = input.text.indexOf(p.honeytoken);
            i !== -1;
            i = input.text.indexOf(p.honeytoken, i + 1)
          )
            spans.push({ start: i, end: i + p.honeytoken.length });
        }
        const prompt = input.request.systemPrompt;
        if (prompt) {
          // Output words unknown to the prompt get id -1: a shingle containing one cannot match,
          // so only runs of known words are joined and looked up.
          const dict = new Map<string, number>();
          const pw = words(prompt, dict, true);
          // Hash of each prompt shingle → where shingles with that hash start.
          const shingles = new Map<number, number[]>();
          for (let i = 0; i + p.shingle <= pw.ids.length; i++) {
            const h = shingleHash(pw.ids, i, p.shingle);
            const at = shingles.get(h);
            if (!at) shingles.set(h, [i]);
            else if (!at.some((j) => sameShingle(pw.ids, i, pw.ids, j, p.shingle))) at.push(i);
          }
          const ow = words(input.text, dict, false);
          let runStart = -1;
          let runEnd = -1;
          const close = () => {
            if (runStart !== -1 && runEnd - runStart >= p.min_chars)
              spans.push({ start: runStart, end: runEnd });
            runStart = runEnd = -1;
          };
          let known = 0;
          for (let i = 0; i < ow.ids.length; i++) {
            known = ow.ids[i] === -1 ? 0 : known + 1;
            if (known < p.shingle) continue;
            const first = i - p.shingle + 1;
            const at = shingles.get(shingleHash(ow.ids, first, p.shingle));
            if (at?.some((j) => sameShingle(ow.ids, first, pw.ids, j, p.shingle))) {
              const s = ow.starts[first]!;
              const e = ow.ends[i]!;
              if (runStart === -1 || s > runEnd) {
                close();
                runStart = s;
              }
              runEnd = Math.max(runEnd, e);
            }
          }
          close();
        }
        return spans.length
          ? {
              status: 'fail',
              spans,
              detail: `${spans.length} passage(s) of the system prompt or its honeytoken`,
            }
          : PASS;
      },
    };
  },
});
