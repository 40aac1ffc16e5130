/**
 * Live responses by decision over the last hour, for the status page: a ring of 60 per-minute
 * buckets, so recording is O(1) and memory fixed however much traffic passes. The window is
 * the current minute and the 59 before it (between 59 and 60 minutes of history).
 *
 * Live traffic only, like `coalmine_decisions_total`: canary probes are not counted.
 */
import type { Sink, TelemetryEvent } from '../model/sink.js';

/** What a live request's answer carried (as `x-coalmine-decision` says it). */
export type RecentDecision = 'pass' | 'flag' | 'redact' | 'block' | 'quarantined';

const DECISIONS: readonly RecentDecision[] = ['pass', 'flag', 'redact', 'block', 'quarantined'];
const MINUTE_MS = 60_000;
const BUCKETS = 60;

export type DecisionCounts = Record<RecentDecision, number>;

const zero = (): DecisionCounts => ({ pass: 0, flag: 0, redact: 0, block: 0, quarantined: 0 });

export class RecentDecisions implements Sink {
  /** The minute (ms since the epoch / 60,000) each bucket holds; -1: never used. */
  private readonly minutes = new Array<number>(BUCKETS).fill(-1);
  private readonly buckets: DecisionCounts[] = Array.from({ length: BUCKETS }, zero);

  constructor(private readonly now: () => number = Date.now) {}

  /** The window's length in seconds. */
  readonly windowSeconds = (BUCKETS * MINUTE_MS) / 1000;

  record(e: TelemetryEvent): void {
    if (e.kind !== 'request' || e.source !== 'live') return;
    const decision: RecentDecision = e.verdict
      ? e.verdict.decision
      : e.errorCode === 'MODEL_QUARANTINED'
        ? 'quarantined'
        : 'pass';
    const minute = Math.floor(this.now() / MINUTE_MS);
    const i = minute % BUCKETS;
    if (this.minutes[i] !== minute) {
      // The bucket last held a minute an hour or more ago: start it afresh.
      this.minutes[i] = minute;
      this.buckets[i] = zero();
    }
    this.buckets[i]![decision]++;
  }

  /** Responses by decision in the window ending now. */
  counts(): DecisionCounts {
    const current = Math.floor(this.now() / MINUTE_MS);
    const out = zero();
    for (let i = 0; i < BUCKETS; i++) {
      const m = this.minutes[i]!;
      if (m > current - BUCKETS && m <= current)
        for (const d of DECISIONS) out[d] += this.buckets[i]![d];
    }
    return out;
  }
}
