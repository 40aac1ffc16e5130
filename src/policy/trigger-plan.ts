/**
 * The triggers of a set of gate rules, compiled once per rule set: one regex that finds any
 * trigger in one pass, the triggers by literal, and the proper prefixes a chunk may end in.
 */
import type { Trigger } from './checks/types.js';
import { trieSource } from './checks/support/trie.js';
import type { GateRule } from './gate-rules.js';

/** The triggers of a rule set, compiled once and shared by every stream using those rules. */
export interface Plan {
  /** Any trigger, in one pass over lower-cased text. */
  any: RegExp;
  byText: Map<string, Trigger[]>;
  /** Per literal, the literals that may match where it does (it, its prefixes and extensions). */
  related: Map<string, [string, Trigger[]][]>;
  classes: Trigger[];
  /** Proper prefixes of literal triggers, with the longest lead among them. */
  prefixes: Map<string, number>;
  longestPrefix: number;
  /** The first characters of those prefixes: a tail starting otherwise is none of them. */
  prefixStarts: Set<string>;
  /** The longest lead of any trigger. */
  maxLead: number;
  /** Some rule's check names no triggers: hold the window and always re-check. */
  window: boolean;
}

const plans = new WeakMap<readonly GateRule[], Plan>();

export function planFor(rules: readonly GateRule[]): Plan {
  let plan = plans.get(rules);
  if (plan) return plan;
  const byText = new Map<string, Trigger[]>();
  const classes: Trigger[] = [];
  const prefixes = new Map<string, number>();
  let window = false;
  for (const r of rules) {
    const triggers = r.instance.stream?.triggers;
    if (!triggers) {
      if (r.spans) window = true;
      continue;
    }
    for (const t of triggers) {
      if (typeof t.text !== 'string') {
        classes.push(t);
        continue;
      }
      byText.set(t.text, [...(byText.get(t.text) ?? []), t]);
      for (let k = 1; k < t.text.length; k++) {
        const p = t.text.slice(0, k);
        prefixes.set(p, Math.max(prefixes.get(p) ?? 0, t.lead));
      }
    }
  }
  const sources = [
    byText.size ? `(?:${trieSource([...byText.keys()])})` : '',
    ...classes.map((c) => `(?:${(c.text as RegExp).source})`),
  ].filter(Boolean);
  const related = new Map<string, [string, Trigger[]][]>();
  for (const a of byText.keys())
    related.set(
      a,
      [...byText].filter(([b]) => a.startsWith(b) || b.startsWith(a)),
    );
  plan = {
    any: new RegExp(sources.join('|') || '(?!)', 'g'),
    byText,
    related,
    classes,
    prefixes,
    longestPrefix: Math.max(0, ...[...prefixes.keys()].map((p) => p.length)),
    prefixStarts: new Set([...prefixes.keys()].map((p) => p[0]!)),
    maxLead: Math.max(
      0,
      ...[...byText.values()].flat().map((t) => t.lead),
      ...classes.map((t) => t.lead),
    ),
    window,
  };
  plans.set(rules, plan);
  return plan;
}
