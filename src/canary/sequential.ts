/**
 * The running sequential tests of a process: one conformal monitor per sequential canary, built
 * from its baseline and the stored evidence, saved after every run that added to it.
 */
import type { ConformalState } from './conformal.js';
import { ConformalMonitor } from './conformal.js';
import { canonicalJson } from '../model/canonical-json.js';
import { sha256 } from './baseline.js';
import type { EvidenceStore } from './evidence.js';
import { MemoryEvidenceStore } from './evidence.js';
import type { Canary } from './loader.js';

/** Nearest neighbours the nonconformity score averages over. */
const K = 5;
/**
 * Code points the bag of one canary may hold (4 bytes each: 20 MB): a hostile upstream answering
 * every run with new long texts fills `max_distinct` sooner when `max_chars` is large, never more.
 */
export const MAX_BAG_CODE_POINTS = 5_000_000;

/** What a sequential run reports: the evidence after it, and where it alarms. */
export interface Evidence {
  /** The test martingale's value (1 at the start; the model changed when it reaches `threshold`). */
  value: number;
  threshold: number;
  /** Monitored completions since the baseline. */
  completions: number;
  epoch: number;
  alarmed: boolean;
  /** Where the evidence first reached its threshold (it may have fallen since). */
  alarm?: { value: number; threshold: number; completions: number } | undefined;
}

export class SequentialTests {
  private readonly monitors = new Map<string, { digest: string; monitor: ConformalMonitor }>();

  constructor(
    private readonly store: EvidenceStore = new MemoryEvidenceStore(),
    private readonly random: () => number = Math.random,
  ) {}

  /** The digest tying stored evidence to one baseline and one set of test settings. */
  static digest(c: Canary): string {
    const d = c.distribution;
    return sha256(
      canonicalJson({ baseline: c.baseline, alpha: d?.alpha, max_distinct: d?.max_distinct, k: K }),
    );
  }

  private monitor(c: Canary): { digest: string; monitor: ConformalMonitor } {
    const digest = SequentialTests.digest(c);
    const have = this.monitors.get(c.id);
    if (have?.digest === digest) return have;
    const restored: ConformalState | undefined = this.store.load(c.id, digest);
    const maxChars = c.baseline?.max_chars ?? c.distribution?.max_chars ?? 100;
    const made = {
      digest,
      monitor: new ConformalMonitor(
        c.baseline?.samples ?? [],
        {
          maxChars,
          k: K,
          alpha: c.distribution?.alpha ?? 0.01,
          maxDistinct: Math.max(
            10,
            Math.min(
              c.distribution?.max_distinct ?? 5000,
              Math.floor(MAX_BAG_CODE_POINTS / Math.max(1, maxChars)),
            ),
          ),
          random: this.random,
        },
        restored,
      ),
    };
    this.monitors.set(c.id, made);
    return made;
  }

  /** Forgets the monitors built so far: the next run rebuilds each from the store. */
  reset(): void {
    this.monitors.clear();
  }

  /** Adds a run's completions to the canary's evidence and saves it. */
  observe(c: Canary, completions: readonly string[]): Evidence {
    const { digest, monitor } = this.monitor(c);
    for (const s of completions) monitor.observe(s);
    if (completions.length) this.store.save(c.id, digest, monitor.snapshot());
    return SequentialTests.report(monitor);
  }

  /** The evidence so far, without sampling (undefined before the canary's first observation). */
  current(c: Canary): Evidence | undefined {
    const m = this.monitor(c).monitor;
    return m.count ? SequentialTests.report(m) : undefined;
  }

  private static report(m: ConformalMonitor): Evidence {
    return {
      value: m.evidence,
      threshold: m.threshold,
      completions: m.count,
      epoch: m.epoch,
      alarmed: m.alarmed,
      alarm: m.alarm && {
        value: m.alarm.evidence,
        threshold: m.alarm.threshold,
        completions: m.alarm.observed,
      },
    };
  }
}
