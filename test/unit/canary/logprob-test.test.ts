import { describe, expect, it } from 'vitest';
import type { LogprobTrace } from '../../../src/canary/logprob-test.js';
import { logprobTest, minPValue } from '../../../src/canary/logprob-test.js';
import { prng } from '../../../src/canary/stats.js';

/** A call's trace: the base distribution, each logprob moved by uniform noise and `shift`. */
function trace(
  base: [string, number][][],
  noise: number,
  rand: () => number,
  shift: (pos: number, token: string) => number = () => 0,
): LogprobTrace {
  return base.map((tops, pos) =>
    tops.map(([token, lp]) => ({
      token,
      logprob: lp + shift(pos, token) + (rand() * 2 - 1) * noise,
    })),
  );
}

const BASE: [string, number][][] = [
  [
    ['Mars', -0.21],
    [' Mars', -2.1],
    ['mars', -2.6],
    ['The', -3.3],
    ['It', -3.9],
  ],
  [
    ['.', -0.05],
    ['!', -3.4],
    [',', -4.2],
    [' is', -4.4],
    ['\n', -5.1],
  ],
];

const OPTS = { positions: 2, permutations: 2000, seed: 7 };

/** Alternatives moved by ±0.05–0.3 nats, the chosen token by a little: the argmax stays. */
const tuned = (pos: number, token: string) =>
  token === BASE[pos]![0]![0] ? -0.02 : ((token.length + pos) % 2 ? 1 : -1) * (0.05 + 0.05 * pos);

describe('logprobTest', () => {
  it.each<[string, number, number, number, (p: number, t: string) => number, 'pass' | 'fail']>([
    ['identical calls', 10, 5, 0, () => 0, 'pass'],
    ['noise only', 10, 5, 0.002, () => 0, 'pass'],
    ['alternatives moved 0.05–0.1 nats, same argmax', 10, 5, 0.002, tuned, 'fail'],
    ['only the second position moved by 0.05', 10, 5, 0.002, (p) => (p === 1 ? -0.05 : 0), 'fail'],
    ['large samples (random splits): moved', 40, 20, 0.002, tuned, 'fail'],
    ['large samples (random splits): noise only', 40, 20, 0.002, () => 0, 'pass'],
  ])('%s → %s', (_name, nb, nr, noise, shift, want) => {
    const rand = prng(42);
    const baseline = Array.from({ length: nb }, () => trace(BASE, noise, rand));
    const run = Array.from({ length: nr }, () => trace(BASE, noise, rand, shift));
    const r = logprobTest(baseline, run, OPTS);
    if (want === 'fail') {
      expect(r.pValue).toBeLessThan(0.001);
      expect(r.pValue).toBe(r.minPValue);
    } else expect(r.pValue).toBeGreaterThan(0.01);
    if (noise === 0) {
      expect(r.statistic).toBeLessThan(1e-20);
      expect(r.pValue).toBe(1);
    }
  });

  it('names what moved, largest first, with a 1-based position', () => {
    const rand = prng(1);
    const baseline = Array.from({ length: 10 }, () => trace(BASE, 0.002, rand));
    const run = Array.from({ length: 5 }, () =>
      trace(BASE, 0.002, rand, (_p, t) => (t === '!' ? 0.3 : 0)),
    );
    const { shifts } = logprobTest(baseline, run, OPTS);
    expect(shifts[0]).toMatchObject({ position: 2, token: '!' });
    expect(shifts[0]!.shift).toBeCloseTo(0.3, 2);
  });

  it('a token that leaves the top-k counts at most its call’s smallest logprob there', () => {
    const rand = prng(3);
    const baseline = Array.from({ length: 10 }, () => trace(BASE, 0.002, rand));
    const dropped = BASE.map((tops, p) =>
      p === 0 ? [...tops.slice(0, 3), ['Red', -3.5] as [string, number]] : tops,
    );
    const run = Array.from({ length: 5 }, () => trace(dropped, 0.002, rand));
    const r = logprobTest(baseline, run, OPTS);
    expect(r.pValue).toBe(r.minPValue);
    expect(r.shifts.map((s) => s.token)).toEqual(expect.arrayContaining(['Red', 'It']));
  });

  it('the default sizes can reach a p-value below the default alpha (0.001)', () => {
    expect(minPValue(10, 5, 2000)).toBeCloseTo(1 / 3003, 10);
    expect(minPValue(5, 5, 2000)).toBeCloseTo(2 / 252, 10);
    expect(minPValue(40, 20, 2000)).toBeCloseTo(1 / 2001, 10);
  });

  it('false alarms on noise alone stay near alpha (1,000 runs at alpha 0.01)', () => {
    const rand = prng(2026);
    let alarms = 0;
    for (let i = 0; i < 1000; i++) {
      const baseline = Array.from({ length: 10 }, () => trace(BASE, 0.002, rand));
      const run = Array.from({ length: 5 }, () => trace(BASE, 0.002, rand));
      if (logprobTest(baseline, run, OPTS).pValue < 0.01) alarms++;
    }
    // A valid permutation test: expected 10 of 1,000; allow binomial spread.
    expect(alarms).toBeLessThanOrEqual(20);
  });
});
