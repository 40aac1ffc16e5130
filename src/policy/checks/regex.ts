/** `regex`: a pattern that must not appear in the output (text and tool-call arguments). */
import { z } from 'zod';
import { safeRegexIssue } from '../safe-regex.js';
import { defineCheck, findSpans, PASS } from './types.js';

const params = z
  .strictObject({
    pattern: z.string().min(1),
    /** JavaScript RegExp flags: any of `i`, `m`, `s`, `u`. */
    flags: z
      .string()
      .regex(/^[imsu]*$/, 'flags may contain only i, m, s, u')
      .default(''),
    /** Stop after this many matches (the spans of the first ones are redacted). */
    max_matches: z.number().int().positive().default(1000),
  })
  .superRefine((p, ctx) => {
    const issue = safeRegexIssue(p.pattern, p.flags);
    if (issue) ctx.addIssue({ code: 'custom', path: ['pattern'], message: issue });
  });

export const regexCheck = defineCheck({
  id: 'regex',
  summary:
    'A regular expression that must not match the output. Patterns prone to catastrophic backtracking are rejected at load.',
  params,
  actions: ['block', 'redact', 'flag'],
  create(p) {
    const re = new RegExp(p.pattern, `${p.flags}g`);
    return {
      evaluate(input) {
        const spans = findSpans(re, input, p.max_matches);
        return spans.length
          ? { status: 'fail', spans, detail: `pattern matched ${spans.length} time(s)` }
          : PASS;
      },
    };
  },
});
