/**
 * Streaming enforcement for one choice's text: decides how much of the text so far may be
 * released to the client. Every enforcing rule (enforce mode, `block` or `redact`) holds back
 * only what could still grow into a match — from each unsettled trigger of its check (or, for
 * checks without triggers, the last `window` characters) — and the checks run on the
 * unreleased text (plus a little released context), so the cost per chunk is bounded by what
 * is held, not by the length of the output. A match is confirmed only once it can no longer
 * grow; text before the earliest possible match is released at once, with confirmed redactions
 * applied. Rules whose checks do not find spans can only decide on the whole text: when one of
 * them may block, the choice is held until it ends.
 */
import type { RequestInfo } from '../model/exchange.js';
import type { RuleResult, Severity } from '../model/verdict.js';
import { checks } from './checks/registry.js';
import type { Check, Trigger } from './checks/types.js';
import { runCheck } from './checks/types.js';
import { redactRange, redactText } from './redact.js';
import type { Labelled } from './redact.js';
import type { CompiledPolicy } from './compiled.js';
import { trieSource } from './checks/support/trie.js';

export interface GateRule {
  policy: string;
  rule: string;
  check: string;
  action: 'block' | 'redact';
  severity: Severity;
  onError: 'open' | 'closed';
  instance: Check;
  /** The check reports spans (it can hold back a tail instead of the whole text). */
  spans: boolean;
}

/** Released context the checks see before the unreleased text (lookbehind, key names). */
const CONTEXT = 64;

/** Checks that report spans (those that support `redact`) hold back a tail, not a whole choice. */
const SPAN_CHECKS: ReadonlySet<string> = new Set(
  checks.filter((c) => c.actions.includes('redact')).map((c) => c.id),
);

/** The enforcing rules of the selected policies that a stream must gate on. */
export function gateRules(policies: readonly CompiledPolicy[]): GateRule[] {
  const out: GateRule[] = [];
  for (const p of policies) {
    if (p.mode !== 'enforce') continue;
    for (const r of p.rules) {
      if (r.action === 'flag') continue;
      out.push({
        policy: p.name,
        rule: r.id,
        check: r.check,
        action: r.action,
        severity: r.severity,
        onError: p.onError,
        instance: r.instance,
        spans: SPAN_CHECKS.has(r.check),
      });
    }
  }
  return out;
}

/** The triggers of a rule set, compiled once and shared by every stream using those rules. */
interface Plan {
  /** Any trigger, in one pass over lower-cased text. */
  any: RegExp;
  byText: Map<string, Trigger[]>;
  classes: Trigger[];
  /** Proper prefixes of literal triggers, with the longest lead among them. */
  prefixes: Map<string, number>;
  longestPrefix: number;
  /** Some rule's check names no triggers: hold the window and always re-check. */
  window: boolean;
}

const plans = new WeakMap<readonly GateRule[], Plan>();

function planFor(rules: readonly GateRule[]): Plan {
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
  plan = {
    any: new RegExp(sources.join('|') || '(?!)', 'g'),
    byText,
    classes,
    prefixes,
    longestPrefix: Math.max(0, ...[...prefixes.keys()].map((p) => p.length)),
    window,
  };
  plans.set(rules, plan);
  return plan;
}

export class ChoiceGate {
  /**
   * The text from `base` on. Released text more than CONTEXT characters back is dropped:
   * slicing a string that keeps growing by `+=` would flatten all of it on every chunk.
   */
  private tail = '';
  private base = 0;
  released = 0;
  final = false;
  readonly redactions: Labelled[] = [];
  blocked: RuleResult | undefined;
  private readonly holdAll: boolean;
  private readonly plan: Plan;
  /** Whether the last hold computation saw any trigger (or partial trigger) near the unreleased text. */
  private triggered = false;

  constructor(
    private readonly rules: readonly GateRule[],
    private readonly request: RequestInfo,
    private readonly window: number,
    readonly choice: number,
  ) {
    this.holdAll = rules.some((r) => !r.spans && !r.instance.stream);
    this.plan = planFor(rules);
  }

  push(delta: string): void {
    this.tail += delta;
  }

  /** Length of the whole text so far. */
  get length(): number {
    return this.base + this.tail.length;
  }

  /** Text of [a, b) in whole-text offsets; `a` must not be before the kept context. */
  slice(a: number, b = this.length): string {
    return this.tail.slice(a - this.base, b - this.base);
  }

  /** Marks text up to `to` as sent, and forgets what no check needs any more. */
  release(to: number): void {
    this.released = Math.max(this.released, to);
    const keep = this.released - CONTEXT;
    if (keep - this.base > 4096) {
      this.tail = this.tail.slice(keep - this.base);
      this.base = keep;
    }
  }

  /** The earliest index a match through a trigger (or a partial trigger at the end) could start. */
  private holdFrom(): number {
    const length = this.length;
    this.triggered = false;
    if (this.final) return length;
    if (this.holdAll) return this.released;
    const plan = this.plan;
    const base = Math.max(this.base, this.released - CONTEXT);
    // ASCII-only lower-casing keeps indexes aligned with the text (triggers are ASCII).
    const lower = this.slice(base).replace(/[A-Z]+/g, (c) => c.toLowerCase());
    let hold = plan.window ? length - this.window : length;
    plan.any.lastIndex = 0;
    for (let m = plan.any.exec(lower); m; m = plan.any.exec(lower)) {
      this.triggered = true;
      const q = base + m.index;
      // The trie reports the shortest literal at a position: consider every one starting there.
      for (const [text, ts] of plan.byText) {
        if (!lower.startsWith(text, m.index)) continue;
        for (const t of ts)
          if (this.unsettled(t, q, text.length)) hold = Math.min(hold, q - t.lead);
      }
      for (const t of plan.classes) {
        if ((t.text as RegExp).test(m[0]) && this.unsettled(t, q, m[0].length))
          hold = Math.min(hold, q - t.lead);
      }
      if (m[0].length === 0) plan.any.lastIndex++;
    }
    // A trigger the next chunk may complete.
    for (let k = Math.min(plan.longestPrefix, lower.length); k > 0; k--) {
      const lead = plan.prefixes.get(lower.slice(lower.length - k));
      if (lead !== undefined) {
        this.triggered = true;
        hold = Math.min(hold, length - k - lead);
      }
    }
    return Math.max(this.released, hold);
  }

  private unsettled(t: Trigger, q: number, len: number): boolean {
    if (q - t.lead + t.maxSpan <= this.length) return false;
    return !(t.settle && t.settle.test(this.slice(q + len)));
  }

  /**
   * Re-checks the unreleased text; returns the new release boundary (confirmed redactions
   * are recorded; a confirmed block sets `blocked`).
   */
  advance(): number {
    let boundary = this.holdFrom();
    if (this.blocked) return this.released;
    // Every match contains a trigger: with none near the unreleased text, nothing can match.
    if (!this.final && !this.triggered && !this.plan.window) return boundary;
    const from = Math.max(this.base, this.released - CONTEXT);
    const input = {
      text: this.slice(from),
      toolCalls: [],
      finishReason: undefined,
      request: this.request,
    };
    const found: { start: number; end: number; r: GateRule; replace: string | undefined }[] = [];
    for (const r of this.rules) {
      if (!r.spans && !this.final) continue;
      const t0 = performance.now();
      const out = runCheck(r.instance, input);
      const ms = performance.now() - t0;
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
        if (end <= this.released || this.redactions.some((x) => x.start === start && x.end === end))
          continue;
        found.push({ start, end, r, replace: s.replace });
      }
    }
    // A match that reaches the end of the text may still grow: hold from its start.
    found.sort((a, b) => a.start - b.start);
    for (const f of found)
      if (!this.final && f.end >= this.length) boundary = Math.min(boundary, f.start);
    for (const f of found)
      if (f.start < boundary && f.end > boundary) boundary = Math.min(boundary, f.start);
    for (const f of found) {
      if (f.start >= boundary) continue;
      if (f.r.action === 'block') return this.block(f.r, 'fail', 'matched in the stream', 0);
      this.redactions.push({
        start: Math.max(f.start, this.released),
        end: f.end,
        rule: f.r.rule,
        replace: f.replace,
      });
    }
    return Math.max(this.released, boundary);
  }

  private block(r: GateRule, status: 'fail' | 'error', detail: string, ms: number): number {
    this.blocked = { ...blockResult(r, this.choice, status, detail), durationSeconds: ms / 1000 };
    return this.released;
  }

  /** Text of [a, b) with the confirmed redactions applied (a span is marked where it starts). */
  render(a: number, b: number): { text: string; changed: boolean } {
    const shifted = this.redactions.map((r) => ({
      ...r,
      start: r.start - this.base,
      end: r.end - this.base,
    }));
    return redactRange(this.tail, shifted, a - this.base, b - this.base);
  }
}

/** Tool calls are checked once complete: a block, or the redacted arguments by call index. */
export function checkToolCalls(
  rules: readonly GateRule[],
  request: RequestInfo,
  choice: number,
  calls: readonly { id: string | undefined; name: string; arguments: string }[],
): { blocked: RuleResult | undefined; args: Map<number, string> } {
  const args = new Map<number, string>();
  const redactions = new Map<number, Labelled[]>();
  for (const r of rules) {
    const out = runCheck(r.instance, {
      text: '',
      toolCalls: calls,
      finishReason: undefined,
      request,
    });
    if (out.status === 'error' && r.onError === 'closed')
      return { blocked: blockResult(r, choice, 'error', out.message), args };
    if (out.status !== 'fail') continue;
    const spans = out.spans.filter((s) => s.toolCall !== undefined);
    if (r.action === 'block' || spans.length === 0) {
      if (r.action === 'block')
        return { blocked: blockResult(r, choice, 'fail', out.detail), args };
      continue;
    }
    for (const s of spans)
      redactions.set(s.toolCall!, [
        ...(redactions.get(s.toolCall!) ?? []),
        { start: s.start, end: s.end, rule: r.rule, replace: s.replace },
      ]);
  }
  for (const [i, rs] of redactions) args.set(i, redactText(calls[i]!.arguments, rs));
  return { blocked: undefined, args };
}

function blockResult(
  r: GateRule,
  choice: number,
  status: 'fail' | 'error',
  detail: string,
): RuleResult {
  return {
    policy: r.policy,
    rule: r.rule,
    check: r.check,
    action: 'block',
    severity: r.severity,
    mode: 'enforce',
    status,
    choice,
    spans: [],
    detail,
    durationSeconds: 0,
  };
}
