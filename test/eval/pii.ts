/** `pii` measured on presidio's recognizer cases for the entity types the check covers. */
import type { PiiType } from '../../src/policy/checks/pii.js';
import { findPii } from '../../src/policy/checks/pii.js';
import type { Stats } from './corpora.js';
import { jsonl, stats } from './corpora.js';

const MAP: Record<string, PiiType> = {
  email_recognizer: 'email',
  credit_card_recognizer: 'credit_card',
  iban_recognizer: 'iban',
  us_ssn_recognizer: 'us_ssn',
  phone_recognizer: 'phone',
  ip_recognizer: 'ip_address',
};

/** Recall counts expected spans overlapped by a finding; a case with no expected span that is flagged is a false positive. */
export function evalPii(): Stats[] {
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
    const found = findPii(r.text, [type]);
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
