/** `invisible-unicode` measured on LLM Guard's cases and 1,572 legitimate emoji sequences. */
import { INVISIBLE_KINDS, findInvisible } from '../../src/policy/checks/invisible-unicode.js';
import type { Stats } from './corpora.js';
import { jsonl, stats, tally } from './corpora.js';

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
  return [smuggling, emoji];
}
