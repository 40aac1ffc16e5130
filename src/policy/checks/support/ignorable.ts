/**
 * Unicode's Default_Ignorable_Code_Point set (soft hyphen, zero-width and bidi marks, fillers,
 * variation selectors, tag characters, …), derived from the engine's Unicode data, and the
 * "skeleton" detectors read: the text without those characters, with a map back to the
 * original offsets, so an invisible character inside a key does not hide it.
 */

const DI = /\p{Default_Ignorable_Code_Point}/u;

/** The set as code-point ranges. Unicode assigns it only in planes 0, 1 and 14. */
export const IGNORABLE_RANGES: readonly (readonly [number, number])[] = (() => {
  const out: [number, number][] = [];
  let s = -1;
  const scan = (from: number, to: number) => {
    for (let c = from; c <= to; c++) {
      const y = !(c >= 0xd800 && c <= 0xdfff) && DI.test(String.fromCodePoint(c));
      if (y && s < 0) s = c;
      if ((!y || c === to) && s >= 0) {
        out.push([s, y ? c : c - 1]);
        s = -1;
      }
    }
  };
  scan(0, 0x1ffff);
  scan(0xe0000, 0xeffff);
  return out;
})();

const hex = (c: number) => `\\u${c.toString(16).padStart(4, '0')}`;

/**
 * A regex source (no `u` flag: UTF-16 units, surrogate pairs spelled out) matching one code
 * point of `ranges`: such sources combine with the stream gate's other trigger patterns.
 */
export function utf16Class(ranges: readonly (readonly [number, number])[]): string {
  const bmp: string[] = [];
  const pairs: string[] = [];
  for (const [a, b] of ranges) {
    if (a <= 0xffff)
      bmp.push(a === Math.min(b, 0xffff) ? hex(a) : `${hex(a)}-${hex(Math.min(b, 0xffff))}`);
    for (let lo = Math.max(a, 0x10000); lo <= b;) {
      const hi = Math.min(b, lo | 0x3ff);
      const h = 0xd800 + ((lo - 0x10000) >> 10);
      const l1 = 0xdc00 + ((lo - 0x10000) & 0x3ff);
      const l2 = 0xdc00 + ((hi - 0x10000) & 0x3ff);
      pairs.push(`${hex(h)}[${hex(l1)}-${hex(l2)}]`);
      lo = hi + 1;
    }
  }
  return [bmp.length ? `[${bmp.join('')}]` : '', ...pairs].filter(Boolean).join('|');
}

/** One Default_Ignorable code point (UTF-16 source, see `utf16Class`). */
export const IGNORABLE_SOURCE = utf16Class(IGNORABLE_RANGES);
const ANY = new RegExp(IGNORABLE_SOURCE);
const ALL = new RegExp(IGNORABLE_SOURCE, 'g');

/** Whether code point `c` is Default_Ignorable. */
export function isIgnorable(c: number): boolean {
  let lo = 0;
  let hi = IGNORABLE_RANGES.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = IGNORABLE_RANGES[mid]!;
    if (c < a) hi = mid - 1;
    else if (c > b) lo = mid + 1;
    else return true;
  }
  return false;
}

export interface Skeleton {
  /** The text without Default_Ignorable code points. */
  text: string;
  /** Original offset of each skeleton offset (length + 1: the last entry is the original length); undefined when nothing was removed. */
  map: Uint32Array | undefined;
}

/** The last skeleton computed: the checks of one evaluation each read the same text's. */
let last: Skeleton = { text: '', map: undefined };
let lastOf = '';

/**
 * The skeleton of `text`; linear, and clean text costs one regex test. The result is shared
 * with the next caller that asks for the same text: read it, never change it.
 */
export function skeleton(text: string): Skeleton {
  if (text === lastOf) return last;
  lastOf = text;
  return (last = computeSkeleton(text));
}

function computeSkeleton(text: string): Skeleton {
  if (!ANY.test(text)) return { text, map: undefined };
  const parts: string[] = [];
  const map: number[] = [];
  let at = 0;
  ALL.lastIndex = 0;
  for (let m = ALL.exec(text); m; m = ALL.exec(text)) {
    if (m.index > at) {
      parts.push(text.slice(at, m.index));
      for (let i = at; i < m.index; i++) map.push(i);
    }
    at = m.index + m[0].length;
  }
  parts.push(text.slice(at));
  for (let i = at; i < text.length; i++) map.push(i);
  map.push(text.length);
  return { text: parts.join(''), map: Uint32Array.from(map) };
}

/**
 * The original span of skeleton span [start, end): from its first character to just after its
 * last, so the invisible characters inside it are covered too.
 */
export function originalSpan(sk: Skeleton, start: number, end: number): [number, number] {
  const map = sk.map;
  if (!map) return [start, end];
  if (end <= start) return [map[start]!, map[start]!];
  return [map[start]!, map[end - 1]! + 1];
}

/** Runs `find` on the skeleton of `text` and maps its spans back to `text`. */
export function onSkeleton<F extends { start: number; end: number }>(
  text: string,
  find: (text: string) => readonly F[],
): F[] {
  const sk = skeleton(text);
  const found = find(sk.text);
  if (!sk.map) return found as F[];
  return found.map((f) => {
    const [start, end] = originalSpan(sk, f.start, f.end);
    return { ...f, start, end };
  });
}
