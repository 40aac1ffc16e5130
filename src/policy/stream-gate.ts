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
import type { Check, CheckOutcome, Trigger } from './checks/types.js';
import type { CompiledPolicy } from './compiled.js';

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

export interface Redaction {
  start: number;
  end: number;
  rule: string;
  replace: string | undefined;
}

/** Released context the checks see before the unreleased text (lookbehind, key names). */
const CONTEXT = 64;

/**
 * The enforcing rules of the selected policies that a stream must gate on. `spanChecks`:
 * ids of checks that report spans (those that support `redact`).
 */
export function gateRules(
  policies: readonly CompiledPolicy[],
  spanChecks: ReadonlySet<string>,
): GateRule[] {
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
        spans: spanChecks.has(r.check),
      });
    }
  }
  return out;
}

function startsLike(tail: string, trigger: string): boolean {
  return trigger.startsWith(tail);
}

export class ChoiceGate {
  text = '';
  released = 0;
  final = false;
  readonly redactions: Redaction[] = [];
  blocked: RuleResult | undefined;
  private readonly holdAll: boolean;

  constructor(
    private readonly rules: readonly GateRule[],
    private readonly request: RequestInfo,
    private readonly window: number,
    readonly choice: number,
  ) {
    this.holdAll = rules.some((r) => !r.spans && !r.instance.stream);
  }

  push(delta: string): void {
    this.text += delta;
  }

  /** The earliest index a match through a trigger (or a partial trigger at the end) could start. */
  private holdFrom(): number {
    const T = this.text;
    if (this.final) return T.length;
    if (this.holdAll) return this.released;
    // ASCII-only lower-casing keeps indexes aligned with the text (triggers are ASCII).
    const lower = T.slice(Math.max(0, this.released - CONTEXT)).replace(/[A-Z]+/g, (c) =>
      c.toLowerCase(),
    );
    const base = Math.max(0, this.released - CONTEXT);
    let hold = T.length;
    for (const r of this.rules) {
      const triggers = r.instance.stream?.triggers;
      if (!triggers) {
        hold = Math.min(hold, T.length - this.window);
        continue;
      }
      for (const t of triggers) hold = Math.min(hold, this.triggerHold(t, lower, base));
    }
    return Math.max(this.released, hold);
  }

  private triggerHold(t: Trigger, lower: string, base: number): number {
    const T = this.text;
    let hold = T.length;
    const unsettled = (q: number, len: number) => {
      if (q - t.lead + t.maxSpan <= T.length) return false;
      return !(t.settle && t.settle.test(T.slice(q + len)));
    };
    if (typeof t.text === 'string') {
      for (let i = lower.indexOf(t.text); i !== -1; i = lower.indexOf(t.text, i + 1)) {
        if (unsettled(base + i, t.text.length)) {
          hold = Math.min(hold, base + i - t.lead);
          break;
        }
      }
      // A trigger that may be completed by the next chunk.
      for (let k = Math.min(t.text.length - 1, lower.length); k > 0; k--) {
        if (startsLike(lower.slice(lower.length - k), t.text)) {
          hold = Math.min(hold, T.length - k - t.lead);
          break;
        }
      }
    } else {
      const re = new RegExp(
        t.text.source,
        t.text.flags.includes('g') ? t.text.flags : `${t.text.flags}g`,
      );
      for (let m = re.exec(lower); m; m = re.exec(lower)) {
        if (unsettled(base + m.index, m[0].length)) {
          hold = Math.min(hold, base + m.index - t.lead);
          break;
        }
      }
    }
    return hold;
  }

  /**
   * Re-checks the unreleased text; returns the new release boundary (confirmed redactions
   * are recorded; a confirmed block sets `blocked`).
   */
  advance(): number {
    let boundary = this.holdFrom();
    if (this.blocked) return this.released;
    const from = Math.max(0, this.released - CONTEXT);
    const input = {
      text: this.text.slice(from),
      toolCalls: [],
      finishReason: undefined,
      request: this.request,
    };
    const found: { start: number; end: number; r: GateRule; replace: string | undefined }[] = [];
    for (const r of this.rules) {
      if (!r.spans && !this.final) continue;
      const t0 = performance.now();
      let out: CheckOutcome;
      try {
        out = r.instance.evaluate(input);
      } catch (e) {
        out = {
          status: 'error',
          message: `check failed with ${e instanceof Error ? e.name : 'an exception'}`,
        };
      }
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
      if (!this.final && f.end >= this.text.length) boundary = Math.min(boundary, f.start);
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
    let out = '';
    let pos = a;
    let changed = false;
    for (const r of [...this.redactions].sort((x, y) => x.start - y.start || y.end - x.end)) {
      if (r.end <= a || r.start >= b || r.end <= pos) continue;
      changed = true;
      const s = Math.max(r.start, pos);
      out += this.text.slice(pos, s);
      // Overlapping spans merge: only a span that starts in fresh text gets a marker.
      if (r.start >= a && r.start >= pos) out += r.replace ?? `[REDACTED:${r.rule}]`;
      pos = Math.max(pos, Math.min(r.end, b));
    }
    return { text: out + this.text.slice(pos, b), changed };
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
  const redactions = new Map<number, Redaction[]>();
  for (const r of rules) {
    let out: CheckOutcome;
    try {
      out = r.instance.evaluate({ text: '', toolCalls: calls, finishReason: undefined, request });
    } catch {
      out = { status: 'error', message: 'check failed' };
    }
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
  for (const [i, rs] of redactions) {
    const g = new ChoiceGate([], request, 0, choice);
    g.push(calls[i]!.arguments);
    g.redactions.push(...rs);
    args.set(i, g.render(0, calls[i]!.arguments.length).text);
  }
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
