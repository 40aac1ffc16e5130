/**
 * `invisible-unicode`: text a user cannot see but a model or terminal acts on — Unicode tag
 * characters (ASCII smuggling), bidi embedding/override/isolate controls (Trojan Source),
 * zero-width characters between letters, runs of variation selectors, and ANSI/OSC terminal
 * escapes and other control characters. Legitimate emoji sequences (ZWJ families, flag tag
 * sequences, VS16 presentation) are not flagged. Redaction strips the characters.
 */
import { z } from 'zod';
import { collectSpans, defineCheck, PASS } from './types.js';

export const INVISIBLE_KINDS = [
  'tags',
  'bidi',
  'zero_width',
  'variation_selectors',
  'control',
] as const;
type Kind = (typeof INVISIBLE_KINDS)[number];

const BLACK_FLAG = 0x1f3f4;
const CANCEL_TAG = 0xe007f;
const isTag = (c: number) => c >= 0xe0000 && c <= 0xe007f;
const isBidi = (c: number) => (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
const isVS = (c: number) => (c >= 0xfe00 && c <= 0xfe0f) || (c >= 0xe0100 && c <= 0xe01ef);
/** Always-suspicious zero-width characters (ZWJ/ZWNJ are judged by their neighbours). */
const isZW = (c: number) =>
  c === 0x200b || c === 0x2060 || c === 0xfeff || c === 0x180e || (c >= 0x2061 && c <= 0x2064);
const isJoiner = (c: number) => c === 0x200c || c === 0x200d;
const isControl = (c: number) =>
  (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || (c >= 0x7f && c <= 0x9f);
/** Letters of scripts that never need joiners between them. */
const JOINERLESS = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Nd}]/u;
const IDEOGRAPH = /\p{Ideographic}/u;

const params = z.strictObject({
  /** Which kinds to flag (default: all). */
  kinds: z
    .array(z.enum(INVISIBLE_KINDS))
    .min(1)
    .default([...INVISIBLE_KINDS]),
});

/** The BMP code points this check may flag, as a character-class body. */
const BMP_SUSPECT =
  '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u180e\\u200b-\\u200d\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufe00-\\ufe0f\\ufeff';

/**
 * Any character this check may flag; text without one is clean (the common, fast case).
 * Not a `u` regex (those are slower): tags and supplementary selectors are \uDB40 pairs.
 */
// eslint-disable-next-line no-misleading-character-class -- these code points are what the check looks for
const SUSPECT = new RegExp(`[${BMP_SUSPECT}]|\\uDB40[\\uDC00-\\uDC7F\\uDD00-\\uDDEF]`);

/** An ordinary character: a run of suspect characters before it is complete. */
// eslint-disable-next-line no-misleading-character-class -- these code points are what the check looks for
const SETTLED = new RegExp(`[^${BMP_SUSPECT}\\uDB40\\uDC00-\\uDFFF]`);

/** An ANSI CSI (ESC [ … final) or OSC (ESC ] … BEL or ESC \) sequence, at most ~4 KB. */
const ESCAPE =
  // eslint-disable-next-line no-control-regex -- ANSI escapes are what the check looks for
  /\u001b(?:\[[0-?]{0,4093}[ -/]{0,4093}[@-~]|\][^\u0007\u001b]{0,4094}(?:\u0007|\u001b\\)?)/y;

/** Whether the UTF-16 unit at `i` starts a character this check may flag (as SUSPECT). */
function suspectAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c >= 0x20 && c < 0x7f) return false;
  if (c < 0x20) return c !== 0x09 && c !== 0x0a && c !== 0x0d;
  if (c <= 0x9f) return true;
  if (c === 0xdb40) {
    const d = text.charCodeAt(i + 1);
    return (d >= 0xdc00 && d <= 0xdc7f) || (d >= 0xdd00 && d <= 0xddef);
  }
  return (
    c === 0x180e ||
    (c >= 0x200b && c <= 0x200d) ||
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2060 && c <= 0x2064) ||
    (c >= 0x2066 && c <= 0x2069) ||
    (c >= 0xfe00 && c <= 0xfe0f) ||
    c === 0xfeff
  );
}

/** Memoised `re.test` on one code point (the tests run per joiner and selector: hot). */
function classOf(re: RegExp): (c: number) => boolean {
  const seen = new Map<number, boolean>();
  return (c) => {
    if (c < 0) return false;
    let v = seen.get(c);
    if (v === undefined) seen.set(c, (v = re.test(String.fromCodePoint(c))));
    return v;
  };
}
const isJoinerless = classOf(JOINERLESS);
const isIdeograph = classOf(IDEOGRAPH);

/**
 * Spans of invisible characters in `text` (redaction strips them): each suspect character,
 * judged by the code points around it. Linear; clean text costs one regex test.
 */
export function findInvisible(
  text: string,
  kinds: ReadonlySet<Kind>,
): { kind: Kind; start: number; end: number; replace: '' }[] {
  const out: { kind: Kind; start: number; end: number; replace: '' }[] = [];
  if (!SUSPECT.test(text)) return out;
  const n = text.length;
  const cp = (i: number) => (i >= 0 && i < n ? text.codePointAt(i)! : -1);
  const after = (i: number) => i + (cp(i) > 0xffff ? 2 : 1);
  /** The start of the code point before `i` (a lone surrogate is one code point). */
  const before = (i: number) => {
    const lo = text.charCodeAt(i - 1);
    const hi = text.charCodeAt(i - 2);
    return lo >= 0xdc00 && lo <= 0xdfff && hi >= 0xd800 && hi <= 0xdbff ? i - 2 : i - 1;
  };
  const push = (kind: Kind, start: number, end: number) => {
    if (!kinds.has(kind)) return;
    const last = out.at(-1);
    if (last && last.kind === kind && last.end === start) last.end = end;
    else out.push({ kind, start, end, replace: '' });
  };

  for (let i = text.search(SUSPECT); i !== -1 && i < n;) {
    if (!suspectAt(text, i)) {
      i++;
      continue;
    }
    const c = cp(i);
    let next = after(i);
    const p = i > 0 ? before(i) : -1;
    const prev = cp(p);
    if (isTag(c) && prev === BLACK_FLAG) {
      // A flag tag sequence: black flag, 2 to 7 tag letters/digits, cancel tag.
      let j = i;
      while (j < n && isTag(cp(j)) && cp(j) !== CANCEL_TAG) j = after(j);
      const letters = (j - i) / 2;
      const cancelled = cp(j) === CANCEL_TAG;
      const end = cancelled ? after(j) : j;
      if (!(cancelled && letters >= 2 && letters <= 7)) push('tags', i, end);
      next = end;
    } else if (c === 0x1b && kinds.has('control')) {
      ESCAPE.lastIndex = i;
      push('control', i, ESCAPE.test(text) ? ESCAPE.lastIndex : next);
      next = Math.max(next, ESCAPE.lastIndex);
    } else if (isTag(c)) push('tags', i, next);
    else if (isBidi(c)) push('bidi', i, next);
    else if (isControl(c)) push('control', i, next);
    else if (isZW(c)) {
      if (!(c === 0xfeff && i === 0)) push('zero_width', i, next);
    } else if (isJoiner(c)) {
      const following = cp(next);
      const run = isJoiner(prev) || isJoiner(following);
      if (run || (isJoinerless(prev) && isJoinerless(following))) push('zero_width', i, next);
    } else if (isVS(c)) {
      const run = isVS(prev) || isVS(cp(next));
      const supplementary = c >= 0xe0100 && !isIdeograph(prev);
      if (run || supplementary || i === 0 || prev === 0x20 || prev === 0x0a)
        push('variation_selectors', i, next);
    }
    i = next;
  }
  return out;
}

export const invisibleUnicodeCheck = defineCheck({
  id: 'invisible-unicode',
  summary:
    'Unicode tag characters, bidi controls, zero-width characters between letters, variation-selector runs, ANSI/OSC escapes; legitimate emoji sequences pass. Redaction strips them.',
  params,
  actions: ['block', 'redact', 'flag'],
  create(p) {
    const kinds = new Set(p.kinds);
    return {
      // Each suspect character is judged with its neighbours; a run is settled once an
      // ordinary character follows it.
      stream: { triggers: [{ text: SUSPECT, lead: 0, maxSpan: 4096, settle: SETTLED }] },
      evaluate(input) {
        // Redaction strips the characters (`replace: ''`).
        const { spans, kinds: found } = collectSpans(input, (text) => findInvisible(text, kinds));
        return spans.length
          ? {
              status: 'fail',
              spans,
              detail: `${spans.length} run(s) of invisible characters (${[...found].join(', ')})`,
            }
          : PASS;
      },
    };
  },
});
