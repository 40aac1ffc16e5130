/**
 * `pii` measured on presidio's recognizer cases for the entity types the check covers, and on
 * the held-out sets of test/fixtures/pii.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PiiType } from '../../src/policy/checks/pii.js';
import { findPii } from '../../src/policy/checks/pii.js';
import type { Stats } from './corpora.js';
import { jsonl, stats, tally } from './corpora.js';

/** A finder with `findPii`'s signature (the check's, or an older one to compare with). */
type Find = (text: string, types: readonly PiiType[]) => readonly { start: number; end: number }[];

const MAP: Record<string, PiiType> = {
  email_recognizer: 'email',
  credit_card_recognizer: 'credit_card',
  iban_recognizer: 'iban',
  us_ssn_recognizer: 'us_ssn',
  phone_recognizer: 'phone',
  ip_recognizer: 'ip_address',
};

/** Recall counts expected spans overlapped by a finding; a case with no expected span that is flagged is a false positive. */
export function evalPii(find: Find = findPii): Stats[] {
  const by = new Map<string, Stats>();
  for (const r of jsonl<{
    recognizer: string;
    text: string;
    expected_count: number;
    expected_spans: [number, number][];
  }>('presidio-recognizer-cases.jsonl')) {
    const type = MAP[r.recognizer];
    if (!type) continue;
    const s = by.get(type) ?? stats(type);
    by.set(type, s);
    const found = find(r.text, [type]);
    if (r.expected_count === 0) {
      if (found.length) {
        s.fp++;
        s.falseAlarms.push(r.text);
      } else s.tn++;
      continue;
    }
    const spans = r.expected_spans.length
      ? r.expected_spans
      : [[0, r.text.length] as [number, number]];
    for (const [a, b] of spans) {
      if (found.some((f) => f.start < b && f.end > a)) s.tp++;
      else {
        s.fn++;
        s.misses.push(`${r.text} @${a}-${b}`);
      }
    }
  }
  return [...by.values()];
}

const FIXTURES = fileURLToPath(new URL('../fixtures/pii/', import.meta.url));

/** A labelled row of the held-out sets: `label` is the entity type, or `none`. */
interface Row {
  text: string;
  label: string;
  kind: string;
  source: string;
}

export const fixtureRows = (dir: string, file: string): Row[] =>
  readFileSync(dir + file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Row);

/** The held-out sets of test/fixtures/pii, with the entity type each measures. */
const HELD_OUT: [string, string, PiiType][] = [
  [
    'phones (national and international formats; dates, versions, amounts, ids, code)',
    'phones.jsonl',
    'phone',
  ],
  ['us_ssn (whole tokens; hex, base64, words, paths)', 'ssn.jsonl', 'us_ssn'],
  ['ip_address (addresses; dotted versions)', 'ip.jsonl', 'ip_address'],
  ['email (personal; placeholders)', 'emails.jsonl', 'email'],
];

/**
 * `pii` on the held-out sets (test/fixtures/pii, written for issue 14): a positive row is
 * caught when its type is found in it, a negative row is flagged when its type is found at
 * all. One row per set, then the phone set per kind of row.
 */
export function evalPiiHeldOut(find: Find = findPii): Stats[] {
  const out: Stats[] = [];
  const byKind = new Map<string, Stats>();
  for (const [name, file, type] of HELD_OUT) {
    const s = stats(name);
    out.push(s);
    for (const r of fixtureRows(FIXTURES, file)) {
      const flagged = find(r.text, [type]).length > 0;
      tally(s, r.label !== 'none', flagged, `${r.kind}: ${r.text}`);
      if (type !== 'phone') continue;
      const k = byKind.get(r.kind) ?? stats(`phone: ${r.kind}`);
      byKind.set(r.kind, k);
      tally(k, r.label !== 'none', flagged, r.text);
    }
  }
  return [...out, ...byKind.values()];
}
