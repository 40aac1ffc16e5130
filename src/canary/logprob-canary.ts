/**
 * Logprob canaries: from the tokens an adapter parsed to the comparison with the baseline's
 * calls (the statistics are in logprob-test.ts), and the reasons a run fails for.
 */
import type { TokenLogprob } from '../model/exchange.js';
import type { BaselineLogprobs } from './baseline.js';
import type { LogprobTrace, TopLogprob } from './logprob-test.js';
import { logprobTest, minPValue } from './logprob-test.js';
import type { LogprobSpec } from './schema.js';

export const NO_LOGPROBS =
  'the upstream returned no logprobs; logprob canaries need an upstream that returns them (a chat or completions API asked for logprobs)';

/** The first `positions` tokens of an answer, each as its top tokens with the chosen one among them. */
export function logprobTrace(tokens: readonly TokenLogprob[], positions: number): TopLogprob[][] {
  return tokens.slice(0, positions).map((t) => {
    const top = t.top.map((x) => ({ token: x.token, logprob: x.logprob }));
    if (!top.some((x) => x.token === t.token)) top.push({ token: t.token, logprob: t.logprob });
    return top;
  });
}

export interface LogprobVerdict {
  ok: boolean;
  pValue: number | undefined;
  reasons: string[];
}

const quote = (token: string) =>
  JSON.stringify(token.length > 16 ? `${token.slice(0, 16)}…` : token);

/** Compares a run's calls with the baseline's: fails when p < alpha, naming what moved. */
export function compareLogprobs(
  spec: LogprobSpec,
  baseline: BaselineLogprobs,
  run: readonly LogprobTrace[],
  seed: number,
): LogprobVerdict {
  if (baseline.top_k !== spec.top_k || baseline.tokens !== spec.tokens)
    return {
      ok: false,
      pValue: undefined,
      reasons: [
        `the baseline was recorded with top_k ${baseline.top_k} and tokens ${baseline.tokens}, the canary asks for ${spec.top_k} and ${spec.tokens}: re-record it`,
      ],
    };
  const floor = minPValue(baseline.calls.length, run.length, spec.permutations);
  if (baseline.calls.length < 2 || floor >= spec.alpha)
    return {
      ok: false,
      pValue: undefined,
      reasons: [
        `the baseline has ${baseline.calls.length} calls: too few for a p-value below alpha ${spec.alpha}; re-record it with more`,
      ],
    };
  const r = logprobTest(baseline.calls, run, {
    positions: spec.tokens,
    permutations: spec.permutations,
    seed,
  });
  const largest = Math.abs(r.shifts[0]?.shift ?? 0);
  if (r.pValue >= spec.alpha || largest < spec.min_shift)
    return { ok: true, pValue: r.pValue, reasons: [] };
  const moved = r.shifts
    .slice(0, 3)
    .map(
      (s) =>
        `position ${s.position} ${quote(s.token)} ${s.shift >= 0 ? '+' : ''}${s.shift.toFixed(3)}`,
    )
    .join(', ');
  return {
    ok: false,
    pValue: r.pValue,
    reasons: [
      `top-${spec.top_k} logprobs moved from the baseline: p = ${r.pValue.toPrecision(3)} < alpha ${spec.alpha}; largest shifts (nats): ${moved}`,
    ],
  };
}
