/**
 * `invisible-unicode` measured on LLM Guard's cases, 1,572 legitimate emoji sequences and
 * right-to-left / Indic text with legitimate bidi marks and joiners; `secrets` on keys with a
 * Default_Ignorable code point inside.
 */
import { INVISIBLE_KINDS, findInvisible } from '../../src/policy/checks/invisible-unicode.js';
import { findSecrets } from '../../src/policy/checks/secrets.js';
import { detectors } from '../../src/policy/checks/secrets/detectors.js';
import { IGNORABLE_RANGES } from '../../src/policy/checks/support/ignorable.js';
import type { Stats } from './corpora.js';
import { jsonl, stats, tally } from './corpora.js';

/** A sentence around a formatted value, in the value's script. */
const frame = (locale: string, text: string) =>
  locale.startsWith('he') || locale === 'yi' ? `הערך הוא ${text} בלבד.` : `القيمة ${text} فقط.`;

const KEYS = [
  'AKIAZ7QX3MPLW5N2RTVB',
  'ghp_8fK2mQ9xLr4TzW7vNc1Yb6HjD3sPa0EuGi5o',
  'sk-proj-Xy7Qm2Lp9Rt4Wv8ZbN3cT3BlbkFJk5Hs1Df6Gj0Ka2Qw',
];

export function evalUnicode(): Stats[] {
  const kinds = new Set(INVISIBLE_KINDS);
  const smuggling = stats('llm-guard invisible-text cases');
  for (const r of jsonl<{ text: string; label: string }>('llm-guard-invisible-text-cases.jsonl')) {
    tally(smuggling, r.label !== 'clean', findInvisible(r.text, kinds).length > 0, r.text);
  }
  const emoji = stats('legitimate emoji sequences');
  for (const r of jsonl<{ text: string; name: string }>('emoji-with-invisible-codepoints.jsonl')) {
    for (const text of [r.text, `Family: ${r.text} and friends`, `${r.text}${r.text}`])
      tally(emoji, false, findInvisible(text, kinds).length > 0, `${r.name}: ${text}`);
  }
  const rtl = stats('legitimate right-to-left and Indic text');
  for (const r of jsonl<{ text: string; locale: string; source: string }>('rtl-bidi-marks.jsonl')) {
    // A formatted value without a right-to-left letter of its own is measured in its sentence.
    const alone = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Thaana}\p{Script=Syriac}]/u.test(
      r.text,
    );
    const texts = [frame(r.locale, r.text)];
    if (alone) texts.push(r.text, `${r.text} ${r.text}`);
    for (const text of texts)
      tally(rtl, false, findInvisible(text, kinds).length > 0, `${r.locale} ${r.source}: ${text}`);
  }
  // Each end of each Default_Ignorable range, three times inside each key.
  const hidden = stats('keys hiding a Default_Ignorable code point (secrets)');
  const flagged = stats('keys hiding a Default_Ignorable code point (invisible-unicode)');
  for (const [a, b] of IGNORABLE_RANGES)
    for (const c of new Set([a, b])) {
      const f = String.fromCodePoint(c);
      for (const key of KEYS) {
        const m = key.length >> 1;
        const h = `${key.slice(0, 2)}${f}${key.slice(2, m)}${f}${key.slice(m, -1)}${f}${key.slice(-1)}`;
        const text = `the key ${h} here`;
        const found = findSecrets(text, detectors, new Set()).some(
          (s) => s.start === 8 && s.end === 8 + h.length,
        );
        const label = `U+${c.toString(16).toUpperCase()} in ${key.slice(0, 4)}…`;
        tally(hidden, true, found, label);
        // A single BMP variation selector after a letter is a presentation request, not flagged.
        if (c < 0xfe00 || c > 0xfe0f)
          tally(flagged, true, findInvisible(text, kinds).length > 0, label);
      }
    }
  return [smuggling, emoji, rtl, hidden, flagged];
}
