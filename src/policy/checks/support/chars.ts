/** Character classes as functions of a UTF-16 code unit or code point, for hand-written scanners. */

/** The first half of a surrogate pair: a boundary after it would split a character. */
export function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/** JavaScript's `\s`. */
export function isSpace(c: number): boolean {
  return (
    c === 0x20 ||
    (c >= 0x09 && c <= 0x0d) ||
    (c >= 0xa0 &&
      (c === 0xa0 ||
        c === 0x1680 ||
        (c >= 0x2000 && c <= 0x200a) ||
        c === 0x2028 ||
        c === 0x2029 ||
        c === 0x202f ||
        c === 0x205f ||
        c === 0x3000 ||
        c === 0xfeff))
  );
}

const LETTER_OR_NUMBER = /^[\p{L}\p{N}]$/u;
/** Per BMP code point: 0 not yet known, 1 no, 2 yes. */
const bmp = new Uint8Array(0x10000);
const astral = new Map<number, boolean>();

/** `[\p{L}\p{N}]` for a code point (memoised: the Unicode tables are the slow part). */
export function isLetterOrNumber(c: number): boolean {
  if (c < 0x80) return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
  if (c < 0x10000) {
    let v = bmp[c]!;
    if (v === 0) bmp[c] = v = LETTER_OR_NUMBER.test(String.fromCharCode(c)) ? 2 : 1;
    return v === 2;
  }
  let v = astral.get(c);
  if (v === undefined) astral.set(c, (v = LETTER_OR_NUMBER.test(String.fromCodePoint(c))));
  return v;
}
