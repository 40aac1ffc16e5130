/**
 * The stream gate's trigger scan: in a stretch of text that ends the text so far, the earliest
 * index a match through a trigger (or a trigger the next chunk may complete) could start.
 */
import type { Trigger } from './checks/types.js';
import { IGNORABLE_SOURCE } from './checks/support/ignorable.js';
import type { Plan } from './trigger-plan.js';

export class TriggerScan {
  /** Where the last trigger the scans saw starts (in the offsets of their `base`), or -1. */
  last = -1;
  /** Whether the last scan saw a trigger, or the text ends in a proper prefix of one. */
  triggered = false;
  /** Where the last Default_Ignorable code point of the last scan's text starts, or -1. */
  ignorable = -1;
  /**
   * Triggers with `expire: 'fail'` whose match was still growing when their span ran out, found
   * by the last scan: each at `q`, where it starts. The gate fails their rules.
   */
  expired: { t: Trigger; q: number }[] = [];
  /** The trigger the last scan's hold came from, while it has `expire: 'fail'`. */
  private holder: { t: Trigger; q: number } | undefined;

  /** `window`: characters held when some check names no triggers (`plan.window`). */
  constructor(
    private readonly plan: Plan,
    private readonly window: number,
  ) {}

  /**
   * The hold for `text`, whose first character is at `base` and which ends the text so far.
   * Every trigger is looked for at every position (a trigger may begin inside another), so
   * the hold depends only on the triggers that start in `text`, not on where it starts. (A
   * trigger the scan passes over once it cannot hold from earlier is one that starts after
   * the hold, so after what will be settled: the next scan looks at it again.)
   */
  hold(text: string, base: number): number {
    const plan = this.plan;
    const lower = this.read(text);
    const length = base + text.length;
    let hold = plan.window ? length - this.window : length;
    this.triggered = false;
    this.expired = [];
    // The trigger that held last time, if its span has run out with its match still growing.
    // (Its start is in `text`: what it held from is not settled.)
    const h = this.holder;
    this.holder = undefined;
    if (h && h.q >= base && h.q - h.t.lead + h.t.maxSpan <= length) {
      const len = typeof h.t.text === 'string' ? h.t.text.length : 1;
      if (!(h.t.settle && h.t.settle.test(text.slice(h.q - base + len)))) this.expired.push(h);
    }
    let any = plan.any;
    let tier = -1;
    any.lastIndex = 0;
    for (let m = any.exec(lower); m; m = any.exec(lower)) {
      this.triggered = true;
      const q = base + m.index;
      this.last = Math.max(this.last, q);
      // The trie reports one literal at a position: consider every one starting there. (A
      // trigger that would hold from no earlier is not tested.)
      const related = plan.related.get(m[0]);
      if (related)
        for (const r of related) {
          if (!lower.startsWith(r[0], m.index)) continue;
          for (const t of r[1])
            if (q - t.lead < hold && unsettled(t, q, text.slice(m.index + r[0].length), length)) {
              hold = q - t.lead;
              this.holder = t.expire ? { t, q } : undefined;
            }
        }
      for (const t of plan.classes) {
        if (
          q - t.lead < hold &&
          (t.text as RegExp).test(m[0]) &&
          unsettled(t, q, text.slice(m.index + m[0].length), length)
        ) {
          hold = q - t.lead;
          this.holder = t.expire ? { t, q } : undefined;
        }
      }
      // From the next position on, only a trigger whose lead is over `need` may hold from
      // earlier: look for those alone (for none, past the longest lead). This also bounds the
      // settle tests, which may scan the rest of the text, to a few per scan.
      const need = q + 1 - hold;
      if (need >= plan.maxLead) break;
      const tiers = plan.tiers;
      if (tier + 1 < tiers.length && tiers[tier + 1]!.over <= need) {
        while (tier + 1 < tiers.length && tiers[tier + 1]!.over <= need) tier++;
        any = tiers[tier]!.any;
      }
      any.lastIndex = m.index + 1;
    }
    // A trigger the next chunk may complete: every tail of the text that is a proper prefix
    // of one is on the failure chain of where the automaton ends.
    const root = plan.prefixes;
    let at = root;
    for (let i = Math.max(0, lower.length - plan.longestPrefix); i < lower.length; i++) {
      const c = lower.charCodeAt(i);
      for (let next = at.next.get(c); ; next = at.next.get(c)) {
        if (next) at = next;
        else if (at !== root) {
          at = at.fail;
          continue;
        }
        break;
      }
    }
    for (; at !== root; at = at.fail) {
      this.triggered = true;
      if (length - at.depth - at.lead < hold) {
        hold = length - at.depth - at.lead;
        this.holder = undefined;
      }
    }
    return hold;
  }

  /**
   * `text` with A–Z lower-cased and nothing else (offsets stay those of the text: triggers
   * are ASCII); notes its last invisible character. ASCII text costs one pass.
   */
  private read(text: string): string {
    let upper = false;
    let ascii = true;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) ascii = false;
      else if (c >= 0x41 && c <= 0x5a) upper = true;
    }
    this.ignorable = -1;
    // Default_Ignorable code points are all above U+00AC.
    if (!ascii) {
      IGNORABLE.lastIndex = 0;
      for (let m = IGNORABLE.exec(text); m; m = IGNORABLE.exec(text)) this.ignorable = m.index;
    }
    if (!upper) return text;
    return ascii ? text.toLowerCase() : text.replace(/[A-Z]+/g, (c) => c.toLowerCase());
  }
}

/** Whether a match through trigger `t` at `q` may still grow (`after`: the text after the trigger). */
function unsettled(t: Trigger, q: number, after: string, length: number): boolean {
  if (q - t.lead + t.maxSpan <= length) return false;
  return !(t.settle && t.settle.test(after));
}

const IGNORABLE = new RegExp(IGNORABLE_SOURCE, 'g');
