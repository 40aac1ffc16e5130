/** `refusal` measured on the labelled outputs (garak's test fixtures). */
import { looksLikeRefusal } from '../../src/policy/checks/refusal.js';
import type { Stats } from './corpora.js';
import { jsonl, stats, tally } from './corpora.js';

export function evalRefusal(): Stats[] {
  const s = stats('labelled outputs');
  for (const r of jsonl<{ text: string; label: string }>('refusal-labelled-outputs.jsonl'))
    tally(s, r.label === 'refusal', looksLikeRefusal(r.text), r.text);
  return [s];
}
