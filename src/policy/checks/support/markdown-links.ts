/**
 * URLs in markdown: inline images and links (`![alt](url)`, `[label](url)`), reference
 * definitions (`[ref]: url`, wherever they stand: in block quotes, list items, over lines),
 * autolinks (`<https://…>`) and, when asked, bare URLs (GFM autolink literals).
 *
 * Every `](` and every `]:` is read as a destination, exactly as CommonMark reads one
 * (`markdown-destinations.ts`), whatever precedes it: the text a check sees may start in the
 * middle of a label (a stream shows it a window), so a `](` whose `[` is out of sight still
 * counts, as an image (`markdown-labels.ts` reads labels, to tell images from links).
 *
 * Why not micromark (the CommonMark parser under react-markdown), which the differential test
 * renders with: measured here, it costs about a microsecond a character (80 µs for one image
 * alone), more on nested brackets and runs of references (superlinear), and a stream is
 * checked chunk by chunk; its positions would not help in a window that starts inside a label
 * either. What it reads as a destination, this reads too (test/unit/policy/
 * exfil-differential.test.ts: micromark, markdown-it and marked on random documents built from
 * every construct).
 */
import type { Candidate } from './candidate.js';
import { decodeCharRefs } from './char-refs.js';
import type { Destination } from './markdown-destinations.js';
import { closes, decodeDestination, Destinations } from './markdown-destinations.js';
import { Offsets } from './offsets.js';

/** Offsets of `needle` in `text`. */
function* occurrences(text: string, needle: string): Generator<number> {
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + 1)) yield i;
}

/** CommonMark autolinks: a scheme, then no space, control character, `<` or `>`. */
// eslint-disable-next-line no-control-regex -- the spec's own exclusion
const AUTOLINK = /<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>\u0000-\u001f]*)>/g;

/**
 * Where bare URLs start, as GFM autolink literals (`http(s)://`, `www.`) and linkify-it (also
 * `ftp://` and protocol-relative `//host`) find them; each runs to a space or `<`. A start
 * inside another's run counts too: a renderer may begin a link there (after a failed one).
 */
const BARE_START =
  /\b(?:[Hh][Tt][Tt][Pp][Ss]?|[Ff][Tt][Pp]):\/\/|\bwww\.|(?<![\w:/])\/\/(?=[\p{L}\p{N}])/gu;
const RUN_END = /[\s<]/g;

/** A bare URL without the trailing punctuation GFM leaves out (and an unbalanced `)`). */
function trimBare(url: string): string {
  let open = 0;
  let close = 0;
  for (let i = 0; i < url.length; i++) {
    if (url[i] === '(') open++;
    else if (url[i] === ')') close++;
  }
  let e = url.length;
  for (;;) {
    const c = url[e - 1];
    if (c && '?!.,:*_~\'"'.includes(c)) e--;
    else if (c === ')' && close > open) {
      e--;
      close--;
    } else if (c === ';' && /&[A-Za-z0-9]{1,32};$/.test(url.slice(Math.max(0, e - 40), e))) {
      e = url.lastIndexOf('&', e - 1);
    } else break;
  }
  return url.slice(0, e);
}

export interface MarkdownOptions {
  /** Include bare URLs (GFM autolink literals). */
  bare: boolean;
}

/** The longest URL read whole; a longer one is read up to here (see `MAX_URL` users). */
export const MAX_URL = 8192;

/** Every URL the markdown of `text` can make a renderer fetch or link. */
export function markdownLinks(text: string, options: MarkdownOptions): Candidate[] {
  const out: Candidate[] = [];
  // Destinations nested in destinations (`[](` ×n `)` ×n) overlap: past a budget of characters
  // read, each is read only as far as its host and the start of its path.
  let budget = 4 * text.length + 65536;
  const take = (d: Destination) => {
    const n = Math.min(d.end - d.start, budget > 0 ? MAX_URL : 256);
    budget -= n;
    return text.slice(d.start, d.start + n);
  };
  const newlines = new Offsets(text, '\n');
  const lineStart = (i: number) => newlines.prev(i) + 1;

  // Inline: every `](` (images until `resolveLabels` reads their labels).
  if (text.includes('](')) {
    const dests = new Destinations(text);
    // A `](` inside the destination of a complete link is part of that URL, not a link.
    let inside = -1;
    for (const i of occurrences(text, '](')) {
      if (i < inside) continue;
      for (const d of dests.at(i + 2)) {
        if (closes(text, d)) inside = Math.max(inside, d.end);
        const raw = take(d);
        out.push({
          url: decodeDestination(raw, decodeCharRefs),
          kind: 'image',
          start: d.start,
          end: d.end,
          markupStart: i,
          markupEnd: d.end,
          bracket: i,
          via: 'markdown',
        });
      }
    }
  }

  // Reference definitions: every `]:`. Counted as images, since whether an image uses one
  // may lie out of sight.
  if (text.includes(']:')) {
    const defs = new Destinations(text);
    // A `]:` inside a definition's destination is part of it (definitions start lines).
    let inside = -1;
    for (const i of occurrences(text, ']:')) {
      if (i < inside) continue;
      for (const d of defs.at(i + 2)) {
        inside = Math.max(inside, d.end);
        const raw = take(d);
        out.push({
          url: decodeDestination(raw, decodeCharRefs),
          kind: 'image',
          start: d.start,
          end: d.end,
          markupStart: lineStart(i),
          markupEnd: d.end,
          via: 'definition',
        });
      }
    }
  }

  if (text.includes('<'))
    for (const m of text.matchAll(AUTOLINK)) {
      const url = m[1]!;
      out.push({
        url,
        kind: 'link',
        start: m.index + 1,
        end: m.index + 1 + url.length,
        markupStart: m.index,
        markupEnd: m.index + m[0].length,
        via: 'autolink',
      });
    }

  if (options.bare) {
    // Runs overlap when one holds several starts: the same budget bounds what is read.
    let runEnd = -1;
    for (const m of text.matchAll(BARE_START)) {
      if (m.index >= runEnd) {
        RUN_END.lastIndex = m.index;
        runEnd = RUN_END.exec(text)?.index ?? text.length;
      }
      const url = trimBare(take({ start: m.index, end: runEnd, pointy: false, nextLine: false }));
      if (!url) continue;
      const end = m.index + url.length;
      out.push({
        url,
        kind: 'bare',
        start: m.index,
        end,
        markupStart: m.index,
        markupEnd: end,
        via: 'bare',
      });
    }
  }

  return out;
}
