/**
 * Skeletons of host names (UTS #39 §4, "confusable detection"): two strings that look alike
 * have the same skeleton. A skeleton here is NFD, without combining marks, each character
 * replaced by its prototype, lower-cased.
 *
 * The table is a compact subset of Unicode's confusables.txt
 * (https://www.unicode.org/Public/security/latest/confusables.txt, the "MA" mappings): the
 * lower-case Latin look-alikes among Latin extensions, Greek, Cyrillic and Armenian letters —
 * what survives IDNA's mapping of a host (which lower-cases and folds width and compatibility
 * forms first) — plus the ASCII entries `0 → O`, `1 → l`, `m → rn`, folded to lower case.
 * Each entry is the prototype confusables.txt gives for that code point.
 *
 * Two departures from UTS #39, both as browsers compare hosts with top domains: prototypes
 * are folded to lower case (hosts have no case), and combining marks are dropped
 * (`göogle.com` is compared as `google.com`).
 */

/** Code point → Latin prototype (confusables.txt), for the scripts above. */
const PROTOTYPES: Readonly<Record<string, string>> = {
  // ASCII
  '0': 'o',
  '1': 'l',
  m: 'rn',
  // Latin extensions
  æ: 'ae',
  ı: 'i',
  ĳ: 'ij',
  œ: 'oe',
  ſ: 'f',
  ƍ: 'g',
  ƽ: 's',
  ǀ: 'l',
  ɑ: 'a',
  ɡ: 'g',
  ɣ: 'y',
  ɩ: 'i',
  ɪ: 'i',
  ɯ: 'w',
  ʋ: 'u',
  ʏ: 'y',
  // Greek
  α: 'a',
  γ: 'y',
  ι: 'i',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  σ: 'o',
  υ: 'u',
  ϱ: 'p',
  ϲ: 'c',
  ϳ: 'j',
  // Cyrillic
  а: 'a',
  б: '6',
  г: 'r',
  е: 'e',
  о: 'o',
  р: 'p',
  с: 'c',
  у: 'y',
  х: 'x',
  ѕ: 's',
  і: 'i',
  ј: 'j',
  ѡ: 'w',
  ѵ: 'v',
  ү: 'y',
  һ: 'h',
  ҽ: 'e',
  ӏ: 'i',
  ӕ: 'ae',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  // Armenian
  ա: 'w',
  գ: 'q',
  զ: 'q',
  հ: 'h',
  ո: 'n',
  ռ: 'n',
  ս: 'u',
  ց: 'g',
  ք: 'f',
  օ: 'o',
};

const MARKS = /\p{M}/gu;

/** The skeleton of `s` (a host or a label, already IDNA-mapped: lower case). */
export function skeleton(s: string): string {
  let out = '';
  for (const ch of s.normalize('NFD').replace(MARKS, '')) out += PROTOTYPES[ch] ?? ch;
  return out.toLowerCase();
}

/** Whether `ch` (one code point) has a Latin or digit prototype in the table. */
export function hasLatinPrototype(ch: string): boolean {
  const p = PROTOTYPES[ch];
  return p !== undefined && /^[a-z0-9]+$/.test(p);
}
