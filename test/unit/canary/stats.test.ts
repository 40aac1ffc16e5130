import { describe, expect, it } from 'vitest';
import { mmdTest, prng } from '../../../src/canary/stats.js';
import type { Weighted } from '../../../src/sim/answer.js';
import { FRUIT } from '../../../src/sim/answer.js';

type Table = Weighted;
/** The simulator's "Name a fruit" distributions: normal and drifted. */
const { normal: NORMAL, drifted: DRIFTED } = FRUIT;

function draw(t: Table, n: number, rand: () => number): string[] {
  const total = t.reduce((s, [, w]) => s + w, 0);
  return Array.from({ length: n }, () => {
    let x = rand() * total;
    for (const [a, w] of t) if ((x -= w) < 0) return a;
    return t[0]![0];
  });
}

const opts = { maxChars: 20, permutations: 2000 };

describe('MMD two-sample test (Hamming kernel, permutation p-value)', () => {
  it('identical samples: statistic ≤ 0 and p-value 1', () => {
    const x = ['Apple', 'Pear', 'Apple', 'Mango'];
    const r = mmdTest(x, [...x], { ...opts, seed: 1 });
    expect(r.pValue).toBeGreaterThan(0.5);
  });

  it('disjoint samples: smallest p-value the permutations allow', () => {
    const x = Array.from({ length: 20 }, () => 'aaaa');
    const y = Array.from({ length: 20 }, () => 'zzzz');
    const r = mmdTest(x, y, { ...opts, maxChars: 4, seed: 1 });
    expect(r.statistic).toBeCloseTo(2, 9);
    expect(r.pValue).toBe(1 / 2001);
  });

  it('is reproducible for a seed', () => {
    const rand = prng(7);
    const x = draw(NORMAL, 30, rand);
    const y = draw(DRIFTED, 30, rand);
    expect(mmdTest(x, y, { ...opts, seed: 3 })).toEqual(mmdTest(x, y, { ...opts, seed: 3 }));
  });

  it('refuses samples too small to test', () => {
    expect(() => mmdTest(['a'], ['b', 'c'], { ...opts, seed: 1 })).toThrow(RangeError);
  });

  // The shipped distribution canary's settings (60 samples, alpha 0.001): measured false-alarm
  // rate and power over 40 simulated runs each. The bounds leave room for sampling noise.
  it('shipped settings: rare false alarms on one model, catches the drifted one', () => {
    const rand = prng(2026);
    let falseAlarms = 0;
    let caught = 0;
    const runs = 40;
    for (let r = 0; r < runs; r++) {
      const baseline = draw(NORMAL, 60, rand);
      if (mmdTest(draw(NORMAL, 60, rand), baseline, { ...opts, seed: r }).pValue < 0.001)
        falseAlarms++;
      if (mmdTest(draw(DRIFTED, 60, rand), baseline, { ...opts, seed: r }).pValue < 0.001) caught++;
    }
    expect(falseAlarms).toBeLessThanOrEqual(2);
    expect(caught).toBeGreaterThanOrEqual(34);
  });
});
