/** `urls`: every URL in the output (raw, markdown, HTML) checked against domain lists. */
import { z } from 'zod';
import type { Span } from '../../model/verdict.js';
import { domainMatches, findLinks, hostOf } from './support/links.js';
import { defineCheck, PASS } from './types.js';

const params = z.strictObject({
  /** When given, only these domains may appear (wildcards: `*.example.com`). */
  allow_domains: z.array(z.string().min(1)).optional(),
  /** These domains may never appear. */
  deny_domains: z.array(z.string().min(1)).default([]),
});

export const urlsCheck = defineCheck({
  id: 'urls',
  summary:
    'Every URL in the output (raw, markdown, HTML) checked against allow and deny domain lists (wildcards).',
  params,
  actions: ['block', 'redact', 'flag'],
  create(p) {
    const bad = (url: string) => {
      const host = hostOf(url);
      if (!host) return false;
      return (
        domainMatches(host, p.deny_domains) ||
        (p.allow_domains !== undefined && !domainMatches(host, p.allow_domains))
      );
    };
    return {
      stream: {
        triggers: ['http', 'www.', '](', ']:', '<'].map((text) => ({
          text,
          lead: 0,
          maxSpan: 8300,
          settle: /[\s<>"'`)\]]/,
        })),
      },
      evaluate(input) {
        const spans: Span[] = [];
        for (const l of findLinks(input.text))
          if (bad(l.url)) spans.push({ start: l.start, end: l.end });
        input.toolCalls.forEach((c, i) => {
          for (const l of findLinks(c.arguments))
            if (bad(l.url)) spans.push({ start: l.start, end: l.end, toolCall: i });
        });
        return spans.length
          ? { status: 'fail', spans, detail: `${spans.length} URL(s) to domains not allowed` }
          : PASS;
      },
    };
  },
});
