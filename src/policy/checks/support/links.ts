/**
 * Finds every URL a model output can make a client fetch or a user follow: markdown inline
 * images and links, reference-style images and links with their definitions, HTML `src` /
 * `href` attributes, and bare URLs. Spans cover the URL itself.
 */
export type LinkKind = 'image' | 'link' | 'raw';

export interface Link {
  url: string;
  kind: LinkKind;
  start: number;
  end: number;
}

// Starts with a literal `[` so the regex engine can skip ahead; a preceding `!` makes an image.
const INLINE =
  /\[((?:[^\]\n\\]|\\.){0,1000})\]\(\s*<?([^\s)>]{1,8192})>?(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?\s*\)/g;
const REF_USE = /(!?)\[((?:[^\]\n\\]|\\.){0,1000})\](?:\[((?:[^\]\n\\]|\\.){0,1000})\])?/g;
const REF_DEF = /^[ \t]{0,3}\[((?:[^\]\n\\]|\\.){1,1000})\]:[ \t]*<?([^\s>]{1,8192})>?/gm;
const HTML_ATTR =
  /<(img|image|a|source|video|audio|iframe|link|script)\b[^>]{0,2000}?\b(src|href|srcset|poster|data)\s*=\s*(?:"([^"]{1,8192})"|'([^']{1,8192})'|([^\s>]{1,8192}))/gi;
const RAW = /\b(?:https?:\/\/|www\.)[^\s<>"'`)\]]{1,8192}/gi;

const norm = (label: string) => label.trim().toLowerCase().replace(/\s+/g, ' ');

/** `raw`: include bare URLs (the `urls` check); exfiltration needs only rendered ones. */
export function findLinks(text: string, raw = true): Link[] {
  const out: Link[] = [];
  const covered: [number, number][] = [];
  const add = (url: string, kind: LinkKind, start: number) => {
    out.push({ url, kind, start, end: start + url.length });
    covered.push([start, start + url.length]);
  };

  const defs = new Map<string, { url: string; start: number }>();
  REF_DEF.lastIndex = 0;
  for (let m = text.includes(']:') ? REF_DEF.exec(text) : null; m; m = REF_DEF.exec(text)) {
    const url = m[2]!;
    defs.set(norm(m[1]!), { url, start: m.index + m[0].lastIndexOf(url) });
  }
  INLINE.lastIndex = 0;
  for (let m = text.includes('](') ? INLINE.exec(text) : null; m; m = INLINE.exec(text)) {
    const url = m[2]!;
    add(
      url,
      text[m.index - 1] === '!' ? 'image' : 'link',
      m.index + m[0].indexOf(url, m[1]!.length + 2),
    );
  }
  const images = new Set<string>();
  REF_USE.lastIndex = 0;
  for (
    let m = defs.size && text.includes('![') ? REF_USE.exec(text) : null;
    m;
    m = REF_USE.exec(text)
  ) {
    if (m[1]) images.add(norm(m[3] || m[2]!));
  }
  for (const [label, d] of defs) add(d.url, images.has(label) ? 'image' : 'link', d.start);
  HTML_ATTR.lastIndex = 0;
  for (let m = text.includes('<') ? HTML_ATTR.exec(text) : null; m; m = HTML_ATTR.exec(text)) {
    const url = m[3] ?? m[4] ?? m[5]!;
    const tag = m[1]!.toLowerCase();
    add(url, tag === 'a' ? 'link' : 'image', m.index + m[0].lastIndexOf(url));
  }
  RAW.lastIndex = 0;
  for (let m = raw ? RAW.exec(text) : null; m; m = RAW.exec(text)) {
    const url = m[0].replace(/[.,;:!?]+$/, '');
    if (covered.some(([a, b]) => m.index < b && m.index + url.length > a)) continue;
    add(url, 'raw', m.index);
  }
  return out;
}

/** The lower-cased host of a URL (or protocol-relative / `www.` URL), undefined if none. */
export function hostOf(url: string): string | undefined {
  try {
    const u = new URL(
      url.startsWith('//') ? `https:${url}` : /^www\./i.test(url) ? `https://${url}` : url,
    );
    return u.hostname.toLowerCase().replace(/^\[|\]$/g, '') || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Domain patterns: `example.com` matches it and its subdomains, `*.example.com` only the
 * subdomains, `*` everything.
 */
export function domainMatches(host: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => {
    const d = p.toLowerCase();
    if (d === '*') return true;
    if (d.startsWith('*.')) return host.endsWith(d.slice(1));
    return host === d || host.endsWith(`.${d}`);
  });
}
