/**
 * The rules a stream is gated on: the enforcing (`block` / `redact`) rules of the selected
 * policies, in enforce mode, with what the gate needs to know of each.
 */
import type { RuleResult, Severity } from '../model/verdict.js';
import { checks } from './checks/registry.js';
import type { Check } from './checks/types.js';
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
  /** False when the rule opted out of the model's reasoning text. */
  reasoning: boolean;
}

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
        reasoning: r.reasoning !== false,
      });
    }
  }
  return out;
}

/** The result a gate records when a rule blocks the stream (or fails closed). */
export function blockResult(
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
