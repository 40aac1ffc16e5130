/**
 * Streaming enforcement for one choice's text: decides how much of the text so far may be
 * released to the client. Every enforcing rule (enforce mode, `block` or `redact`) holds back
 * only what could still grow into a match — from each unsettled trigger of its check (or, for
 * checks without triggers, the last `window` characters) — and the checks run on the text
 * not yet settled (plus a little settled context), so the cost per chunk is bounded by what
 * is held, not by the length of the output. A match is confirmed only once it can no longer
 * grow; text before the earliest possible match is released at once, with confirmed redactions
 * applied. Rules whose checks do not find spans can only decide on the whole text: when one of
 * them may block, the choice is held until it ends — the span rules still settle as they go,
 * so holding costs no more per chunk than releasing. Redactions are kept in render order and
 * dropped once released, so rendering a frame costs the redactions in it.
 */
import type { RequestInfo } from '../model/exchange.js';
import type { RuleResult } from '../model/verdict.js';
import { runCheck } from './checks/types.js';
import { byStart, redactSorted } from './redact.js';
import type { Labelled } from './redact.js';
import type { GateRule } from './gate-rules.js';
import { blockResult } from './gate-rules.js';
import type { Plan } from './trigger-plan.js';
import { planFor } from './trigger-plan.js';
import { skeleton } from './checks/support/ignorable.js';
import { isHighSurrogate } from './checks/support/chars.js';
import { Pieces } from './pieces.js';
import { TriggerScan } from './trigger-scan.js';

/** Released context the checks see before the unreleased text (lookbehind, key names). */
const CONTEXT = 64;

/** A confirmed redaction, and the span it was found as (to not record it twice). */
interface Recorded extends Labelled {
  key: string;
}

/**
 * Above this many characters held for the checks, they re-run only once a quarter as many
 * again have arrived: a check costs what is held, so a match that keeps growing costs a few
 * checks per character instead of one per chunk (the square of its length).
 */
const RECHECK_MIN = 2048;

export class ChoiceGate {
  /** The text, from a little before what is released or settled on. */
  private readonly text = new Pieces();
  released = 0;
  /**
   * How far the span rules' decisions are final: the release boundary but for the rules that
   * hold a choice whole. The span checks re-run only from a little before it, so a choice
   * held until it ends costs no more per chunk than one released as it goes.
   */
  private settled = 0;
  final = false;
  blocked: RuleResult | undefined;
  /**
   * Confirmed redactions in render order (`byStart`). They are found in increasing order
   * behind the boundary; those before `head` end within the released text and are done with.
   */
  private readonly redactions: Recorded[] = [];
  private head = 0;
  /** Keys of the redactions from `head` on. */
  private readonly recorded = new Set<string>();
  private readonly holdAll: boolean;
  private readonly plan: Plan;
  /** Whether the last hold computation saw a trigger in the checks' window, or a partial one at the end. */
  private triggered = false;
  private readonly scan: TriggerScan;
  private readonly skeletonScan: TriggerScan;
  /** Where the last Default_Ignorable code point the scans saw starts, or -1. */
  private ignorable = -1;
  /** The last boundary computed, and the length before which the checks are not re-run. */
  private boundary = 0;
  private recheckAt = 0;
  /** The length of the text the final check saw. */
  private finalAt = -1;

  /**
   * `window`: characters held for checks without triggers. `maxHeld`: characters a rule that
   * judges the whole answer may hold (`checks.max_scan_chars`); past it that rule cannot judge
   * all of the answer, so it fails with its action (block) rather than holding without bound.
   */
  constructor(
    private readonly rules: readonly GateRule[],
    private readonly request: RequestInfo,
    private readonly limits: { window: number; maxHeld: number },
    readonly choice: number,
  ) {
    this.holdAll = rules.some((r) => !r.spans && !r.instance.stream);
    this.plan = planFor(rules);
    this.scan = new TriggerScan(this.plan, limits.window);
    this.skeletonScan = new TriggerScan(this.plan, limits.window);
  }

  push(delta: string): void {
    this.text.push(delta);
  }

  /** Length of the whole text so far. */
  get length(): number {
    return this.text.length;
  }

  /** Marks text up to `to` as sent, and forgets what neither the checks nor rendering need. */
  release(to: number): void {
    this.released = Math.max(this.released, to);
    const list = this.redactions;
    while (this.head < list.length && list[this.head]!.end <= this.released)
      this.recorded.delete(list[this.head++]!.key);
    if (this.head > 1024 && 2 * this.head > list.length) {
      list.splice(0, this.head);
      this.head = 0;
    }
    this.text.drop(Math.min(this.released, this.settled) - CONTEXT);
  }

  /**
   * The trigger hold for the text [from, end) (`end`: the length, or one less when the text
   * ends in half a character). A trigger that may still hold starts at or after `settled`:
   * one before it was settled when `settled` passed it (and stays so: a settle test that
   * matched keeps matching as text is added), and one straddling it was, at the last hold, a
   * partial trigger at the end, which holds from where it starts. So only [settled, end) is
   * scanned; the triggers seen before are remembered (`scan.last`) to run the checks, which
   * see [from, end), exactly when a scan of all of it would have seen one.
   */
  private hold(from: number, end: number): number {
    const at = Math.max(this.text.start, this.settled);
    let hold = this.scan.hold(this.text.slice(at, end), at);
    if (this.scan.ignorable >= 0) this.ignorable = at + this.scan.ignorable;
    this.triggered = this.scan.triggered || this.scan.last >= from;
    // The detectors read the text without Default_Ignorable code points: `gh\u200Bp_…` holds
    // like `ghp_…`. With one among [from, end), the skeleton of all of it is scanned too; a
    // hold inside the skeleton maps back to just after the skeleton character before it.
    if (this.ignorable < from) return hold;
    const sk = skeleton(this.text.slice(from, end));
    if (!sk.map) return hold;
    const n = sk.text.length;
    const h = this.skeletonScan.hold(sk.text, 0);
    this.triggered ||= this.skeletonScan.triggered;
    if (h < n) hold = Math.min(hold, h <= 0 ? from + h : from + sk.map[h - 1]! + 1);
    return hold;
  }

  /** The release boundary for a span boundary: nothing before the end when a rule holds all. */
  private releasable(boundary: number): number {
    if (this.holdAll && !this.final) return this.released;
    let b = Math.min(boundary, this.length);
    // Never between the halves of a surrogate pair: the low half may be the next chunk's.
    if (!this.final && b > this.released && isHighSurrogate(this.text.charCodeAt(b - 1))) b--;
    return Math.max(this.released, b);
  }

  /**
   * Re-checks the text after what is settled; returns the new release boundary (confirmed
   * redactions are recorded; a confirmed block sets `blocked`).
   */
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
    let boundary = length;
    if (!this.final) {
      // A high surrogate at the end is half a character: judge the text without it.
      const end = isHighSurrogate(this.text.charCodeAt(length - 1)) ? length - 1 : length;
      boundary = Math.min(this.hold(from, end), end);
      if (this.failExpired()) return this.released;
    }
    // Every match contains a trigger: with none near the unreleased text, nothing can match.
    if (this.final || this.triggered || this.plan.window) {
      const found = this.check(this.text.slice(from), from);
      if (!found) return this.released;
      // A match that reaches the end of the text may still grow: hold from its start.
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

  /**
   * Runs the span rules on `text` (the whole text from `from`), and at the end the others on
   * the whole text; returns the new spans in start order, or undefined once blocked.
   */
  private check(text: string, from: number): Found[] | undefined {
    const input = { text, toolCalls: [], finishReason: undefined, request: this.request };
    let whole: typeof input | undefined;
    const found: Found[] = [];
    // Each check is timed from the end of the one before (one clock read per check).
    let t0 = performance.now();
    for (const r of this.rules) {
      if (!r.spans && !this.final) continue;
      let on = input;
      if (!r.spans) {
        const start = Math.max(this.text.start, this.released - CONTEXT);
        on = whole ??= start === from ? input : { ...input, text: this.text.slice(start) };
        t0 = performance.now();
      }
      const out = runCheck(r.instance, on);
      const t1 = performance.now();
      const ms = t1 - t0;
      t0 = t1;
      if (out.status === 'error' && r.onError === 'closed')
        return this.block(r, 'error', out.message, ms);
      if (out.status !== 'fail') continue;
      if (!r.spans || out.spans.length === 0) {
        if (r.action === 'block') return this.block(r, 'fail', out.detail, ms);
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

  /**
   * Fails the rules whose triggers expired still growing (`Trigger.expire`): a block blocks
   * (true), a redaction redacts the trigger's text, which is not released yet (the trigger held
   * from it until this scan).
   */
  private failExpired(): boolean {
    for (const { t, q } of this.scan.expired) {
      const r = this.plan.owner.get(t);
      if (!r) continue;
      const detail = 'a construct outgrew the stream hold and cannot be judged';
      if (r.action === 'block') {
        this.block(r, 'fail', detail, 0);
        return true;
      }
      const end = q + (typeof t.text === 'string' ? t.text.length : 1);
      const key = `${q}:${end}`;
      if (end > this.released && !this.recorded.has(key))
        this.record({
          start: Math.max(q, this.released),
          end,
          rule: r.rule,
          replace: undefined,
          key,
        });
    }
    return false;
  }

  /** Adds a redaction in render order (almost always last: they are found in order). */
  private record(r: Recorded): void {
    const list = this.redactions;
    let i = list.length;
    while (i > this.head && byStart(list[i - 1]!, r) > 0) i--;
    if (i === list.length) list.push(r);
    else list.splice(i, 0, r);
    this.recorded.add(r.key);
  }

  private block(r: GateRule, status: 'fail' | 'error', detail: string, ms: number): undefined {
    this.blocked = { ...blockResult(r, this.choice, status, detail), durationSeconds: ms / 1000 };
    return undefined;
  }

  /** Text of [a, b) with the confirmed redactions applied (a span is marked where it starts). */
  render(a: number, b: number): { text: string; changed: boolean } {
    if (this.head === this.redactions.length)
      return { text: this.text.slice(a, b), changed: false };
    return redactSorted({
      slice: (x, y) => this.text.slice(x, y),
      spans: this.redactions,
      first: this.head,
      from: a,
      to: b,
    });
  }
}

interface Found {
  start: number;
  end: number;
  r: GateRule;
  replace: string | undefined;
  key: string;
}
