/**
 * A canary result as JSON, the one shape for the admin API (`GET /admin/canaries`,
 * `POST /admin/canaries/:id/run`) and `coalmine canary run --json`: snake_case keys, durations
 * in seconds, RFC 3339 times. test/unit/commands/canary-json.test.ts compares the two outputs.
 */
import type { CanaryResult } from './runner.js';

export interface CanaryResultJson {
  id: string;
  upstream: string;
  model: string;
  result: CanaryResult['result'];
  reasons: string[];
  /** Distribution canaries: the permutation p-value; absent otherwise. */
  p_value: number | undefined;
  /**
   * Sequential distribution canaries: the running evidence after the run, and `alarm`, where it
   * first reached its threshold (once it did); absent otherwise.
   */
  evidence:
    | {
        value: number;
        threshold: number;
        completions: number;
        epoch: number;
        alarm: { value: number; threshold: number; completions: number } | undefined;
      }
    | undefined;
  tokens: number;
  calls: number;
  duration_seconds: number;
  /** RFC 3339 (UTC). */
  finished_at: string;
}

export function canaryResultJson(r: CanaryResult): CanaryResultJson {
  return {
    id: r.id,
    upstream: r.upstream,
    model: r.model,
    result: r.result,
    reasons: r.reasons,
    p_value: r.pValue,
    evidence: r.evidence && {
      value: r.evidence.value,
      threshold: r.evidence.threshold,
      completions: r.evidence.completions,
      epoch: r.evidence.epoch,
      alarm: r.evidence.alarm,
    },
    tokens: r.tokens,
    calls: r.calls,
    duration_seconds: r.durationSeconds,
    finished_at: new Date(r.finishedAt).toISOString(),
  };
}
