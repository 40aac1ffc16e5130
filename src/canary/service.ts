/**
 * The canaries of a running proxy: runs them (on schedule or on demand), keeps the last
 * result of each for the admin API, and reports every run to the sink (metrics, quarantine).
 */
import type { Sink } from '../model/sink.js';
import type { Canary } from './loader.js';
import type { CanaryResult, RunnerDeps } from './runner.js';
import { pool } from './pool.js';
import { publicReason, runCanary } from './runner.js';
import { CanaryScheduler } from './scheduler.js';

export class CanaryService {
  private readonly last = new Map<string, CanaryResult>();
  private scheduler: CanaryScheduler | undefined;

  constructor(
    readonly canaries: readonly Canary[],
    readonly runnerDeps: RunnerDeps,
    private readonly sink: Sink,
  ) {}

  async run(c: Canary): Promise<CanaryResult> {
    const r = await runCanary(this.runnerDeps, c);
    const previous = this.last.get(c.id)?.result;
    this.last.set(c.id, r);
    this.sink.record({
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
    });
    return r;
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

  /** When a scheduled canary runs next (ms since the epoch); undefined unscheduled or running. */
  nextRun(id: string): number | undefined {
    return this.scheduler?.nextRun(id);
  }

  schedule(random?: () => number): void {
    if (this.scheduler || this.canaries.length === 0) return;
    this.scheduler = new CanaryScheduler(this.canaries, (c) => this.run(c), random);
    this.scheduler.start();
  }

  async stop(): Promise<void> {
    await this.scheduler?.stop();
  }
}
