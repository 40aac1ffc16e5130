/**
 * The conformal test martingale: under "same model" it rarely ever alarms (Ville:
 * P(ever >= 1/alpha) <= alpha); under a drift its evidence grows; its state survives a restart.
 */
import { describe, expect, it } from 'vitest';
import type { ConformalState } from '../../../src/canary/conformal.js';
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

const opts = (alpha: number, random: () => number, maxDistinct = 5000) => ({
  maxChars: 20,
  k: 5,
  alpha,
  maxDistinct,
  random,
});

/** Observations until the evidence reaches 1/alpha, or undefined within `n`. */
function runUntilAlarm(seed: number, drift: boolean, n: number, alpha: number, baseline = 200) {
  const rand = prng(seed);
  const base = sampler(SAME, WEIGHTS, rand);
  const live = drift ? sampler(DRIFTED, DRIFT_WEIGHTS, rand) : base;
  const m = new ConformalMonitor(Array.from({ length: baseline }, base), opts(alpha, rand));
  for (let i = 1; i <= n; i++) {
    m.observe(live());
    if (m.alarmed) return i;
  }
  return undefined;
}

describe('conformal test martingale', () => {
  it('p-values are uniform under the same model (mean 1/2, a tenth below 0.1)', () => {
    const rand = prng(7);
    const base = sampler(SAME, WEIGHTS, rand);
    const m = new ConformalMonitor(Array.from({ length: 30 }, base), opts(0.01, rand));
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

describe('conformal monitor state', () => {
  it('a restored snapshot continues exactly where the monitor stopped', () => {
    const base = Array.from({ length: 50 }, sampler(SAME, WEIGHTS, prng(3)));
    const live = sampler(DRIFTED, DRIFT_WEIGHTS, prng(4));
    const a = new ConformalMonitor(base, opts(0.01, prng(9)));
    const stream = Array.from({ length: 60 }, live);
    stream.slice(0, 30).forEach((s) => a.observe(s));
    const b = new ConformalMonitor(
      base,
      opts(0.01, prng(9)),
      JSON.parse(JSON.stringify(a.snapshot())) as ConformalState,
    );
    expect(b.evidence).toBeCloseTo(a.evidence, 10);
    expect(b.count).toBe(30);
    // Same random draws from here on: the same p-values and evidence.
    const ra = prng(11);
    const rb = prng(11);
    const ma = new ConformalMonitor(base, opts(0.01, ra), a.snapshot());
    const mb = new ConformalMonitor(base, opts(0.01, rb), b.snapshot());
    for (const s of stream.slice(30)) expect(mb.observe(s)).toBe(ma.observe(s));
    expect(mb.evidence).toBe(ma.evidence);
  });

  it('keeps distinct completions with counts: 10,000 repeated answers stay a handful', () => {
    const m = new ConformalMonitor(['Apple', 'Pear'], opts(0.01, prng(1)));
    const draw = sampler(SAME, WEIGHTS, prng(2));
    for (let i = 0; i < 10_000; i++) m.observe(draw());
    const seen = m.snapshot().seen;
    expect(seen.length).toBeLessThanOrEqual(SAME.length);
    expect(seen.reduce((n, [, c]) => n + c, 0)).toBe(10_000);
  });

  it('starts a new epoch at maxDistinct, with a stricter threshold (alpha_j sum to alpha)', () => {
    const m = new ConformalMonitor(['a0', 'a1'], opts(0.01, prng(1), 10));
    expect(m.epoch).toBe(0);
    const t0 = m.threshold;
    expect(t0).toBeCloseTo(1 / ((0.01 * 6) / Math.PI ** 2), 6);
    for (let i = 0; i < 9; i++) m.observe(`b${i}`);
    expect(m.epoch).toBe(1);
    expect(m.threshold).toBeCloseTo(t0 * 4, 6);
    expect(m.count).toBe(9);
    expect(m.snapshot().seen.length).toBeLessThan(10);
  });
});

describe('conformal monitor: attacks', () => {
  it('stays alarmed across a new epoch: new answers cannot clear the verdict', () => {
    const m = new ConformalMonitor(
      Array.from({ length: 30 }, () => 'Apple'),
      opts(0.05, prng(1), 12),
    );
    let i = 0;
    while (!m.alarmed && i < 100) m.observe(`novel ${i++}`);
    expect(m.alarmed).toBe(true);
    // The crossing is recorded where it happened, and kept while the evidence falls after it.
    const crossing = { evidence: m.evidence, threshold: m.threshold, observed: i };
    expect(crossing.evidence).toBeGreaterThanOrEqual(crossing.threshold);
    expect(m.alarm).toEqual(crossing);
    const alarmedIn = m.epoch;
    for (let j = 0; j < 50; j++) m.observe(`more ${j}`);
    expect(m.epoch).toBeGreaterThan(alarmedIn + 1);
    expect(m.alarmed).toBe(true);
    for (let j = 0; j < 50; j++) m.observe('Apple');
    expect(m.alarmed).toBe(true);
    expect(m.evidence).toBeLessThan(crossing.threshold);
    expect(m.alarm).toEqual(crossing);
    // It survives a snapshot and restore.
    const restored = new ConformalMonitor(
      Array.from({ length: 30 }, () => 'Apple'),
      opts(0.05, prng(1), 12),
      m.snapshot(),
    );
    expect(restored.alarm).toEqual(crossing);
  });
});
