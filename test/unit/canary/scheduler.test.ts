import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Canary } from '../../../src/canary/loader.js';
import type { CanaryResult } from '../../../src/canary/runner.js';
import { CanaryScheduler, nextDelay } from '../../../src/canary/scheduler.js';
import { prng } from '../../../src/canary/stats.js';

describe('canary schedule', () => {
  afterEach(() => vi.useRealTimers());

  it.each([
    [300_000, 0.1],
    [60_000, 0.5],
    [1_000, 0],
  ])('every %i ms, jitter %f: intervals stay within the jitter and vary', (everyMs, jitter) => {
    const rand = prng(1);
    const delays = Array.from({ length: 500 }, () => nextDelay({ everyMs, jitter }, false, rand));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(Math.floor(everyMs * (1 - jitter)));
    expect(Math.max(...delays)).toBeLessThanOrEqual(Math.ceil(everyMs * (1 + jitter)));
    expect(new Set(delays).size > 1).toBe(jitter > 0);
  });

  it('the first run comes early: within a jittered share of at most 30 s', () => {
    const rand = prng(2);
    for (let i = 0; i < 200; i++)
      expect(nextDelay({ everyMs: 3_600_000, jitter: 0.2 }, true, rand)).toBeLessThanOrEqual(6000);
  });

  it('runs each canary repeatedly, one run at a time, until stopped', async () => {
    vi.useFakeTimers();
    const runs: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const c = { id: 'a', everyMs: 1000, jitter: 0.1 } as Canary;
    const s = new CanaryScheduler(
      [c],
      async (k) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        runs.push(k.id);
        await new Promise((r) => setTimeout(r, 1500)); // slower than its interval
        inFlight--;
        return {};
      },
      prng(3),
    );
    s.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(maxInFlight).toBe(1);
    const stopped = s.stop();
    await vi.advanceTimersByTimeAsync(2_000);
    await stopped;
    const n = runs.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs.length).toBe(n);
  });

  it('knows when each canary runs next: unknown while it runs and once stopped', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    let release: (() => void) | undefined;
    const c = { id: 'a', everyMs: 10_000, jitter: 0 } as Canary;
    const s = new CanaryScheduler(
      [c],
      () =>
        new Promise<CanaryResult>((r) => {
          release = () => r({} as CanaryResult);
        }),
      () => 0.5,
    );
    expect(s.nextRun('a')).toBeUndefined();
    s.start();
    const first = s.nextRun('a')!;
    // The first run: a random share (here half) of 10 % of the interval.
    expect(first).toBe(1_000_000 + 500);
    await vi.advanceTimersByTimeAsync(500);
    expect(release).toBeDefined();
    expect(s.nextRun('a')).toBeUndefined(); // running
    release!();
    await vi.advanceTimersByTimeAsync(0);
    expect(s.nextRun('a')).toBe(Date.now() + 10_000);
    expect(s.nextRun('other')).toBeUndefined();
    await s.stop();
    expect(s.nextRun('a')).toBeUndefined();
  });
});
