/** `length`: bounds on the output's length in characters. */
import { z } from 'zod';
import { defineCheck, PASS } from './types.js';

const params = z
  .strictObject({
    min_chars: z.number().int().nonnegative().optional(),
    max_chars: z.number().int().positive().optional(),
  })
  .refine(
    (p) => p.min_chars !== undefined || p.max_chars !== undefined,
    'give min_chars, max_chars or both',
  );

export const lengthCheck = defineCheck({
  id: 'length',
  summary: 'The output length in characters must lie within bounds.',
  params,
  actions: ['block', 'flag'],
  create(p) {
    return {
      evaluate(input) {
        const n = [...input.text].length;
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
