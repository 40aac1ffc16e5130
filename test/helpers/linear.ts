/**
 * Linear-time assertions that hold on a busy machine: CPU time of this process (less noisy
 * than the wall clock), best of three samples, the small size run four times per sample so
 * that both sizes take about as long and see as much noise and as many collections.
 */
import { expect } from 'vitest';

/** CPU time of this process, in ms. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Best of three samples of `times` runs, in CPU ms per run, after one warm-up run. */
export function bestCpuMs(run: () => void, times: number): number {
  run();
  let ms = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = cpuMs();
    for (let k = 0; k < times; k++) run();
    ms = Math.min(ms, (cpuMs() - t0) / times);
  }
  return ms;
}

export interface LinearOptions {
  /** The most t(4N)/t(N) may be: linear work gives about 4, quadratic work 16 (default 10). */
  limit?: number;
  /** Slack for timer resolution on small figures, in ms (default 10). */
  slackMs?: number;
  /** Also an upper bound on t(4N), in CPU ms: linear but crawling is a failure too. */
  maxMs?: number;
  label?: string;
}

/**
 * `make(n)` builds a case of size n and returns the run to time. A measurement over the bound is
 * taken again, up to three times in all, and the best one counts: a garbage collection or a
 * busy neighbour can slow one measurement of linear work past the bound (a 13x ratio was seen
 * once in CI); quadratic work is over it every time.
 */
export function expectLinear(
  make: (n: number) => () => void,
  n: number,
  opts: LinearOptions = {},
): void {
  const { limit = 10, slackMs = 10, maxMs, label = '' } = opts;
  const within = (small: number, large: number) =>
    large < limit * small + slackMs && (maxMs === undefined || large < maxMs);
  let small = 0;
  let large = 0;
  for (let attempt = 0; attempt < 3; attempt++) {
    small = bestCpuMs(make(n), 4);
    large = bestCpuMs(make(4 * n), 1);
    if (within(small, large)) break;
  }
  const figures = `${label}${label ? ': ' : ''}t(${n}) = ${small.toFixed(2)} ms, t(${4 * n}) = ${large.toFixed(2)} ms`;
  expect(large, figures).toBeLessThan(limit * small + slackMs);
  if (maxMs !== undefined) expect(large, figures).toBeLessThan(maxMs);
}
