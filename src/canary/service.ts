/**
 * The canaries of a running proxy: runs them (on schedule or on demand), keeps the last
 * result of each for the admin API, and reports every run to the sink (metrics, quarantine).
 * With replicas, one of them runs the schedule (the canary lease, `state/redis-canaries.ts`):
 * its results reach the others through `adopt`, which updates what they show (admin API,
 * status page, the state gauges) without counting the run again or acting on it.
 */
import type { CanaryRecord, Sink } from '../model/sink.js';
import type { Canary } from './loader.js';
import type { CanaryResult, RunnerDeps } from './runner.js';
import { pool } from './pool.js';
import { publicReason, runCanary } from './runner.js';
import { CanaryScheduler } from './scheduler.js';

export class CanaryService {
  private readonly last = new Map<string, CanaryResult>();
  private scheduler: CanaryScheduler | undefined;
  /** Another replica runs the schedule (this one adopted a result of it, or handed it over). */
  private elsewhere = false;
  private stopped = false;
  private readonly listeners: ((r: CanaryResult) => void)[] = [];

  constructor(
    readonly canaries: readonly Canary[],
    readonly runnerDeps: RunnerDeps,
    private readonly sink: Sink,
    /** Where another replica's results are shown (state gauges only: the run is not counted). */
    private readonly shown: (e: CanaryRecord) => void = () => {},
  ) {}

  /** Calls `fn` with every result of a run made here. */
  onResult(fn: (r: CanaryResult) => void): void {
    this.listeners.push(fn);
  }

  async run(c: Canary): Promise<CanaryResult> {
    const r = await runCanary(this.runnerDeps, c);
    const previous = this.last.get(c.id)?.result;
    this.last.set(c.id, r);
    this.sink.record(this.record(r, previous));
    for (const fn of this.listeners) fn(r);
    return r;
  }

  /**
   * A result of a run another replica made: kept (when newer than the last one here) and shown,
   * but neither counted nor acted on: the replica that ran it did both.
   */
  adopt(r: CanaryResult): void {
    if (!this.get(r.id)) return;
    const have = this.last.get(r.id);
    if (have && have.finishedAt >= r.finishedAt) return;
    this.elsewhere = true;
    this.last.set(r.id, r);
    this.shown(this.record(r, have?.result));
  }

  private record(r: CanaryResult, previous: CanaryResult['result'] | undefined): CanaryRecord {
    return {
      kind: 'canary',
      canary: r.id,
      upstream: r.upstream,
      model: r.model,
      result: r.result,
      previous,
      reason: r.reasons[0] === undefined ? undefined : publicReason(r.reasons[0]),
      pValue: r.pValue,
      evidence: r.evidence && { value: r.evidence.value, threshold: r.evidence.threshold },
      tokens: r.tokens,
      durationSeconds: r.durationSeconds,
      finishedAt: r.finishedAt,
    };
  }

  /** Runs the selected canaries (all when `ids` is empty), a few at a time. */
  async runAll(ids: readonly string[] = []): Promise<CanaryResult[]> {
    const chosen = ids.length ? this.canaries.filter((c) => ids.includes(c.id)) : this.canaries;
    return pool(chosen, 4, (c) => this.run(c));
  }

  get(id: string): Canary | undefined {
    return this.canaries.find((c) => c.id === id);
  }

  results(): CanaryResult[] {
    return this.canaries.flatMap((c) => this.last.get(c.id) ?? []);
  }

  /** The last result of one canary; undefined until it has run. */
  lastResult(id: string): CanaryResult | undefined {
    return this.last.get(id);
  }

  /**
   * When a canary runs next (ms since the epoch): on the schedule here; where another replica runs
   * the schedule, when it is due there, one interval after its last run (that replica's jitter
   * moves it by up to ±jitter; a time in the past means it is overdue). Undefined while it runs
   * here, before it ever ran on another replica, and after stop.
   */
  nextRun(id: string): number | undefined {
    if (this.scheduler) return this.scheduler.nextRun(id);
    const last = this.last.get(id);
    const c = this.get(id);
    return this.elsewhere && !this.stopped && last && c ? last.finishedAt + c.everyMs : undefined;
  }

  /**
   * Runs the canaries on their schedule, each keeping the cadence of its last known run (made
   * here or, before this replica took the canary lease, on another).
   */
  schedule(random?: () => number, gate: () => boolean = () => true): void {
    if (this.scheduler || this.stopped || this.canaries.length === 0) return;
    // `gate`: whether this replica may run now (a holder paused past its lease must not).
    const run = async (c: Canary) => (gate() ? this.run(c) : undefined);
    this.scheduler = new CanaryScheduler(this.canaries, run, random);
    this.scheduler.start((id) => this.last.get(id)?.finishedAt);
  }

  /** Stops the schedule (another replica runs it now); runs in progress finish. */
  unschedule(): Promise<void> {
    const s = this.scheduler;
    this.scheduler = undefined;
    this.elsewhere = true;
    return s?.stop() ?? Promise.resolve();
  }

  /** Stops for good (shutdown): a lease taken meanwhile schedules nothing. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.unschedule();
  }
}
