/**
 * `repetition`: degenerate loops — a short unit of up to `max_period` words repeated many
 * times in a row ("the the the", "I'm sorry. I'm sorry."), one character repeated at length,
 * or the same line again and again. Linear in the output: one pass per period over word ids.
 */
import { z } from 'zod';
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

const WORD = /\S+/g;

/** The longest run of a repeated unit of 1..maxPeriod words: its period and the characters it spans. */
export function longestLoop(
  text: string,
  maxPeriod: number,
): { period: number; repeats: number; chars: number } {
  const ids: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const dict = new Map<string, number>();
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m; m = WORD.exec(text)) {
    let id = dict.get(m[0]);
    if (id === undefined) dict.set(m[0], (id = dict.size));
    ids.push(id);
    starts.push(m.index);
    ends.push(m.index + m[0].length);
  }
  let best = { period: 0, repeats: 0, chars: 0 };
  for (let p = 1; p <= maxPeriod && p < ids.length; p++) {
    let run = 0;
    for (let i = p; i <= ids.length; i++) {
      if (i < ids.length && ids[i] === ids[i - p]) {
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

const CHAR_RUN = /(\S)\1{63,}/;

export const repetitionCheck = defineCheck({
  id: 'repetition',
  summary:
    'Degenerate loops: a short unit of words, a character, or a whole line repeated many times in a row.',
  params,
  actions: ['block', 'flag'],
  create(p) {
    return {
      evaluate(input) {
        const loop = longestLoop(input.text, p.max_period);
        if (loop.chars >= p.min_chars && loop.repeats >= p.min_repeats) {
          return {
            status: 'fail',
            spans: [],
            detail: `a ${loop.period}-word unit repeats ${loop.repeats} times`,
          };
        }
        if (CHAR_RUN.test(input.text))
          return { status: 'fail', spans: [], detail: 'one character repeats at length' };
        let same = 1;
        const lines = input.text.split('\n');
        for (let i = 1; i < lines.length; i++) {
          same = lines[i]!.trim() && lines[i] === lines[i - 1] ? same + 1 : 1;
          if (same >= p.min_line_repeats)
            return { status: 'fail', spans: [], detail: `a line repeats ${same} times` };
        }
        return PASS;
      },
    };
  },
});
