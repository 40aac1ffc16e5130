/**
 * The stream gate as it was before it scanned only the text after what is settled: every
 * advance re-scans the whole check window (64 characters of settled context and all after)
 * for triggers, as is and as a skeleton, and runs the checks when any trigger is in it. Kept
 * as the reference the gate is compared against (stream-gate-differential.test.ts). One change
 * from the original: the trigger regex is tried at every position (`lastIndex = index + 1`),
 * not after the end of the last match, as the gate now does — without it, where the scan
 * starts decides which of two overlapping triggers it sees.
 */
import type { RequestInfo } from '../../../src/model/exchange.js';
import type { RuleResult } from '../../../src/model/verdict.js';
import type { Trigger } from '../../../src/policy/checks/types.js';
import { runCheck } from '../../../src/policy/checks/types.js';
import { byStart, redactSorted } from '../../../src/policy/redact.js';
import type { Labelled } from '../../../src/policy/redact.js';
import type { GateRule } from '../../../src/policy/gate-rules.js';
import { blockResult } from '../../../src/policy/gate-rules.js';
import type { Plan } from '../../../src/policy/trigger-plan.js';
import { planFor } from '../../../src/policy/trigger-plan.js';
import { skeleton } from '../../../src/policy/checks/support/ignorable.js';
import { isHighSurrogate } from '../../../src/policy/checks/support/chars.js';
import { Pieces } from '../../../src/policy/pieces.js';

const CONTEXT = 64;
const RECHECK_MIN = 2048;

interface Recorded extends Labelled {
  key: string;
}

interface Found {
  start: number;
  end: number;
  r: GateRule;
  replace: string | undefined;
  key: string;
}

/** The proper prefixes of the literal triggers with their longest lead, as the gate had them. */
function prefixesOf(plan: Plan): { prefixes: Map<string, number>; starts: Set<string> } {
  const prefixes = new Map<string, number>();
  for (const [text, ts] of plan.byText)
    for (const t of ts)
      for (let k = 1; k < text.length; k++) {
        const p = text.slice(0, k);
        prefixes.set(p, Math.max(prefixes.get(p) ?? 0, t.lead));
      }
  return { prefixes, starts: new Set([...prefixes.keys()].map((p) => p[0]!)) };
}

export class ReferenceGate {
  private readonly text = new Pieces();
  released = 0;
  private settled = 0;
  final = false;
  blocked: RuleResult | undefined;
  private readonly redactions: Recorded[] = [];
  private head = 0;
  private readonly recorded = new Set<string>();
  private readonly holdAll: boolean;
  private readonly plan: Plan;
  private readonly prefixes: Map<string, number>;
  private readonly prefixStarts: Set<string>;
  private readonly longestPrefix: number;
  private triggered = false;
  private boundary = 0;
  private recheckAt = 0;
  private finalAt = -1;
  /** How many times the checks ran. */
  checks = 0;

  constructor(
    private readonly rules: readonly GateRule[],
    private readonly request: RequestInfo,
    private readonly limits: { window: number; maxHeld: number },
    readonly choice: number,
  ) {
    this.holdAll = rules.some((r) => !r.spans && !r.instance.stream);
    this.plan = planFor(rules);
    const p = prefixesOf(this.plan);
    this.prefixes = p.prefixes;
    this.prefixStarts = p.starts;
    this.longestPrefix = Math.max(0, ...[...p.prefixes.keys()].map((x) => x.length));
  }

  push(delta: string): void {
    this.text.push(delta);
  }

  get length(): number {
    return this.text.length;
  }

  release(to: number): void {
    this.released = Math.max(this.released, to);
    const list = this.redactions;
    while (this.head < list.length && list[this.head]!.end <= this.released)
      this.recorded.delete(list[this.head++]!.key);
    this.text.drop(Math.min(this.released, this.settled) - CONTEXT);
  }

  private holdFrom(text: string, lower: string, base: number, length = this.length): number {
    this.triggered = false;
    const plan = this.plan;
    let hold = plan.window ? length - this.limits.window : length;
    plan.any.lastIndex = 0;
    for (let m = plan.any.exec(lower); m; m = plan.any.exec(lower)) {
      this.triggered = true;
      const q = base + m.index;
      if (q - plan.maxLead >= hold) break;
      for (const [t0, ts] of plan.related.get(m[0]) ?? []) {
        if (!lower.startsWith(t0, m.index)) continue;
        for (const t of ts)
          if (this.unsettled(t, q, text.slice(m.index + t0.length), length))
            hold = Math.min(hold, q - t.lead);
      }
      for (const t of plan.classes) {
        if (
          (t.text as RegExp).test(m[0]) &&
          this.unsettled(t, q, text.slice(m.index + m[0].length), length)
        )
          hold = Math.min(hold, q - t.lead);
      }
      // The one change (see above); was: `if (m[0].length === 0) plan.any.lastIndex++;`
      plan.any.lastIndex = m.index + 1;
    }
    for (let k = Math.min(this.longestPrefix, lower.length); k > 0; k--) {
      if (!this.prefixStarts.has(lower[lower.length - k]!)) continue;
      const lead = this.prefixes.get(lower.slice(lower.length - k));
      if (lead !== undefined) {
        this.triggered = true;
        hold = Math.min(hold, length - k - lead);
      }
    }
    return hold;
  }

  private hold(text: string, from: number, length = this.length): number {
    const lower = (t: string) => t.replace(/[A-Z]+/g, (c) => c.toLowerCase());
    const hold = this.holdFrom(text, lower(text), from, length);
    const sk = skeleton(text);
    if (!sk.map) return hold;
    const triggered = this.triggered;
    const n = sk.text.length;
    const h = this.holdFrom(sk.text, lower(sk.text), 0, n);
    this.triggered ||= triggered;
    if (h >= n) return hold;
    return Math.min(hold, h <= 0 ? from + h : from + sk.map[h - 1]! + 1);
  }

  private unsettled(t: Trigger, q: number, after: string, length: number): boolean {
    if (q - t.lead + t.maxSpan <= length) return false;
    return !(t.settle && t.settle.test(after));
  }

  private releasable(boundary: number): number {
    if (this.holdAll && !this.final) return this.released;
    let b = Math.min(boundary, this.length);
    if (!this.final && b > this.released) {
      const c = this.text.slice(b - 1, b).charCodeAt(0);
      if (isHighSurrogate(c)) b--;
    }
    return Math.max(this.released, b);
  }

  advance(): number {
    if (this.blocked) return this.released;
    const length = this.length;
    if (this.holdAll && !this.final && length - this.released > this.limits.maxHeld) {
      const r = this.rules.find((x) => !x.spans && !x.instance.stream)!;
      this.block(
        r,
        'fail',
        'output exceeded the scan limit while held for a whole-answer check',
        0,
      );
      return this.released;
    }
    if (this.final) {
      if (this.finalAt === length) return Math.max(this.released, length);
    } else if (length < this.recheckAt) return this.releasable(this.boundary);
    const from = Math.max(this.text.start, this.settled - CONTEXT);
    const text = this.text.slice(from);
    let boundary = length;
    if (!this.final) {
      const c = text.charCodeAt(text.length - 1);
      boundary = isHighSurrogate(c)
        ? Math.min(this.hold(text.slice(0, -1), from, length - 1), length - 1)
        : this.hold(text, from);
    }
    if (this.final || this.triggered || this.plan.window) {
      this.checks++;
      const found = this.check(text, from);
      if (!found) return this.released;
      for (const f of found)
        if (!this.final && f.end >= length) boundary = Math.min(boundary, f.start);
      for (const f of found)
        if (f.start < boundary && f.end > boundary) boundary = Math.min(boundary, f.start);
      for (const f of found) {
        if (f.start >= boundary || this.recorded.has(f.key)) continue;
        if (f.r.action === 'block') {
          this.block(f.r, 'fail', 'matched in the stream', 0);
          return this.released;
        }
        this.record({
          start: Math.max(f.start, this.released),
          end: f.end,
          rule: f.r.rule,
          replace: f.replace,
          key: f.key,
        });
      }
    }
    this.boundary = boundary;
    this.settled = Math.max(this.settled, Math.min(boundary, length));
    if (this.final) this.finalAt = length;
    else {
      const held = length - Math.max(this.text.start, this.settled - CONTEXT);
      this.recheckAt = held > Math.max(RECHECK_MIN, 2 * this.limits.window) ? length + held / 4 : 0;
    }
    return this.releasable(boundary);
  }

  private check(text: string, from: number): Found[] | undefined {
    const input = { text, toolCalls: [], finishReason: undefined, request: this.request };
    let whole: typeof input | undefined;
    const found: Found[] = [];
    for (const r of this.rules) {
      if (!r.spans && !this.final) continue;
      let on = input;
      if (!r.spans) {
        const start = Math.max(this.text.start, this.released - CONTEXT);
        on = whole ??= start === from ? input : { ...input, text: this.text.slice(start) };
      }
      const out = runCheck(r.instance, on);
      if (out.status === 'error' && r.onError === 'closed')
        return this.block(r, 'error', out.message, 0);
      if (out.status !== 'fail') continue;
      if (!r.spans || out.spans.length === 0) {
        if (r.action === 'block') return this.block(r, 'fail', out.detail, 0);
        continue;
      }
      for (const s of out.spans) {
        if (s.toolCall !== undefined) continue;
        const start = s.start + from;
        const end = s.end + from;
        const key = `${start}:${end}`;
        if (end > this.released && !this.recorded.has(key))
          found.push({ start, end, r, replace: s.replace, key });
      }
    }
    return found.sort((a, b) => a.start - b.start);
  }

  private record(r: Recorded): void {
    const list = this.redactions;
    let i = list.length;
    while (i > this.head && byStart(list[i - 1]!, r) > 0) i--;
    if (i === list.length) list.push(r);
    else list.splice(i, 0, r);
    this.recorded.add(r.key);
  }

  private block(r: GateRule, status: 'fail' | 'error', detail: string, _ms: number): undefined {
    this.blocked = blockResult(r, this.choice, status, detail);
    return undefined;
  }

  render(a: number, b: number): { text: string; changed: boolean } {
    return redactSorted({
      slice: (x, y) => this.text.slice(x, y),
      spans: this.redactions,
      first: this.head,
      from: a,
      to: b,
    });
  }
}
