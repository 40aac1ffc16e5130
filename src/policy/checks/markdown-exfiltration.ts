/**
 * `markdown-exfiltration`: images (inline, reference-style, HTML) and links that carry data
 * to hosts not on the allow list — the zero-click exfiltration of MITRE ATLAS AML.T0077
 * (EchoLeak and its kin): a rendered image is fetched at once, with whatever the model put
 * in its URL. A plain link or image to a page is not exfiltration; data in the URL is.
 */
import { z } from 'zod';
import type { Span } from '../../model/verdict.js';
import { onSkeleton } from './support/ignorable.js';
import { domainMatches, findLinks, hostOf } from './support/links.js';
import { percentDecode } from './support/percent.js';
import type { Link } from './support/links.js';
import { defineCheck, PASS } from './types.js';
import type { Trigger } from './types.js';

const params = z.strictObject({
  /** Hosts that may receive data (wildcards: `*.example.com`). */
  allow_domains: z.array(z.string().min(1)).default([]),
  /** Also flag images to other hosts that carry no visible data (tracking pixels). */
  all_external_images: z.boolean().default(false),
  /** Check links as well as images. */
  links: z.boolean().default(true),
});

/** Does the URL carry data: a query value, `=` or `@` in the path, or a long opaque path segment? */
export function carriesData(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url.startsWith('//') ? `https:${url}` : url);
  } catch {
    return /[?=@]/.test(url);
  }
  if ([...u.searchParams.values()].some((v) => v.length > 0) || /[?&][^=&]{12,}/.test(u.search))
    return true;
  // Decoded without throwing: a malformed escape (`%FF`) must not switch the check off.
  const path = percentDecode(u.pathname);
  if (/[=@]/.test(path) || /\[(?:DATA|INFO)\]|%5B/i.test(url)) return true;
  if (u.hash.length > 16) return true;
  return path
    .split('/')
    .some(
      (seg) =>
        seg.length >= 32 &&
        /^[A-Za-z0-9+_=.-]+$/.test(seg) &&
        !/\.(?:png|jpe?g|gif|svg|webp|html?)$/i.test(seg),
    );
}

function exfiltrates(l: Link, p: z.output<typeof params>): boolean {
  if (l.kind === 'raw' || (l.kind === 'link' && !p.links)) return false;
  const host = hostOf(l.url);
  if (!host || domainMatches(host, p.allow_domains)) return false;
  return carriesData(l.url) || (l.kind === 'image' && p.all_external_images);
}

/** URLs start after these; a URL ends at whitespace, `)` or `>` (HTML tags end at `>`). */
const URL_END = /[\s)>]/;
const HTML = ['<img', '<image', '<a', '<source', '<video', '<audio', '<iframe', '<link', '<script'];
const EXFIL_TRIGGERS: readonly Trigger[] = [
  { text: '](', lead: 0, maxSpan: 8300, settle: URL_END },
  { text: ']:', lead: 0, maxSpan: 8300, settle: /\S\s/ },
  ...HTML.map((t) => ({ text: t, lead: 0, maxSpan: 10300, settle: />/ })),
];

export const markdownExfiltrationCheck = defineCheck({
  id: 'markdown-exfiltration',
  summary:
    'Images and links (markdown inline and reference-style, HTML) that carry data to hosts not on the allow list.',
  params,
  actions: ['block', 'redact', 'flag'],
  create(p) {
    return {
      reads: { toolCallArguments: false },
      stream: { triggers: EXFIL_TRIGGERS },
      evaluate(input) {
        const seen = new Map<string, boolean>();
        // Read without Default_Ignorable code points (hosts drop them, IDNA maps them away;
        // `]\u200b(` is still a link to a conservative reader), spans mapped back over them.
        const spans: Span[] = onSkeleton(input.text, (t) => findLinks(t, false))
          .filter((l) => {
            const key = `${l.kind}\u0000${l.url}`;
            let bad = seen.get(key);
            if (bad === undefined) seen.set(key, (bad = exfiltrates(l, p)));
            return bad;
          })
          .map((l) => ({ start: l.start, end: l.end }));
        return spans.length
          ? {
              status: 'fail',
              spans,
              detail: `${spans.length} image(s) or link(s) sending data to another host`,
            }
          : PASS;
      },
    };
  },
});
