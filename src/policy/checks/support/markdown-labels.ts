/**
 * Labels of inline markdown links and images: which `[` a `]` before `(` closes, matched
 * paragraph by paragraph, innermost first, with CommonMark's precedence (escapes, code spans
 * and inline HTML hide brackets). An image when its `[` follows `!`; an image too when its `[`
 * is out of sight (the text a check sees may start inside a label).
 */
import type { Candidate } from './candidate.js';
import { Destinations } from './markdown-destinations.js';
import { finder } from './offsets.js';

const BACKSLASH = 0x5c;
const ASCII_PUNCT = /[!-/:-@[-`{-~]/;

/**
 * Backtick runs of one paragraph that open a code span, and where the span ends (CommonMark
 * §6.1; `blanks`: blank lines, which no span crosses — none within a paragraph).
 */
function codeSpans(text: string, blanks: readonly number[]): Map<number, number> {
  const spans = new Map<number, number>();
  if (!text.includes('`')) return spans;
  const runs: { at: number; len: number }[] = [];
  for (const m of text.matchAll(/`+/g)) runs.push({ at: m.index, len: m[0].length });
  // The next run of the same length closes a span, within the paragraph.
  const closeOf = new Int32Array(runs.length).fill(-1);
  const nextOfLen = new Map<number, number>();
  for (let i = runs.length - 1; i >= 0; i--) {
    closeOf[i] = nextOfLen.get(runs[i]!.len) ?? -1;
    nextOfLen.set(runs[i]!.len, i);
  }
  let b = 0;
  for (let i = 0; i < runs.length; i++) {
    const c = closeOf[i]!;
    if (c === -1) continue;
    const r = runs[i]!;
    while (b < blanks.length && blanks[b]! < r.at) b++;
    if (b < blanks.length && blanks[b]! < runs[c]!.at) continue;
    spans.set(r.at, runs[c]!.at + runs[c]!.len);
  }
  return spans;
}

interface Finders {
  gt: (x: number) => number;
  dq: (x: number) => number;
  sq: (x: number) => number;
  comment: (x: number) => number;
}

/** The end of an inline HTML tag or comment starting at `p` (quotes honoured), or -1. */
function inlineHtmlEnd(text: string, p: number, limit: number, f: Finders): number {
  if (text.startsWith('<!--', p)) {
    const e = f.comment(p + 4);
    return e !== -1 && e < limit ? e + 3 : -1;
  }
  if (!/[A-Za-z/]/.test(text[p + 1] ?? '')) return -1;
  let x = p + 1;
  for (let steps = 0; steps < 32 && x < limit; steps++) {
    const gt = f.gt(x);
    const dq = f.dq(x);
    const sq = f.sq(x);
    const q = dq === -1 ? sq : sq === -1 ? dq : Math.min(dq, sq);
    if (gt === -1 || gt >= limit) return -1;
    if (q === -1 || q > gt) return gt + 1;
    const close = text[q] === '"' ? f.dq(q + 1) : f.sq(q + 1);
    if (close === -1 || close >= limit) return -1;
    x = close + 1;
  }
  return -1;
}

/** What a `]` at some offset closes: the `[` that opened it and whether it is an image. */
interface Opener {
  at: number;
  image: boolean;
}

/** The paragraph around `at`: from after the blank line before it to the blank line after. */
function paragraphAround(text: string, at: number, floor: number): [number, number] {
  let start = text.lastIndexOf('\n', at - 1) + 1;
  while (start > floor) {
    const prev = text.lastIndexOf('\n', start - 2) + 1;
    if (/^[ \t\r]*$/.test(text.slice(prev, start - 1))) break;
    start = prev;
  }
  const blank = /\n[ \t\r]*(?:\n|$)/g;
  blank.lastIndex = at;
  const m = blank.exec(text);
  return [Math.max(start, floor), m ? m.index : text.length];
}

/**
 * Matches the brackets of the paragraphs holding `sites` (the offsets of `](`), innermost
 * first, skipping escapes, code spans and inline HTML; returns the opener of each `]` that is
 * followed by `(`. Only those paragraphs are read: a label cannot cross a blank line.
 */
function openers(
  text: string,
  sites: readonly number[],
  dest: (i: number) => number,
): Map<number, Opener> {
  const out = new Map<number, Opener>();
  const f: Finders = {
    gt: finder(text, '>'),
    dq: finder(text, '"'),
    sq: finder(text, "'"),
    comment: finder(text, '-->'),
  };
  const bracket = finder(text, '[');
  const tick = finder(text, '`');
  const lt = finder(text, '<');
  let done = 0;
  for (const site of sites) {
    if (site < done) continue;
    const [from, to] = paragraphAround(text, site, done);
    done = to;
    const spans = codeSpans(text.slice(from, to), []);
    const stack: Opener[] = [];
    for (let i = from; i < to; i++) {
      // With no label open, only the next `[` matters, unless a code span or a tag hides it.
      if (!stack.length) {
        const j = bracket(i);
        if (j === -1 || j >= to) break;
        const t = tick(i);
        const l = lt(i);
        i = Math.min(j, t === -1 ? j : t, l === -1 ? j : l);
      }
      const c = text.charCodeAt(i);
      if (c === BACKSLASH) {
        if (ASCII_PUNCT.test(text[i + 1] ?? '')) i++;
        continue;
      }
      if (c === 0x60) {
        let e = i;
        while (text.charCodeAt(e) === 0x60) e++;
        const close = spans.get(i - from);
        i = (close === undefined ? e : from + close) - 1;
        continue;
      }
      if (c === 0x3c) {
        const e = inlineHtmlEnd(text, i, Math.min(to, i + 4096), f);
        if (e !== -1) i = e - 1;
        continue;
      }
      if (c === 0x5b) {
        const bang = text.charCodeAt(i - 1) === 0x21 && text.charCodeAt(i - 2) !== BACKSLASH;
        stack.push({ at: i, image: bang });
        // Deeper than any label can be: drop the oldest (linear, whatever the nesting).
        if (stack.length > 2048) stack.splice(0, 1024);
        continue;
      }
      if (c === 0x5d) {
        const o = stack.pop();
        if (o && text.charCodeAt(i + 1) === 0x28) {
          out.set(i, o);
          // The destination is not label text: its brackets match nothing.
          const e = dest(i);
          if (e > i) i = e - 1;
        }
      }
    }
  }
  return out;
}

/**
 * Reads the labels of inline candidates (those with a `bracket`): an image when its `[` follows
 * `!`, a link otherwise, an image still when its `[` is out of sight; the alt text or label,
 * and the whole construct's extent. Changes the candidates in place.
 */
export function resolveLabels(text: string, candidates: readonly Candidate[]): void {
  const inline = candidates.filter((c) => c.bracket !== undefined);
  if (!inline.length) return;
  const dests = new Destinations(text);
  const destEnd = (i: number) => dests.at(i + 2).reduce((e, d) => Math.max(e, d.end), -1);
  const sites = [...new Set(inline.map((c) => c.bracket!))].sort((a, b) => a - b);
  const found = openers(text, sites, destEnd);
  const close = finder(text, ')');
  for (const c of inline) {
    const i = c.bracket!;
    const o = found.get(i);
    const e = close(c.end);
    c.kind = !o || o.image ? 'image' : 'link';
    c.markupStart = o ? o.at - (o.image ? 1 : 0) : i;
    c.markupEnd = e === -1 || e - c.end > 1024 ? c.end : e + 1;
    c.alt = o ? text.slice(o.at + 1, Math.min(i, o.at + 65)) : undefined;
  }
}
