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

/** Spans of invisible characters in `text`. */
export function findInvisible(
  text: string,
  kinds: ReadonlySet<Kind>,
): { kind: Kind; start: number; end: number }[] {
  if (!SUSPECT.test(text)) return [];
  const from = 0;
  const to = text.length;
  const cps: { c: number; at: number }[] = [];
  for (let i = from; i < to;) {
    const c = text.codePointAt(i)!;
    cps.push({ c, at: i });
    i += c > 0xffff ? 2 : 1;
  }
  const out: { kind: Kind; start: number; end: number }[] = [];
  const end = (k: number) => (k + 1 < cps.length ? cps[k + 1]!.at : to);
  const ch = (k: number) => (k >= 0 && k < cps.length ? String.fromCodePoint(cps[k]!.c) : '');
  const push = (kind: Kind, a: number, b: number) => {
    if (!kinds.has(kind)) return;
    const last = out.at(-1);
    if (last && last.kind === kind && last.end === cps[a]!.at) last.end = end(b);
    else out.push({ kind, start: cps[a]!.at, end: end(b) });
  };

  for (let k = 0; k < cps.length; k++) {
    const c = cps[k]!.c;
    if (c === BLACK_FLAG && isTag(cps[k + 1]?.c ?? 0)) {
      // A flag tag sequence: black flag, tag letters/digits, cancel tag.
      let j = k + 1;
      while (j < cps.length && isTag(cps[j]!.c) && cps[j]!.c !== CANCEL_TAG) j++;
      const valid = j < cps.length && cps[j]!.c === CANCEL_TAG && j - k - 1 >= 2 && j - k - 1 <= 7;
      if (!valid) push('tags', k + 1, Math.min(j, cps.length - 1));
      k = Math.min(j, cps.length - 1);
      continue;
    }
    if (c === 0x1b && kinds.has('control')) {
      // A whole ANSI CSI (ESC [ … final) or OSC (ESC ] … BEL or ESC \\) sequence.
      const rest = text.slice(cps[k]!.at, cps[k]!.at + 4096);
      // eslint-disable-next-line no-control-regex -- ANSI escapes are what the check looks for
      const m = /^\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?)/.exec(rest);
      let j = k;
      if (m) while (j + 1 < cps.length && cps[j + 1]!.at < cps[k]!.at + m[0].length) j++;
      push('control', k, j);
      k = j;
      continue;
    }
    if (isTag(c)) push('tags', k, k);
    else if (isBidi(c)) push('bidi', k, k);
    else if (isControl(c)) push('control', k, k);
    else if (isZW(c)) {
      if (!(c === 0xfeff && k === 0)) push('zero_width', k, k);
    } else if (isJoiner(c)) {
      const run = isJoiner(cps[k - 1]?.c ?? 0) || isJoiner(cps[k + 1]?.c ?? 0);
      if (run || (JOINERLESS.test(ch(k - 1)) && JOINERLESS.test(ch(k + 1))))
        push('zero_width', k, k);
    } else if (isVS(c)) {
      const prev = cps[k - 1]?.c ?? 0;
      const run = isVS(prev) || isVS(cps[k + 1]?.c ?? 0);
      const supplementary = c >= 0xe0100 && !IDEOGRAPH.test(ch(k - 1));
      if (run || supplementary || k === 0 || prev === 0x20 || prev === 0x0a)
        push('variation_selectors', k, k);
    }
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
        const { spans, kinds: found } = collectSpans(input, (text) =>
          findInvisible(text, kinds).map((f) => ({ ...f, replace: '' })),
        );
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
