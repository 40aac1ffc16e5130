/**
 * `invisible-unicode`: text a user cannot see but a model or terminal acts on — every
 * Default_Ignorable_Code_Point (Unicode's own set, read from the engine's Unicode data: tag
 * characters, bidi controls and marks, zero-width characters, soft hyphen, Hangul fillers,
 * variation selectors, …), and ANSI/OSC terminal escapes and other control characters. Those
 * with a legitimate use where they stand pass: emoji sequences (ZWJ families, flag tag
 * sequences, VS16 presentation), ZWJ/ZWNJ between letters of joining scripts (Persian, Indic),
 * LRM/RLM/ALM by right-to-left text or among digits, Mongolian variation selectors after
 * Mongolian letters, Hangul fillers in jamo sequences. Terminal control functions are taken
 * whole, as ECMA-48 defines them (CSI, OSC, DCS, SOS, PM, APC, other escapes, 8-bit C1: see
 * `support/terminal.ts`), and a carriage return that does not end a line (`safe\rmalicious`:
 * on a terminal the text after it overwrites the text before it) is its own kind. Redaction
 * strips the characters and sequences, and turns such a carriage return into a line feed.
 */
import { z } from 'zod';
import { collectSpans, defineCheck, PASS } from './types.js';
import { IGNORABLE_RANGES, IGNORABLE_SOURCE, isIgnorable } from './support/ignorable.js';
import { carriageReturnAt, sequenceAt } from './support/terminal.js';

export const INVISIBLE_KINDS = [
  'tags',
  'bidi',
  'zero_width',
  'variation_selectors',
  'control',
  'overwrite',
] as const;
type Kind = (typeof INVISIBLE_KINDS)[number];

const BLACK_FLAG = 0x1f3f4;
const CANCEL_TAG = 0xe007f;
/** Tag characters, and the unassigned Default_Ignorable code points of plane 14. */
const isTag = (c: number) => (c >= 0xe0000 && c <= 0xe00ff) || (c >= 0xe01f0 && c <= 0xe0fff);
const isFlagTag = (c: number) => c >= 0xe0020 && c <= 0xe007f;
/** Bidi marks (LRM, RLM, ALM): legitimate next to right-to-left text. */
const isMark = (c: number) => c === 0x200e || c === 0x200f || c === 0x061c;
/** Mongolian free variation selectors: legitimate after Mongolian letters. */
const isFVS = (c: number) => (c >= 0x180b && c <= 0x180d) || c === 0x180f;
/** Hangul choseong/jungseong fillers: legitimate inside a conjoining jamo sequence. */
const isJamoFiller = (c: number) => c === 0x115f || c === 0x1160;
const isJamo = (c: number) =>
  (c >= 0x1100 && c <= 0x11ff) || (c >= 0xa960 && c <= 0xa97f) || (c >= 0xd7b0 && c <= 0xd7ff);
const isBidi = (c: number) => (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
const isVS = (c: number) => (c >= 0xfe00 && c <= 0xfe0f) || (c >= 0xe0100 && c <= 0xe01ef);
const isJoiner = (c: number) => c === 0x200c || c === 0x200d;
const isControl = (c: number) =>
  (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || (c >= 0x7f && c <= 0x9f);
/** Letters of scripts that never need joiners between them. */
const JOINERLESS = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Nd}]/u;
const IDEOGRAPH = /\p{Ideographic}/u;
const RTL =
  /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}\p{Script=Hanifi_Rohingya}\p{Script=Yezidi}]/u;
const MONGOLIAN = /\p{Script=Mongolian}/u;
/** A character with no direction of its own (spaces, digits, punctuation). */
const NEUTRAL = /[\s\p{N}\p{P}\p{S}]/u;

const params = z.strictObject({
  /**
   * Which kinds to flag (default: all): `tags` (plane-14 tag characters outside emoji flag
   * sequences), `bidi` (embedding/override/isolate controls; LRM/RLM/ALM away from
   * right-to-left text), `zero_width` (zero-width and other invisible characters, fillers),
   * `variation_selectors` (runs and misplaced selectors), `control` (C0/C1 control characters
   * and whole ECMA-48 sequences: CSI colours and cursor moves, OSC titles, OSC 8 hyperlinks and
   * OSC 52 clipboard writes, DCS, SOS/PM/APC strings, 7- and 8-bit forms), `overwrite` (a
   * carriage return followed by text on the same line, which a terminal prints over the line;
   * CR LF line ends pass; redaction turns it into a line feed).
   */
  kinds: z
    .array(z.enum(INVISIBLE_KINDS))
    .min(1)
    .default([...INVISIBLE_KINDS]),
});

/** Control characters this check may flag, as a character-class body. */
const CONTROL = '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f';
/** The BMP Default_Ignorable code points, as a character-class body. */
const BMP_IGNORABLE = IGNORABLE_RANGES.filter(([a]) => a <= 0xffff)
  .map(([a, b]) => `\\u${hex4(a)}-\\u${hex4(Math.min(b, 0xffff))}`)
  .join('');

function hex4(c: number): string {
  return c.toString(16).padStart(4, '0');
}

/**
 * Any character this check may flag (a control character, a carriage return or any
 * Default_Ignorable code point); text without one is clean (the common, fast case). Not a `u`
 * regex (those are slower, and the stream gate combines trigger sources without flags).
 */
const SUSPECT = new RegExp(`[${CONTROL}\\r]|${IGNORABLE_SOURCE}`);
/** The same, to jump from one suspect character to the next. */
const NEXT_SUSPECT = new RegExp(SUSPECT.source, 'g');
/** A suspect character other than CR: text with CRs alone (CRLF line ends) takes a short path. */
const SUSPECT_BUT_CR = new RegExp(`[${CONTROL}]|${IGNORABLE_SOURCE}`);

/**
 * An ordinary character: a run of suspect characters before it is complete. Not CR: whether a
 * run of carriage returns overwrites depends on what follows the run (LF or text).
 */
const SETTLED = new RegExp(`[^${CONTROL}\\r${BMP_IGNORABLE}\\ud800-\\udfff]`);

/** Whether the code point at `i` is one this check may flag (as SUSPECT). */
function suspectAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c >= 0x20 && c < 0x7f) return false;
  if (c < 0x20) return c !== 0x09 && c !== 0x0a;
  if (c <= 0x9f) return true;
  return isIgnorable(text.codePointAt(i)!);
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
const isRtl = classOf(RTL);
const isMongolian = classOf(MONGOLIAN);
const isNeutral = classOf(NEUTRAL);

/**
 * Spans of invisible characters in `text` (redaction strips them): each suspect character,
 * judged by the code points around it. Linear; clean text costs one regex test.
 */
export function findInvisible(
  text: string,
  kinds: ReadonlySet<Kind>,
): { kind: Kind; start: number; end: number; replace: '' | '\n' }[] {
  const out: { kind: Kind; start: number; end: number; replace: '' | '\n' }[] = [];
  if (!SUSPECT.test(text)) return out;
  if (!SUSPECT_BUT_CR.test(text)) {
    if (!kinds.has('overwrite')) return out;
    for (let i = text.indexOf('\r'); i !== -1;) {
      if (text.charCodeAt(i + 1) === 0x0a) {
        i = text.indexOf('\r', i + 2); // CR LF: a line end
        continue;
      }
      const cr = carriageReturnAt(text, i);
      if (cr.overwrites) out.push({ kind: 'overwrite', start: i, end: cr.end, replace: '\n' });
      i = text.indexOf('\r', cr.end);
    }
    return out;
  }
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
    if (last && last.kind === kind && last.end === start && kind !== 'overwrite') last.end = end;
    else out.push({ kind, start, end, replace: kind === 'overwrite' ? '\n' : '' });
  };

  /**
   * Whether a bidi mark at [i, next) has a use: right-to-left letters within 32 code points of
   * it, or no directional character within 8 on either side (a mark among digits and
   * punctuation, as CLDR formats numbers and dates for right-to-left locales).
   */
  const nearRtl = (i: number, next: number) => {
    const strong = (c: number) => c >= 0 && !isNeutral(c) && !isIgnorable(c);
    let seen = false;
    let k = i;
    for (let s = 0; s < 32 && k > 0; s++) {
      k = before(k);
      const c = cp(k);
      if (isRtl(c) && !isIgnorable(c)) return true;
      if (s < 8 && strong(c)) seen = true;
    }
    k = next;
    for (let s = 0; s < 32 && k < n; s++) {
      const c = cp(k);
      if (isRtl(c) && !isIgnorable(c)) return true;
      if (s < 8 && strong(c)) seen = true;
      k = after(k);
    }
    return !seen;
  };
  for (let i = text.search(SUSPECT); i !== -1 && i < n;) {
    if (text.charCodeAt(i) === 0x0d) {
      // A run of carriage returns: one line feed in its place when it overwrites.
      const cr = carriageReturnAt(text, i);
      if (cr.overwrites) push('overwrite', i, cr.end);
      i = cr.end;
      continue;
    }
    if (!suspectAt(text, i)) {
      // One ordinary character between suspects (`a\u200db\u200d…`) is stepped over; a run of
      // them is jumped with the regex.
      if (++i < n && !suspectAt(text, i)) {
        NEXT_SUSPECT.lastIndex = i;
        i = NEXT_SUSPECT.exec(text)?.index ?? n;
      }
      continue;
    }
    const c = cp(i);
    let next = after(i);
    const p = i > 0 ? before(i) : -1;
    const prev = cp(p);
    if (isTag(c) && prev === BLACK_FLAG) {
      // A flag tag sequence: black flag, 2 to 7 tag letters/digits, cancel tag.
      let j = i;
      while (j < n && isFlagTag(cp(j)) && cp(j) !== CANCEL_TAG) j = after(j);
      const letters = (j - i) / 2;
      const cancelled = cp(j) === CANCEL_TAG;
      const end = cancelled ? after(j) : j;
      if (!(cancelled && letters >= 2 && letters <= 7)) push('tags', i, end);
      next = end;
    } else if ((c === 0x1b || (c >= 0x80 && c <= 0x9f)) && kinds.has('control')) {
      // A whole ECMA-48 sequence: its parameters and strings are as hidden as its introducer.
      next = sequenceAt(text, i).end;
      push('control', i, next);
    } else if (isTag(c)) push('tags', i, next);
    else if (isBidi(c)) push('bidi', i, next);
    else if (isMark(c)) {
      if (!nearRtl(i, next)) push('bidi', i, next);
    } else if (isFVS(c)) {
      if (!isMongolian(prev) && !isFVS(prev)) push('variation_selectors', i, next);
    } else if (isJamoFiller(c)) {
      if (!isJamo(prev) && !isJamo(cp(next)) && !isJamoFiller(cp(next)))
        push('zero_width', i, next);
      else if (isControl(c)) push('control', i, next);
    } else if (isJoiner(c)) {
      const following = cp(next);
      const run = isJoiner(prev) || isJoiner(following);
      if (run || (isJoinerless(prev) && isJoinerless(following))) push('zero_width', i, next);
    } else if (isVS(c)) {
      const run = isVS(prev) || isVS(cp(next));
      const supplementary = c >= 0xe0100 && !isIdeograph(prev);
      if (run || supplementary || i === 0 || prev === 0x20 || prev === 0x0a)
        push('variation_selectors', i, next);
    } else if (isControl(c)) push('control', i, next);
    else if (!(c === 0xfeff && i === 0)) push('zero_width', i, next);
    i = next;
  }
  return out;
}

export const invisibleUnicodeCheck = defineCheck({
  id: 'invisible-unicode',
  summary:
    "Unicode's Default_Ignorable code points (tag characters, bidi controls and marks, zero-width characters, soft hyphens, fillers, variation-selector runs), control characters and whole ECMA-48 terminal sequences (CSI, OSC incl. hyperlinks and clipboard writes, DCS, SOS/PM/APC, 8-bit C1), and carriage returns that overwrite a line; emoji sequences, joiners in joining scripts and bidi marks by right-to-left text pass. Redaction strips them (an overwriting CR becomes a line feed).",
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
