import { describe, expect, it } from 'vitest';
import { findInvisible, INVISIBLE_KINDS } from '../../../src/policy/checks/invisible-unicode.js';
import { findPii } from '../../../src/policy/checks/pii.js';
import { findSecrets } from '../../../src/policy/checks/secrets.js';
import { detectors } from '../../../src/policy/checks/secrets/detectors.js';
import {
  IGNORABLE_RANGES,
  isIgnorable,
  skeleton,
} from '../../../src/policy/checks/support/ignorable.js';

const FILLERS: [string, string][] = [
  ['U+200B zero width space', '\u200b'],
  ['U+00AD soft hyphen', '\u00ad'],
  ['U+200E left-to-right mark', '\u200e'],
  ['U+200F right-to-left mark', '\u200f'],
  ['U+034F combining grapheme joiner', '\u034f'],
  ['U+3164 Hangul filler', '\u3164'],
  ['U+2060 word joiner', '\u2060'],
  ['U+FEFF zero width no-break space', '\ufeff'],
  ['tag characters', '\u{e0041}\u{e0042}'],
  ['U+200C zero width non-joiner', '\u200c'],
  ['U+180E Mongolian vowel separator', '\u180e'],
];

const KEYS: [string, string, string][] = [
  ['aws-access-key-id', 'AKIAZ7QX3MPLW5N2RTVB', 'the key AKIAZ7QX3MPLW5N2RTVB for you'],
  [
    'github-token',
    'ghp_8fK2mQ9xLr4TzW7vNc1Yb6HjD3sPa0EuGi5o',
    'token: ghp_8fK2mQ9xLr4TzW7vNc1Yb6HjD3sPa0EuGi5o, keep it',
  ],
  [
    'openai-key',
    'sk-proj-Xy7Qm2Lp9Rt4Wv8ZbN3cT3BlbkFJk5Hs1Df6Gj0Ka2Qw',
    'use sk-proj-Xy7Qm2Lp9Rt4Wv8ZbN3cT3BlbkFJk5Hs1Df6Gj0Ka2Qw here',
  ],
];

/** `key` with `filler` after its 2nd character, in the middle and before its last. */
const hide = (key: string, filler: string) => {
  const m = key.length >> 1;
  return (
    key.slice(0, 2) + filler + key.slice(2, m) + filler + key.slice(m, -1) + filler + key.slice(-1)
  );
};

describe('Default_Ignorable skeleton', () => {
  it('derives the set from Unicode data', () => {
    for (const c of [0xad, 0x34f, 0x61c, 0x115f, 0x180b, 0x200b, 0x200f, 0x2060, 0x3164, 0xfeff])
      expect(isIgnorable(c)).toBe(true);
    for (const c of [0x41, 0x20, 0x0a, 0x5d0, 0x1f600]) expect(isIgnorable(c)).toBe(false);
    expect(isIgnorable(0xe0041)).toBe(true);
    expect(IGNORABLE_RANGES.at(-1)).toEqual([0xe0000, 0xe0fff]);
  });

  it('maps the skeleton back to the original', () => {
    const sk = skeleton('a\u200bb\u{e0041}c');
    expect(sk.text).toBe('abc');
    expect([...sk.map!]).toEqual([0, 2, 5, 6]);
    expect(skeleton('plain').map).toBeUndefined();
  });
});

describe('an invisible character inside a key does not hide it', () => {
  const all = new Set(detectors);
  const cases = KEYS.flatMap(([id, key, around]) =>
    FILLERS.map(([name, f]) => [id, name, key, around, f] as const),
  );
  it.each(cases)('%s with %s: detected, span covers the key', (id, _n, key, around, f) => {
    const text = around.replace(key, hide(key, f));
    const start = around.indexOf(key);
    const end = start + hide(key, f).length;
    const found = findSecrets(text, [...all], new Set());
    expect(found).toContainEqual({ detector: id, start, end });
    expect(findInvisible(text, new Set(INVISIBLE_KINDS)).length).toBeGreaterThan(0);
  });

  it('finds personal data through invisible characters', () => {
    const text = 'mail ali\u200bce@exam\u00adple.de now';
    expect(findPii(text, ['email'])).toEqual([{ type: 'email', start: 5, end: 23 }]);
  });
});

describe('invisible-unicode covers Default_Ignorable_Code_Point', () => {
  const kinds = new Set(INVISIBLE_KINDS);
  const flagged = (t: string) => findInvisible(t, kinds).length > 0;
  // A single BMP variation selector after a character is a presentation request (keycaps,
  // VS16 emoji, standardized variants): only runs of them are flagged.
  const ends = IGNORABLE_RANGES.flatMap(([a, b]) => [a, b]).filter((c) => c < 0xfe00 || c > 0xfe0f);
  it.each(ends.map((c) => [c.toString(16), c] as const))(
    'flags U+%s between Latin letters',
    (_h, c) => {
      expect(flagged(`ab${String.fromCodePoint(c)}cd`)).toBe(true);
    },
  );

  it.each([
    ['ZWJ in an emoji sequence', '👩\u200d💻'],
    ['ZWNJ in Persian', 'می\u200cخواهم'],
    ['ZWNJ in Hindi', 'क्\u200cष'],
    ['RLM after Hebrew', 'שלום\u200f (hello)'],
    ['LRM in Hebrew around a number', 'המחיר\u200e 42 ש"ח'],
    ['ALM in Arabic', 'العدد \u061c-5'],
    ['Mongolian free variation selector', 'ᠠ\u180bᠡ'],
    ['Hangul jamo filler', '\u115f\u1161'],
  ])('does not flag %s', (_n, t) => {
    expect(findInvisible(t, kinds)).toEqual([]);
  });
});
