/**
 * `repetition`: degenerate loops — a short unit (up to `max_period` characters) repeated many
 * times in a row ("the the the", "I'm sorry. I'm sorry."), or the same line again and again.
 * Linear in the output: one pass per period.
 */
import { z } from 'zod';
import { defineCheck, PASS } from './types.js';

const params = z.strictObject({
  /** Longest repeating unit looked for, in characters. */
  max_period: z.number().int().min(1).max(200).default(64),
  /** Fail when a unit repeats at least this many times in a row. */
  min_repeats: z.number().int().min(2).default(8),
  /** Ignore repetition shorter than this many characters in total (tables, separators). */
  min_chars: z.number().int().positive().default(64),
  /** Fail when one non-empty line appears at least this many times in a row. */
  min_line_repeats: z.number().int().min(2).default(5),
});

export function longestLoop(text: string, maxPeriod: number): { period: number; start: number; end: number } {
  let best = { period: 0, start: 0, end: 0 };
  for (let p = 1; p <= maxPeriod && p < text.length; p++) {
    let run = 0;
    for (let i = p; i <= text.length; i++) {
      if (i < text.length && text.charCodeAt(i) === text.charCodeAt(i - p)) {
        run++;
        continue;
      }
      // A run of `run` matches ends at i: the text [i - run - p, i) repeats with period p.
      if (run > 0 && run + p > best.end - best.start && /\S/.test(text.slice(i - run - p, i - run))) {
        best = { period: p, start: i - run - p, end: i };
      }
      run = 0;
    }
  }
  return best;
}

export const repetitionCheck = defineCheck({
  id: 'repetition',
  summary: 'Degenerate loops: a short unit or a whole line repeated many times in a row.',
  params,
  actions: ['block', 'flag'],
  create(p) {
    return {
      evaluate(input) {
        const loop = longestLoop(input.text, p.max_period);
        const len = loop.end - loop.start;
        if (loop.period && len >= p.min_chars && len / loop.period >= p.min_repeats) {
          return { status: 'fail', spans: [], detail: `a ${loop.period}-character unit repeats ${Math.floor(len / loop.period)} times` };
        }
        let same = 1;
        const lines = input.text.split('\n');
        for (let i = 1; i < lines.length; i++) {
          same = lines[i]!.trim() && lines[i] === lines[i - 1] ? same + 1 : 1;
          if (same >= p.min_line_repeats) return { status: 'fail', spans: [], detail: `a line repeats ${same} times` };
        }
        return PASS;
      },
    };
  },
});
