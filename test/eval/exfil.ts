/** `markdown-exfiltration` measured on garak's labelled web-injection outputs. */
import { getCheck } from '../../src/policy/checks/registry.js';
import type { Stats } from './corpora.js';
import { jsonl, stats, tally } from './corpora.js';
import { input } from '../helpers/check-input.js';

export function evalExfil(): Stats[] {
  const def = getCheck('markdown-exfiltration')!;
  const check = def.create(def.params.parse({}));
  const by = new Map<string, Stats>();
  for (const r of jsonl<{ text: string; label: string }>('garak-markdown-exfil-outputs.jsonl')) {
    const s = by.get(r.label) ?? stats(r.label);
    by.set(r.label, s);
    const flagged = check.evaluate(input(r.text)).status === 'fail';
    tally(s, r.label !== 'benign', flagged, r.text);
  }
  return [...by.values()];
}
