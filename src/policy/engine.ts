/**
 * The policy engine: selects the policies whose `match` holds, runs every rule on every
 * choice, and folds the results into one verdict (strongest action wins; shadow policies
 * are recorded, never enforced; a check that throws or overruns its budget is an `error`,
 * handled by its policy's `on_error`).
 */
import type { NormalisedResponse, RequestInfo } from '../model/exchange.js';
import type { Decision, RuleResult, Verdict } from '../model/verdict.js';
import { stronger } from '../model/verdict.js';
import type { CheckOutcome } from './checks/types.js';
import { runCheck } from './checks/types.js';
import type { CompiledPolicy, PolicySet } from './compiled.js';

export interface EvaluateContext {
  upstream: string;
  request: RequestInfo;
  response: NormalisedResponse;
}

export interface EngineLimits {
  /** A choice longer than this (text plus tool-call arguments) is not scanned: `error`. */
  maxScanChars: number;
  /** A check that takes longer than this is an `error` (checks are synchronous). */
  budgetMs: number;
}

export function selectPolicies(
  set: PolicySet,
  upstream: string,
  model: string | undefined,
): CompiledPolicy[] {
  return set.policies.filter(
    (p) =>
      (!p.upstreams || p.upstreams.has(upstream)) &&
      (!p.models || (model !== undefined && p.models.some((re) => re.test(model)))),
  );
}

export function evaluate(set: PolicySet, ctx: EvaluateContext, limits: EngineLimits): Verdict {
  const results: RuleResult[] = [];
  let decision: Decision = 'pass';
  let blockedBy: RuleResult | undefined;

  for (const policy of selectPolicies(set, ctx.upstream, ctx.request.model)) {
    for (const choice of ctx.response.choices) {
      if (!choice) continue;
      const size =
        choice.text.length + choice.toolCalls.reduce((n, c) => n + c.arguments.length, 0);
      const input = {
        text: choice.text,
        toolCalls: choice.toolCalls,
        finishReason: choice.finishReason,
        request: ctx.request,
        vector: choice.vector,
      };
      for (const rule of policy.rules) {
        const t0 = performance.now();
        let out: CheckOutcome;
        if (size > limits.maxScanChars) {
          out = {
            status: 'error',
            message: `output of ${size} characters exceeds the ${limits.maxScanChars}-character scan limit`,
          };
        } else {
          out = runCheck(rule.instance, input);
        }
        const ms = performance.now() - t0;
        if (ms > limits.budgetMs && out.status !== 'error') {
          out = {
            status: 'error',
            message: `check took ${ms.toFixed(1)} ms, over its ${limits.budgetMs} ms budget`,
          };
        }
        const r: RuleResult = {
          policy: policy.name,
          rule: rule.id,
          check: rule.check,
          action: rule.action,
          severity: rule.severity,
          mode: policy.mode,
          status: out.status,
          choice: choice.index,
          spans: out.status === 'fail' ? out.spans : [],
          detail:
            out.status === 'fail' ? out.detail : out.status === 'error' ? out.message : undefined,
          durationSeconds: ms / 1000,
        };
        results.push(r);
        if (policy.mode === 'shadow') continue;
        const effect: Decision =
          r.status === 'fail'
            ? rule.action
            : r.status === 'error' && policy.onError === 'closed'
              ? 'block'
              : 'pass';
        decision = stronger(decision, effect);
        if (effect === 'block') blockedBy ??= r;
      }
    }
  }
  return { decision, policyVersion: set.version, results, blockedBy };
}

/** The block message: names policy and rule, never the matched content. */
export function blockMessage(r: RuleResult): string {
  if (r.status === 'error') {
    return `Coalmine could not check this response: policy "${r.policy}" rule "${r.rule}" failed to evaluate and the policy fails closed`;
  }
  return `Coalmine blocked this response: policy "${r.policy}" rule "${r.rule}" (severity ${r.severity})`;
}
