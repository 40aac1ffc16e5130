/**
 * ECMA-48 (ISO/IEC 6429) control functions as a terminal reads them: where a sequence that
 * starts with ESC or an 8-bit C1 code point ends, and what it is. A terminal acts on all of
 * them and shows none: CSI moves the cursor, erases and recolours; OSC sets titles, writes the
 * clipboard (OSC 52) and makes hyperlinks (OSC 8); DCS, SOS, PM and APC carry strings the
 * terminal (or tmux, or an image protocol) consumes.
 *
 * The grammar (ECMA-48 5th ed., §5.3–5.6, §8.3): CSI = ESC [ or U+009B, parameter bytes
 * 0x30–0x3F, intermediate bytes 0x20–0x2F, one final byte 0x40–0x7E. Control strings = OSC
 * (ESC ] / U+009D), DCS (ESC P / U+0090), SOS (ESC X / U+0098), PM (ESC ^ / U+009E), APC
 * (ESC _ / U+009F), up to ST (ESC \ / U+009C); xterm also ends OSC with BEL, and CAN/SUB
 * abort any of them. Other escapes: ESC + intermediates + final (nF: character-set
 * designations), ESC + 0x30–0x3F (Fp: save/restore cursor), 0x40–0x5F (Fe: the 7-bit form of
 * a C1 control), 0x60–0x7E (Fs: reset).
 */

/** What a sequence is, for details and finer policies. */
export type SequenceKind = 'csi' | 'osc' | 'dcs' | 'sos' | 'pm' | 'apc' | 'escape' | 'c1';

/**
 * The longest sequence taken whole. An unterminated string swallows the rest of the output in
 * a terminal; past this bound the remainder is ordinary text again here (its introducer is
 * still found, and redaction removes it, which defuses the rest).
 */
export const MAX_SEQUENCE = 4096;

const ESC = 0x1b;
const BEL = 0x07;
const CAN = 0x18;
const SUB = 0x1a;
const ST8 = 0x9c;

/** The string introduced by a 7-bit ESC + this byte, or an 8-bit code point. */
const STRING_AFTER_ESC: Readonly<Record<number, SequenceKind>> = {
  0x5d: 'osc', // ]
  0x50: 'dcs', // P
  0x58: 'sos', // X
  0x5e: 'pm', // ^
  0x5f: 'apc', // _
};
const STRING_C1: Readonly<Record<number, SequenceKind>> = {
  0x9d: 'osc',
  0x90: 'dcs',
  0x98: 'sos',
  0x9e: 'pm',
  0x9f: 'apc',
};

export interface Sequence {
  kind: SequenceKind;
  /** End (exclusive) of the sequence; at least one past its introducer. */
  end: number;
}

/**
 * The sequence starting at `i`, which holds ESC (U+001B) or a C1 code point (U+0080–U+009F).
 * Linear in the sequence's length, which is at most `MAX_SEQUENCE`.
 */
export function sequenceAt(text: string, i: number): Sequence {
  const c = text.charCodeAt(i);
  const limit = Math.min(text.length, i + MAX_SEQUENCE);
  if (c !== ESC) {
    if (c === 0x9b) return { kind: 'csi', end: csiEnd(text, i + 1, limit) };
    const s = STRING_C1[c];
    return s ? { kind: s, end: stringEnd(text, i + 1, limit) } : { kind: 'c1', end: i + 1 };
  }
  const b = text.charCodeAt(i + 1); // NaN at the end: no range below matches
  if (b === 0x5b) return { kind: 'csi', end: csiEnd(text, i + 2, limit) };
  const s = STRING_AFTER_ESC[b];
  if (s) return { kind: s, end: stringEnd(text, i + 2, limit) };
  if (b >= 0x20 && b <= 0x2f) {
    // nF: intermediates, then a final 0x30–0x7E.
    let j = i + 2;
    while (j < limit && inRange(text.charCodeAt(j), 0x20, 0x2f)) j++;
    if (j < limit && inRange(text.charCodeAt(j), 0x30, 0x7e)) j++;
    return { kind: 'escape', end: j };
  }
  if (b >= 0x30 && b <= 0x7e) return { kind: 'escape', end: i + 2 };
  return { kind: 'escape', end: i + 1 };
}

const inRange = (c: number, a: number, b: number) => c >= a && c <= b;

/** Parameters, intermediates and a final byte from `j`; a sequence cut short ends where it stops. */
function csiEnd(text: string, j: number, limit: number): number {
  while (j < limit && inRange(text.charCodeAt(j), 0x30, 0x3f)) j++;
  while (j < limit && inRange(text.charCodeAt(j), 0x20, 0x2f)) j++;
  if (j < limit && inRange(text.charCodeAt(j), 0x40, 0x7e)) j++;
  return j;
}

/**
 * A control string's end from `j`: after its terminator (ST, BEL, CAN, SUB), before an ESC that
 * starts another sequence, or at `limit` when unterminated.
 */
function stringEnd(text: string, j: number, limit: number): number {
  for (; j < limit; j++) {
    const c = text.charCodeAt(j);
    if (c === BEL || c === CAN || c === SUB || c === ST8) return j + 1;
    if (c === ESC) return text.charCodeAt(j + 1) === 0x5c && j + 1 < limit ? j + 2 : j;
  }
  return j;
}

/**
 * The run of carriage returns starting at `i`, and whether it overwrites a line: a run of CR
 * followed by anything but LF (CR LF and CR CR LF end lines) moves the cursor back over what
 * the line shows, so the text after it replaces the text before it on a terminal. A run at the
 * end of the text overwrites nothing yet; a run right after LF has nothing to overwrite.
 */
export function carriageReturnAt(text: string, i: number): { end: number; overwrites: boolean } {
  let end = i;
  while (text.charCodeAt(end) === 0x0d) end++;
  const overwrites =
    end < text.length &&
    text.charCodeAt(end) !== 0x0a &&
    !(i > 0 && text.charCodeAt(i - 1) === 0x0a);
  return { end, overwrites };
}
