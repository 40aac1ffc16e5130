/**
 * Finds every URL a model output can make a client fetch or a user follow: markdown inline
 * images and links, reference-style images and links with their definitions, HTML `src` /
 * `href` attributes, and bare URLs. Spans cover the URL itself.
 *
 * Linear in the text: hostile output is built to make a scanner restart inside long runs
 * (`[[[[…`, `[](x[](x…`, `<img <img …`), so brackets are matched in one pass with a stack,
 * a URL run or the tail after it is read once however many links start in it, and each
 * lookup that could rescan (the next `>`, the next quote, the next attribute) is memoised.
 */
import { isSpace } from './chars.js';

export type LinkKind = 'image' | 'link' | 'raw';

export interface Link {
  url: string;
  kind: LinkKind;
  start: number;
  end: number;
}

const MAX_LABEL = 1000;
const MAX_URL = 8192;
/** How far into a tag its `src` / `href` attribute may start. */
const MAX_ATTRS = 2000;

const REF_DEF = /^[ \t]{0,3}\[((?:[^\]\n\\]|\\.){1,1000})\]:[ \t]*<?([^\s>]{1,8192})>?/gm;
const TAG = /<(img|image|a|source|video|audio|iframe|link|script)\b/gi;
/** An attribute that can carry a URL, up to its value (which cannot start with space or `>`). */
const ATTR = /\b(?:src|href|srcset|poster|data)\s*=\s*(?=[^\s>])/gi;
const RAW = /\b(?:https?:\/\/|www\.)[^\s<>"'`)\]]{1,8192}/gi;

const BACKSLASH = 0x5c;
const LF = 0x0a;
const BANG = 0x21;
const OPEN = 0x5b; // [
const CLOSE = 0x5d; // ]
const PAREN = 0x28; // (
const CLOSE_PAREN = 0x29; // )
const LT = 0x3c;
const GT = 0x3e;

/** A character of an inline link destination: not space, `)` or `>`. */
const isDest = (c: number) => !Number.isNaN(c) && c !== CLOSE_PAREN && c !== GT && !isSpace(c);

const norm = (label: string) => label.trim().toLowerCase().replace(/\s+/g, ' ');

/**
 * Inline link destinations, `(<?url>? "title")`, parsed from just after `(`. Positions asked
 * for only increase, so the URL run and the tail after it are each read once, however many
 * `](` start inside one run.
 */
class Destinations {
  private runStart = -1;
  private runEnd = -1;
  private tailAt = -1;
  private tailEnd = -1;

  constructor(private readonly text: string) {}

  /** End of the run of destination characters from `s`. */
  private run(s: number): number {
    if (s >= this.runStart && s < this.runEnd) return this.runEnd;
    let e = s;
    while (isDest(this.text.charCodeAt(e))) e++;
    if (e > s) [this.runStart, this.runEnd] = [s, e];
    return e;
  }

  private spaces(k: number): number {
    while (isSpace(this.text.charCodeAt(k))) k++;
    return k;
  }

  /** `>?`, then an optional title after space, then `)`: the end after `)`, or -1. */
  private tail(e: number): number {
    if (e === this.tailAt) return this.tailEnd;
    const t = this.text;
    let k = t.charCodeAt(e) === GT ? e + 1 : e;
    let w = this.spaces(k);
    const q = t.charCodeAt(w);
    if (w > k && (q === 0x22 || q === 0x27 || q === PAREN)) {
      const close = q === PAREN ? CLOSE_PAREN : q;
      k = w + 1;
      while (k < t.length && t.charCodeAt(k) !== close && t.charCodeAt(k) !== LF) k++;
      if (t.charCodeAt(k) === close) w = this.spaces(k + 1);
    }
    const end = t.charCodeAt(w) === CLOSE_PAREN ? w + 1 : -1;
    [this.tailAt, this.tailEnd] = [e, end];
    return end;
  }

  /** The destination starting after `(` at `p`: its URL range and the end after `)`. */
  parse(p: number): { start: number; end: number; close: number } | undefined {
    let s = this.spaces(p);
    let e = s;
    if (this.text.charCodeAt(s) === LT) {
      e = this.run(s + 1);
      if (e > s + 1) s++;
      else e = s + 1; // `(<)`: the `<` is the URL
    } else e = this.run(s);
    if (e === s || e - s > MAX_URL) return undefined;
    const close = this.tail(e);
    return close === -1 ? undefined : { start: s, end: e, close };
  }
}

/** `[label]` after `![…]`, from just after its `[`: the label, or undefined. */
function refLabel(text: string, k: number): string | undefined {
  for (let i = k; i < text.length && i - k <= MAX_LABEL; i++) {
    const c = text.charCodeAt(i);
    if (c === CLOSE) return text.slice(k, i);
    if (c === LF) return undefined;
    if (c === BACKSLASH) i++;
  }
  return undefined;
}

/**
 * Inline links and images (`[label](url)`, `![alt](url)`, nested as in badges), and the
 * labels of reference-style images (`![alt]`, `![alt][ref]`) into `images`. Brackets match
 * innermost first, on one line, escapes skipped.
 */
function inline(
  text: string,
  add: (url: string, kind: LinkKind, start: number) => void,
  images: Set<string> | undefined,
): void {
  const opens: number[] = [];
  const dest = new Destinations(text);
  for (let i = 0; i < text.length; i++) {
    // With no label open (or only ones too far back to close), only the next `[` matters:
    // jump to it natively (prose has few).
    if (opens.length && i - opens[opens.length - 1]! > MAX_LABEL + 1) opens.length = 0;
    if (!opens.length) {
      i = text.indexOf('[', i);
      if (i === -1) break;
    }
    const c = text.charCodeAt(i);
    // Escapes count inside a label (`\]` does not close it); a `\[` outside one still opens a
    // label, as renderers differ on it.
    if (c === BACKSLASH && opens.length) {
      if (text.charCodeAt(i + 1) !== LF) i++;
      continue;
    }
    if (c === LF) opens.length = 0;
    else if (c === OPEN) {
      // The k-th open bracket from the top is at least k characters back: beyond MAX_LABEL
      // deep, none can open a label any more.
      if (opens.push(i) > 2 * MAX_LABEL) opens.splice(0, MAX_LABEL);
    }
    if (c !== CLOSE) continue;
    const j = opens.pop();
    if (j === undefined || i - j - 1 > MAX_LABEL) continue;
    const image = text.charCodeAt(j - 1) === BANG;
    if (image && images) {
      const ref = text.charCodeAt(i + 1) === OPEN ? refLabel(text, i + 2) : undefined;
      images.add(norm(ref || text.slice(j + 1, i)));
    }
    if (text.charCodeAt(i + 1) === PAREN) {
      const d = dest.parse(i + 2);
      if (d) {
        add(text.slice(d.start, d.end), image ? 'image' : 'link', d.start);
        i = d.close - 1;
      }
    }
  }
}

/** The first position at or after `x` of `ch`, memoised for increasing `x`; -1 if none. */
function nextOf(text: string, ch: string): (x: number) => number {
  let at = -2;
  return (x) => {
    if (at === -1 || at >= x) return at;
    return (at = text.indexOf(ch, x));
  };
}

/** HTML tags with a URL attribute: the first `src`/`href`/… within the tag, as the value. */
function html(text: string, add: (url: string, kind: LinkKind, start: number) => void): void {
  const nextGt = nextOf(text, '>');
  const quote = { '"': nextOf(text, '"'), "'": nextOf(text, "'") };
  let attr = -1;
  let attrEnd = -1;
  const attrFrom = (x: number) => {
    if (attr === Infinity || attr >= x) return;
    ATTR.lastIndex = x;
    const m = ATTR.exec(text);
    [attr, attrEnd] = m ? [m.index, m.index + m[0].length] : [Infinity, Infinity];
  };
  TAG.lastIndex = 0;
  for (let m = TAG.exec(text); m; m = TAG.exec(text)) {
    const from = m.index + m[0].length;
    attrFrom(from);
    if (attr - from > MAX_ATTRS) continue;
    const gt = nextGt(from);
    if (gt !== -1 && gt < attr) continue;
    // The value: quoted (1 to 8192 characters), else up to space or `>` (at most 8192).
    const v = attrEnd;
    const q = text[v];
    let start = v;
    let end = -1;
    if (q === '"' || q === "'") {
      const close = quote[q](v + 1);
      if (close > v + 1 && close - v - 1 <= MAX_URL) [start, end] = [v + 1, close];
    }
    if (end === -1) {
      end = v;
      while (
        end - v < MAX_URL &&
        end < text.length &&
        text.charCodeAt(end) !== GT &&
        !isSpace(text.charCodeAt(end))
      )
        end++;
    }
    add(text.slice(start, end), m[1]!.toLowerCase() === 'a' ? 'link' : 'image', start);
    TAG.lastIndex = start === v ? end : end + 1;
  }
}

/** `url` without trailing sentence punctuation (a loop: a regex anchored at `$` rescans runs). */
function trimPunctuation(url: string): string {
  let e = url.length;
  while (e > 0 && '.,;:!?'.includes(url[e - 1]!)) e--;
  return url.slice(0, e);
}

/** `raw`: include bare URLs (the `urls` check); exfiltration needs only rendered ones. */
export function findLinks(text: string, raw = true): Link[] {
  const out: Link[] = [];
  const add = (url: string, kind: LinkKind, start: number) => {
    out.push({ url, kind, start, end: start + url.length });
  };

  const defs = new Map<string, { url: string; start: number }>();
  REF_DEF.lastIndex = 0;
  for (let m = text.includes(']:') ? REF_DEF.exec(text) : null; m; m = REF_DEF.exec(text)) {
    const url = m[2]!;
    defs.set(norm(m[1]!), { url, start: m.index + m[0].lastIndexOf(url) });
  }
  const images = defs.size && text.includes('![') ? new Set<string>() : undefined;
  if (text.includes('](') || images) inline(text, add, images);
  for (const [label, d] of defs) add(d.url, images?.has(label) ? 'image' : 'link', d.start);
  if (text.includes('<')) html(text, add);
  if (!raw) return out;

  // Bare URLs not inside one already found: matches come in order, so one pass over the found
  // ranges sorted by start, keeping the furthest end, tells whether one overlaps.
  const covered = out.map((l) => [l.start, l.end] as const).sort((a, b) => a[0] - b[0]);
  let k = 0;
  let reach = -1;
  RAW.lastIndex = 0;
  for (let m = RAW.exec(text); m; m = RAW.exec(text)) {
    const url = trimPunctuation(m[0]);
    const end = m.index + url.length;
    while (k < covered.length && covered[k]![0] < end) reach = Math.max(reach, covered[k++]![1]);
    if (reach > m.index) continue;
    add(url, 'raw', m.index);
  }
  return out;
}

/**
 * Could `new URL(s)` parse `s` (it needs a scheme; the parser drops leading C0 controls and
 * spaces, and tabs and newlines anywhere)? Checked first because a throw costs microseconds,
 * and hostile output can hold a hundred thousand bogus URLs per megabyte.
 */
// eslint-disable-next-line no-control-regex -- the URL parser's own leading-character rule
const MAYBE_ABSOLUTE = /^[\x00-\x20]*[a-z][a-z0-9+.\-\t\n\r]*:/i;

/** The lower-cased host of a URL (or protocol-relative / `www.` URL), undefined if none. */
export function hostOf(url: string): string | undefined {
  const abs = url.startsWith('//') ? `https:${url}` : /^www\./i.test(url) ? `https://${url}` : url;
  if (!MAYBE_ABSOLUTE.test(abs)) return undefined;
  try {
    const u = new URL(abs);
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
