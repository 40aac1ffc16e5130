/**
 * `repetition`: degenerate loops — a short unit of up to `max_period` words repeated many
 * times in a row ("the the the", "I'm sorry. I'm sorry."), one character repeated at length,
 * or the same line again and again. Linear in the output: one pass per period over word ids.
 */
import { z } from 'zod';
import { isSpace } from './support/chars.js';
import { defineCheck, PASS } from './types.js';

const params = z.strictObject({
  /** Longest repeating unit looked for, in words. */
  max_period: z.number().int().min(1).max(64).default(16),
  /** Fail when a unit repeats at least this many times in a row. */
  min_repeats: z.number().int().min(2).default(8),
  /** Ignore repetition shorter than this many characters in total (tables, separators). */
  min_chars: z.number().int().positive().default(64),
  /** Fail when one non-empty line appears at least this many times in a row. */
  min_line_repeats: z.number().int().min(2).default(5),
});

/** Grows an Int32Array by doubling. */
const doubled = (a: Int32Array) => {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
};

/** The longest run of a repeated unit of 1..maxPeriod words: its period and the characters it spans. */
export function longestLoop(
  text: string,
  maxPeriod: number,
): { period: number; repeats: number; chars: number } {
  // Words are runs of non-space (`\S+`), as ids; scanned by hand into typed arrays.
  let ids = new Int32Array(1024);
  let starts = new Int32Array(1024);
  let ends = new Int32Array(1024);
  let count = 0;
  const dict = new Map<string, number>();
  for (let i = 0; i < text.length;) {
    if (isSpace(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const s = i;
    while (i < text.length && !isSpace(text.charCodeAt(i))) i++;
    const w = text.slice(s, i);
    let id = dict.get(w);
    if (id === undefined) dict.set(w, (id = dict.size));
    if (count === ids.length) [ids, starts, ends] = [doubled(ids), doubled(starts), doubled(ends)];
    ids[count] = id;
    starts[count] = s;
    ends[count] = i;
    count++;
  }
  let best = { period: 0, repeats: 0, chars: 0 };
  for (let p = 1; p <= maxPeriod && p < count; p++) {
    let run = 0;
    for (let i = p; i <= count; i++) {
      if (i < count && ids[i] === ids[i - p]) {
        run++;
        continue;
      }
      if (run > 0) {
        const chars = ends[i - 1]! - starts[i - run - p]!;
        if (chars > best.chars) best = { period: p, repeats: Math.floor((run + p) / p), chars };
      }
      run = 0;
    }
  }
  return best;
}

/**
 * Whether one non-space UTF-16 unit repeats at least `n` times in a row. A loop: the regex
 * `(\S)\1{63,}` overflowed V8's backtracking stack (a throw) on a few megabytes of one character.
 */
function charRun(text: string, n: number): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    run = i > 0 && c === text.charCodeAt(i - 1) && !isSpace(c) ? run + 1 : 1;
    if (run >= n && !isSpace(c)) return true;
  }
  return false;
}

/**
 * The first count reaching `n` of one non-blank line repeated in a row, or 0. Compares lines
 * in place (splitting a megabyte of newlines made a million strings).
 */
function lineRun(text: string, n: number): number {
  let same = 1;
  let prev = 0;
  let prevEnd = text.indexOf('\n');
  if (prevEnd === -1) return 0;
  for (let start = prevEnd + 1; start <= text.length;) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    let blank = true;
    for (let i = start; i < end && blank; i++) blank = isSpace(text.charCodeAt(i));
    let equal = !blank && end - start === prevEnd - prev;
    for (let i = 0; equal && i < end - start; i++)
      equal = text.charCodeAt(start + i) === text.charCodeAt(prev + i);
    same = equal ? same + 1 : 1;
    if (same >= n) return same;
    [prev, prevEnd, start] = [start, end, end + 1];
  }
  return 0;
}

export const repetitionCheck = defineCheck({
  id: 'repetition',
  summary:
    'Degenerate loops: a short unit of words, a character, or a whole line repeated many times in a row.',
  params,
  actions: ['block', 'flag'],
  create(p) {
    return {
      reads: { toolCallArguments: false },
      evaluate(input) {
        const loop = longestLoop(input.text, p.max_period);
        if (loop.chars >= p.min_chars && loop.repeats >= p.min_repeats) {
          return {
            status: 'fail',
            spans: [],
            detail: `a ${loop.period}-word unit repeats ${loop.repeats} times`,
          };
        }
        if (charRun(input.text, 64))
          return { status: 'fail', spans: [], detail: 'one character repeats at length' };
        const same = lineRun(input.text, p.min_line_repeats);
        return same ? { status: 'fail', spans: [], detail: `a line repeats ${same} times` } : PASS;
      },
    };
  },
});
