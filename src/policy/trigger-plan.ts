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
  /**
   * By increasing `over`: the triggers whose lead is over it. Once a scan holds from `h`, a
   * trigger at `q` can hold from earlier only if its lead is over `q - h`: past the first
   * trigger that holds, a scan looks for fewer and fewer (in a run of one trigger, for none).
   */
  tiers: { over: number; any: RegExp }[];
  byText: Map<string, Trigger[]>;
  /** Per literal, the literals that may match where it does (it, its prefixes and extensions). */
  related: Map<string, [string, Trigger[]][]>;
  classes: Trigger[];
  /**
   * The proper prefixes of literal triggers, as a trie by UTF-16 unit with failure links
   * (Aho–Corasick): one pass over a text finds every tail of it that is one of them.
   */
  prefixes: PrefixNode;
  /** The length of the longest of them. */
  longestPrefix: number;
  /** The longest lead of any trigger. */
  maxLead: number;
  /** Some rule's check names no triggers: hold the window and always re-check. */
  window: boolean;
  /** The rule each trigger belongs to (for triggers that fail their rule when they expire). */
  owner: Map<Trigger, GateRule>;
}

export interface PrefixNode {
  next: Map<number, PrefixNode>;
  /** The longest lead of the literals this is a proper prefix of (0 at the root). */
  lead: number;
  /** Its length. */
  depth: number;
  /** The node of its longest proper suffix that is a prefix too (the root's is itself). */
  fail: PrefixNode;
}

const plans = new WeakMap<readonly GateRule[], Plan>();

export function planFor(rules: readonly GateRule[]): Plan {
  let plan = plans.get(rules);
  if (plan) return plan;
  const byText = new Map<string, Trigger[]>();
  const classes: Trigger[] = [];
  const prefixes = new Node(0);
  let longestPrefix = 0;
  let window = false;
  const owner = new Map<Trigger, GateRule>();
  for (const r of rules) {
    const triggers = r.instance.stream?.triggers;
    if (!triggers) {
      if (r.spans) window = true;
      continue;
    }
    for (const t of triggers) {
      owner.set(t, r);
      if (typeof t.text !== 'string') {
        classes.push(t);
        continue;
      }
      const same = byText.get(t.text);
      if (same) same.push(t);
      else byText.set(t.text, [t]);
      let at = prefixes;
      for (let k = 0; k < t.text.length - 1; k++) {
        const c = t.text.charCodeAt(k);
        let child = at.next.get(c);
        if (!child) at.next.set(c, (child = new Node(k + 1)));
        child.lead = Math.max(child.lead, t.lead);
        at = child;
      }
      longestPrefix = Math.max(longestPrefix, t.text.length - 1);
    }
  }
  const related = relatedLiterals(byText);
  const all = [...byText.values()].flat().concat(classes);
  const leads = [...new Set(all.map((t) => t.lead))].sort((a, b) => a - b);
  plan = {
    any: anyOf(all),
    tiers: leads.slice(0, -1).map((over) => ({
      over,
      any: anyOf(all.filter((t) => t.lead > over)),
    })),
    byText,
    related,
    classes,
    prefixes: linked(prefixes),
    longestPrefix,
    maxLead: Math.max(0, ...leads),
    window,
    owner,
  };
  plans.set(rules, plan);
  return plan;
}

/**
 * Per literal, the literals that begin it (its prefixes) or that it begins (its extensions):
 * prefixes looked up one length at a time, extensions found after it in sorted order — linear
 * in what is found, not in the square of the number of literals (the secrets check alone plans
 * a few hundred).
 */
function relatedLiterals(byText: Map<string, Trigger[]>): Map<string, [string, Trigger[]][]> {
  const sorted = [...byText.keys()].sort();
  const related = new Map<string, [string, Trigger[]][]>();
  sorted.forEach((a, i) => {
    const list: [string, Trigger[]][] = [];
    for (let k = 1; k <= a.length; k++) {
      const b = a.slice(0, k);
      const ts = byText.get(b);
      if (ts) list.push([b, ts]);
    }
    for (let j = i + 1; j < sorted.length && sorted[j]!.startsWith(a); j++)
      list.push([sorted[j]!, byText.get(sorted[j]!)!]);
    related.set(a, list);
  });
  return related;
}

/** One regex for the triggers `ts` (literals as a trie; classes as they are). */
function anyOf(ts: readonly Trigger[]): RegExp {
  const literals = [...new Set(ts.flatMap((t) => (typeof t.text === 'string' ? [t.text] : [])))];
  const sources = [
    literals.length ? `(?:${trieSource(literals)})` : '',
    ...ts.flatMap((t) => (typeof t.text === 'string' ? [] : [`(?:${t.text.source})`])),
  ].filter(Boolean);
  return new RegExp(sources.join('|') || '(?!)', 'g');
}

class Node implements PrefixNode {
  next = new Map<number, PrefixNode>();
  lead = 0;
  fail: PrefixNode = this;
  constructor(readonly depth: number) {}
}

/** Sets the failure links of a trie, breadth first; returns its root. */
function linked(root: PrefixNode): PrefixNode {
  const queue: PrefixNode[] = [];
  for (const child of root.next.values()) {
    child.fail = root;
    queue.push(child);
  }
  for (let i = 0; i < queue.length; i++) {
    const u = queue[i]!;
    for (const [c, child] of u.next) {
      let f = u.fail;
      while (f !== root && !f.next.has(c)) f = f.fail;
      child.fail = f.next.get(c) ?? root;
      queue.push(child);
    }
  }
  return root;
}
