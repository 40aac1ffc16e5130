/**
 * Runs one canary now (judge.ts decides by its kind; every call goes through the proxy's own
 * pipeline, call.ts). A run is one root span with its results.
 */
import { noopTracing } from '../model/tracing.js';
import type { Called, CanaryOutcome, RunnerDeps } from './call.js';
import type { Judged } from './judge.js';
import { judge } from './judge.js';
import type { Canary } from './loader.js';
import { canaryKind } from './loader.js';
import type { Evidence } from './sequential.js';

export type { Called, CanaryOutcome, RunnerDeps } from './call.js';
export { sample } from './call.js';

export interface CanaryResult {
  id: string;
  upstream: string;
  model: string;
  result: CanaryOutcome;
  /** Why it failed or errored; quotes at most a short prefix of an answer. */
  reasons: string[];
  /** Distribution and logprob probes: the permutation p-value. */
  pValue: number | undefined;
  /** Sequential distribution probes: the running evidence after this run. */
  evidence: Evidence | undefined;
  /** Tokens the run cost (input + output, as the upstream reported them). */
  tokens: number;
  calls: number;
  durationSeconds: number;
  /** Unix time (ms) the run ended. */
  finishedAt: number;
}

/**
 * A failure reason as logs, the audit log and the status page may carry it: every quoted string
 * (answer previews, upstream messages: `preview` and JSON.stringify quote them) becomes `"…"`.
 */
export function publicReason(reason: string): string {
  return reason.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').slice(0, 300);
}

export function runCanary(deps: RunnerDeps, c: Canary): Promise<CanaryResult> {
  const info = { id: c.id, upstream: c.upstream, model: c.model, kind: canaryKind(c) };
  return (deps.tracing ?? noopTracing).canaryRun(
    info,
    async () => {
      const t0 = performance.now();
      const spent: Called[] = [];
      let judged: Judged;
      try {
        judged = await judge(deps, c, spent);
      } catch (e) {
        judged = { result: 'error', reasons: [`canary run failed: ${(e as Error).message}`] };
      }
      const result: CanaryResult = {
        id: c.id,
        upstream: c.upstream,
        model: c.model,
        result: judged.result,
        reasons: judged.reasons,
        pValue: judged.pValue,
        evidence: judged.evidence,
        tokens: spent.reduce((n, s) => n + s.tokens, 0),
        calls: spent.length,
        durationSeconds: (performance.now() - t0) / 1000,
        finishedAt: Date.now(),
      };
      return result;
    },
    // Reasons may quote the start of an answer: they go to the CLI and admin API, not telemetry.
    (r) => ({
      result: r.result,
      calls: r.calls,
      tokens: r.tokens,
      pValue: r.pValue,
      evidence: r.evidence?.value,
      failures: r.reasons.length,
    }),
  );
}
