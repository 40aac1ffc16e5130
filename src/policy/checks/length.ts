/**
 * `length`: bounds on the output's length in characters (code points), counting stream text
 * the proxy did not keep.
 */
import { z } from 'zod';
import { defineCheck, PASS } from './types.js';
import { isHighSurrogate } from './support/chars.js';

const params = z
  .strictObject({
    min_chars: z.number().int().nonnegative().optional(),
    max_chars: z.number().int().positive().optional(),
  })
  .refine(
    (p) => p.min_chars !== undefined || p.max_chars !== undefined,
    'give min_chars, max_chars or both',
  );

/** Code points in `s` (a surrogate pair counts once), without materialising them. */
function codePoints(s: string): number {
  let pairs = 0;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (isHighSurrogate(c)) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        pairs++;
        i++;
      }
    }
  }
  return s.length - pairs;
}

export const lengthCheck = defineCheck({
  id: 'length',
  summary: 'The output length in characters must lie within bounds.',
  params,
  actions: ['block', 'flag'],
  create(p) {
    return {
      // Reads only the length: the whole text is counted, never scanned.
      reads: { text: 0, toolCallArguments: false },
      evaluate(input) {
        const n = codePoints(input.text) + (input.omittedChars ?? 0);
        if (p.max_chars !== undefined && n > p.max_chars)
          return {
            status: 'fail',
            spans: [],
            detail: `output has ${n} characters, over ${p.max_chars}`,
          };
        if (p.min_chars !== undefined && n < p.min_chars)
          return {
            status: 'fail',
            spans: [],
            detail: `output has ${n} characters, under ${p.min_chars}`,
          };
        return PASS;
      },
    };
  },
});
