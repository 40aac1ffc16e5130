/**
 * Runs each canary every `every`, each interval stretched or shrunk at random by up to
 * `jitter` so probes do not form a pattern an upstream could recognise. One run per canary
 * at a time; timers do not keep the process alive.
 */
import type { Canary } from './loader.js';

/** The delay before a canary's next run (first: a random share of one jittered interval). */
export function nextDelay(
  c: Pick<Canary, 'everyMs' | 'jitter'>,
  first: boolean,
  random: () => number,
): number {
  if (first) return Math.round(random() * Math.min(c.everyMs, 30_000) * Math.max(c.jitter, 0.1));
  return Math.max(1, Math.round(c.everyMs * (1 + c.jitter * (2 * random() - 1))));
}

export class CanaryScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** When each canary's timer fires (ms since the epoch); absent while it runs. */
  private readonly due = new Map<string, number>();
  private readonly running = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(
    private readonly canaries: readonly Canary[],
    private readonly run: (c: Canary) => Promise<unknown>,
    private readonly random: () => number = Math.random,
  ) {}

  /** When the canary runs next (ms since the epoch); undefined while it runs or once stopped. */
  nextRun(id: string): number | undefined {
    return this.due.get(id);
  }

  /**
   * Schedules every canary: one that has run before (`lastRun`, ms since the epoch, e.g. on
   * another replica that held the canary lease) keeps its cadence, due one jittered interval
   * after that run (at once if overdue); one that has not, within its first delay.
   */
  start(lastRun: (id: string) => number | undefined = () => undefined): void {
    for (const c of this.canaries) {
      const last = lastRun(c.id);
      const d = nextDelay(c, false, this.random);
      // Never later than one interval from now: a run stamped in the future (another replica's
      // clock ahead, or a value in the shared state) must not postpone the canary.
      this.schedule(
        c,
        true,
        last === undefined || !Number.isFinite(last)
          ? undefined
          : Math.min(d, Math.max(0, last + d - Date.now())),
      );
    }
  }

  private schedule(c: Canary, first: boolean, after?: number): void {
    if (this.stopped) return;
    const delay = after ?? nextDelay(c, first, this.random);
    const t = setTimeout(() => {
      this.due.delete(c.id);
      const p = this.run(c)
        .catch(() => undefined)
        .finally(() => {
          this.running.delete(p);
          this.schedule(c, false);
        });
      this.running.add(p);
    }, delay);
    t.unref();
    this.timers.set(c.id, t);
    this.due.set(c.id, Date.now() + delay);
  }

  /** Stops scheduling and waits for runs in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.due.clear();
    await Promise.all([...this.running]);
  }
}
