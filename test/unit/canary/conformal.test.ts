/**
 * The conformal test martingale (issue 19, item 2, work in progress): under "same model" it
 * rarely ever alarms (Ville: P(ever >= 1/alpha) <= alpha); under a drift its evidence grows.
 */
import { describe, expect, it } from 'vitest';
import { ConformalMonitor } from '../../../src/canary/conformal.js';
import { prng } from '../../../src/canary/stats.js';

const SAME = ['Apple', 'Banana', 'Orange', 'Mango', 'Pear', 'Apple.', 'An apple', 'Banana!'];
const WEIGHTS = [30, 20, 15, 10, 10, 5, 5, 5];
/** A small drift: the same answers, one much more often, and one new answer now and then. */
const DRIFTED = [...SAME, 'Kiwi'];
const DRIFT_WEIGHTS = [55, 10, 10, 5, 5, 3, 3, 3, 6];

function sampler(values: string[], weights: number[], rand: () => number) {
  const total = weights.reduce((a, b) => a + b, 0);
  return () => {
    let r = rand() * total;
    for (let i = 0; i < values.length; i++) if ((r -= weights[i]!) < 0) return values[i]!;
    return values.at(-1)!;
  };
}

/** Observations until the evidence reaches 1/alpha, or undefined within `n`. */
function runUntilAlarm(seed: number, drift: boolean, n: number, alpha: number, baseline = 200) {
  const rand = prng(seed);
  const base = sampler(SAME, WEIGHTS, rand);
  const live = drift ? sampler(DRIFTED, DRIFT_WEIGHTS, rand) : base;
  const m = new ConformalMonitor(Array.from({ length: baseline }, base), {
    maxChars: 20,
    k: 5,
    random: rand,
  });
  for (let i = 1; i <= n; i++) {
    m.observe(live());
    if (m.evidence >= 1 / alpha) return i;
  }
  return undefined;
}

describe('conformal test martingale', () => {
  it('p-values are uniform under the same model (mean 1/2, a tenth below 0.1)', () => {
    const rand = prng(7);
    const base = sampler(SAME, WEIGHTS, rand);
    const m = new ConformalMonitor(Array.from({ length: 30 }, base), {
      maxChars: 20,
      k: 5,
      random: rand,
    });
    const ps = Array.from({ length: 2000 }, () => m.observe(base()));
    const mean = ps.reduce((a, b) => a + b, 0) / ps.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.03);
    const low = ps.filter((p) => p < 0.1).length / ps.length;
    expect(Math.abs(low - 0.1)).toBeLessThan(0.03);
  });

  it('false alarms over 300 unchanged sequences of 150 completions stay near alpha', () => {
    const alpha = 0.05;
    let alarms = 0;
    for (let s = 0; s < 300; s++) if (runUntilAlarm(1000 + s, false, 150, alpha)) alarms++;
    // Ville: at most alpha (5 %) in expectation; 300 sequences allow some noise above it.
    expect(alarms / 300).toBeLessThan(0.09);
  });

  // Measured (seeds 5000-5039, alpha 0.05, 300 completions): baseline 200 -> 32/40 detected,
  // median after 58 completions; baseline 30 -> 9/40. Unchanged: 1/40 false alarms either way.
  it('detects a small drift in most sequences (baseline of 200 completions)', () => {
    const alpha = 0.05;
    const found = Array.from({ length: 40 }, (_, s) => runUntilAlarm(5000 + s, true, 300, alpha));
    const detected = found.filter((x): x is number => x !== undefined);
    expect(detected.length / found.length).toBeGreaterThan(0.7);
  });
});
