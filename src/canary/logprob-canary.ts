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
  'the upstream returned no logprobs, or none that could be read; logprob canaries need an upstream that returns them (a chat or completions API asked for logprobs)';

/**
 * The first `positions` tokens of an answer, each as its `topK` most likely tokens with the
 * chosen one among them. What an upstream sends beyond that is dropped, whatever its size: a
 * hostile upstream answering with 10,000 alternatives (or the same token twice) costs no more
 * than an honest one.
 */
export function logprobTrace(
  tokens: readonly TokenLogprob[],
  positions: number,
  topK: number,
): TopLogprob[][] {
  return tokens.slice(0, positions).map((t) => {
    const seen = new Set<string>();
    const top: TopLogprob[] = [];
    for (const x of [...t.top].sort((a, b) => b.logprob - a.logprob)) {
      if (top.length >= topK) break;
      if (seen.has(x.token) || !Number.isFinite(x.logprob)) continue;
      seen.add(x.token);
      top.push({ token: x.token, logprob: x.logprob });
    }
    if (!seen.has(t.token)) top.push({ token: t.token, logprob: t.logprob });
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
