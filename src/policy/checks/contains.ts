/** `contains`: words or phrases that must not appear (whole words, case-insensitive by default). */
import { z } from 'zod';
import { escape } from './support/trie.js';
import { defineCheck, findSpans, PASS } from './types.js';

const params = z.strictObject({
  words: z.array(z.string().min(1)).min(1),
  case_sensitive: z.boolean().default(false),
  /** Match only whole words (Unicode letters and digits delimit them). */
  whole_words: z.boolean().default(true),
});

export const containsCheck = defineCheck({
  id: 'contains',
  summary:
    'Words or phrases that must not appear in the output; whole words and case-insensitive by default.',
  params,
  actions: ['block', 'redact', 'flag'],
  create(p) {
    // Longest first, so a phrase wins over a word it starts with. A plain alternation of
    // literals cannot backtrack catastrophically.
    const alts = [...p.words]
      .sort((a, b) => b.length - a.length)
      .map(escape)
      .join('|');
    const body = p.whole_words
      ? `(?<![\\p{L}\\p{N}_])(?:${alts})(?![\\p{L}\\p{N}_])`
      : `(?:${alts})`;
    const re = new RegExp(body, p.case_sensitive ? 'gu' : 'giu');
    return {
      stream: {
        triggers: p.words.map((w) => ({
          text: w.toLowerCase(),
          lead: 0,
          maxSpan: w.length + 1,
          settle: /[^\p{L}\p{N}_]/u,
        })),
      },
      evaluate(input) {
        const spans = findSpans(re, input, 1000);
        return spans.length
          ? { status: 'fail', spans, detail: `${spans.length} listed word(s) found` }
          : PASS;
      },
    };
  },
});
