/**
 * `invisible-unicode` measured on LLM Guard's cases, 1,572 legitimate emoji sequences and
 * right-to-left / Indic text with legitimate bidi marks and joiners; `secrets` on keys with a
 * Default_Ignorable code point inside; terminal control (test/fixtures/terminal) and look-alike
 * hosts (`confusable-hosts`, test/fixtures/hosts) on the held-out sets written for issue 14.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findLookalikeHosts } from '../../src/policy/checks/confusable-hosts.js';
import { INVISIBLE_KINDS, findInvisible } from '../../src/policy/checks/invisible-unicode.js';
import { knownDomains } from '../../src/policy/checks/support/confusable-hosts.js';
import { WELL_KNOWN_DOMAINS } from '../../src/policy/checks/support/confusable-known.js';
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

/** A labelled row of the held-out sets (test/fixtures/terminal, test/fixtures/hosts). */
interface Row {
  text: string;
  label: string;
  kind: string;
  source: string;
  /** Terminal rows: the text once the check's spans are redacted. */
  redacted?: string;
}

const rowsOf = (dir: string, file: string): Row[] =>
  readFileSync(fileURLToPath(new URL(`../fixtures/${dir}/${file}`, import.meta.url)), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Row);

/** A finder of invisible characters with every kind on (the check's, or one to compare with). */
type FindInvisible = (text: string) => readonly { start: number; end: number; replace?: string }[];
const allKinds = new Set(INVISIBLE_KINDS);

/** `text` with `spans` (sorted, disjoint) replaced as redaction does. */
function redact(text: string, spans: readonly { start: number; end: number; replace?: string }[]) {
  let out = '';
  let at = 0;
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    if (s.start < at) continue;
    out += text.slice(at, s.start) + (s.replace ?? '');
    at = s.end;
  }
  return out + text.slice(at);
}

/**
 * `invisible-unicode` on terminal control (test/fixtures/terminal): an ECMA-48 sequence (CSI,
 * OSC hyperlinks and clipboard writes, DCS, SOS/PM/APC, 7- and 8-bit) counts as caught when
 * redaction leaves exactly the visible text (introducer, parameters and payload gone); a
 * carriage return that overwrites a line, when redaction leaves a line feed in its place. A
 * benign row (CRLF, emoji, right-to-left, literal `\x1b` in code) is flagged when anything is
 * found.
 */
export function evalTerminal(find: FindInvisible = (t) => findInvisible(t, allKinds)): Stats[] {
  const escapes = stats('terminal sequences removed whole (ECMA-48)');
  const overwrites = stats('carriage returns that overwrite a line');
  const benign = stats('benign text (CRLF, emoji, right-to-left, literal escapes)');
  for (const r of rowsOf('terminal', 'escapes.jsonl')) {
    const found = find(r.text);
    if (r.label === 'none') tally(benign, false, found.length > 0, `${r.kind}: ${r.text}`);
    else
      tally(
        r.label === 'overwrite' ? overwrites : escapes,
        true,
        redact(r.text, found) === r.redacted,
        `${r.kind}: ${r.text}`,
      );
  }
  return [escapes, overwrites, benign];
}

/**
 * `confusable-hosts` (test/fixtures/hosts): look-alike hosts (mixed-script, punycode of
 * confusables, whole-script homographs, diacritics on a well-known name) caught when a host is
 * found in the row; legitimate internationalised names and non-ASCII prose flagged when one is.
 */
export function evalHosts(
  find: (text: string) => readonly unknown[] = (t) =>
    findLookalikeHosts(t, knownDomains(WELL_KNOWN_DOMAINS), new Set()),
): Stats[] {
  const by = new Map<string, Stats>();
  const all = stats('look-alike hosts');
  for (const r of rowsOf('hosts', 'lookalike-hosts.jsonl')) {
    const flagged = find(r.text).length > 0;
    tally(all, r.label !== 'none', flagged, `${r.kind}: ${r.text}`);
    const group = r.label === 'none' ? 'legitimate IDNs and prose' : r.kind;
    const s = by.get(group) ?? stats(`hosts: ${group}`);
    by.set(group, s);
    tally(s, r.label !== 'none', flagged, r.text);
  }
  return [all, ...by.values()];
}
