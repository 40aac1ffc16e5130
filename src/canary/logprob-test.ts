/**
 * Two-sample test for "is this still the same model", on log probabilities: are the top-k
 * next-token distributions of a few fixed prompts the same as when the baseline was recorded?
 * Logprobs see what sampled text cannot: a fine-tuning step moves them long before it changes
 * a greedy answer (log-probability tracking of LLM APIs; Gao, Liang & Guestrin, "Model
 * Equality Testing", ICLR 2025, for the two-sample framing).
 *
 * Each call becomes a vector over the union of (position, token) keys seen in any call; a
 * token missing from a call's top-k at a position takes the smallest logprob that call shows
 * there (the token's true logprob is at most that), a missing position the floor. The
 * statistic is the squared distance between the two groups' mean vectors; its p-value comes
 * from every split of the calls into groups of the same sizes (exact, when there are at most
 * `EXACT_LIMIT` splits; else from random splits). Real APIs' logprobs vary slightly from call
 * to call: the test judges a change against that noise, as the baseline's and the run's calls
 * show it. Identical calls give statistic 0 and p = 1.
 */
import { prng, shuffle } from './stats.js';

export interface TopLogprob {
  token: string;
  logprob: number;
}

/** One call's logprobs: per output position, the most likely tokens there (the chosen one included). */
export type LogprobTrace = readonly (readonly TopLogprob[])[];

export interface LogprobTestOptions {
  /** Output positions compared (the first N tokens). */
  positions: number;
  /** Random splits when exact enumeration is too large. */
  permutations: number;
  /** Seed of the random splits. */
  seed: number;
}

export interface LogprobShift {
  /** 1-based output position. */
  position: number;
  token: string;
  /** Mean logprob in the run minus that in the baseline (nats). */
  shift: number;
}

export interface LogprobTestResult {
  /** Squared distance between the mean logprob vectors (nats²). */
  statistic: number;
  pValue: number;
  /** The smallest p-value these group sizes can give. */
  minPValue: number;
  /** The keys that moved, largest first. */
  shifts: LogprobShift[];
}

/** Logprob of a position no call reached (the answer ended earlier). */
export const FLOOR = -30;
/** Splits enumerated exactly up to this many (C(15, 5) = 3,003 for the defaults). */
export const EXACT_LIMIT = 20_000;

function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return Math.round(c);
}

/** The smallest p-value of a test of `a` against `b` calls (the statistic is symmetric). */
export function minPValue(a: number, b: number, permutations: number): number {
  const splits = binomial(a + b, b);
  if (splits > EXACT_LIMIT) return 1 / (1 + permutations);
  return (a === b ? 2 : 1) / splits;
}

function vectors(calls: readonly LogprobTrace[], positions: number) {
  const keys = new Map<string, { position: number; token: string; col: number }>();
  for (const call of calls)
    call.slice(0, positions).forEach((tops, position) => {
      for (const t of tops) {
        const k = `${position}\u0000${t.token}`;
        if (!keys.has(k)) keys.set(k, { position, token: t.token, col: keys.size });
      }
    });
  const d = keys.size;
  const rows = calls.map((call) => {
    // Per position: each token's logprob, and the smallest shown (computed once).
    const at = call.slice(0, positions).map((tops) => {
      const byToken = new Map<string, number>();
      let min = Infinity;
      for (const t of tops) {
        if (!byToken.has(t.token)) byToken.set(t.token, t.logprob);
        min = Math.min(min, t.logprob);
      }
      return { byToken, min: tops.length ? min : FLOOR };
    });
    const row = new Float64Array(d);
    for (const { position, token, col } of keys.values()) {
      const p = at[position];
      row[col] = p ? (p.byToken.get(token) ?? p.min) : FLOOR;
    }
    return row;
  });
  return { keys: [...keys.values()], rows, d };
}

/** Every choice of m of the indices 0..n-1, in lexicographic order (one array, reused). */
function* combinations(n: number, m: number): Generator<Int32Array> {
  const idx = Int32Array.from({ length: m }, (_, i) => i);
  for (;;) {
    yield idx;
    let i = m - 1;
    while (i >= 0 && idx[i] === n - m + i) i--;
    if (i < 0) return;
    idx[i]!++;
    for (let j = i + 1; j < m; j++) idx[j] = idx[j - 1]! + 1;
  }
}

export function logprobTest(
  baseline: readonly LogprobTrace[],
  run: readonly LogprobTrace[],
  opts: LogprobTestOptions,
): LogprobTestResult {
  if (baseline.length < 2 || run.length < 2)
    throw new RangeError('each sample needs at least 2 calls');
  const all = [...baseline, ...run];
  const n = all.length;
  const m = run.length;
  const { keys, rows, d } = vectors(all, opts.positions);
  const total = new Float64Array(d);
  for (const r of rows) for (let k = 0; k < d; k++) total[k]! += r[k]!;
  const sel = new Float64Array(d);
  /** The statistic when the calls at `chosen` form the run group. */
  const stat = (chosen: ArrayLike<number>): number => {
    sel.fill(0);
    for (let i = 0; i < chosen.length; i++) {
      const r = rows[chosen[i]!]!;
      for (let k = 0; k < d; k++) sel[k]! += r[k]!;
    }
    let s = 0;
    for (let k = 0; k < d; k++) {
      const diff = sel[k]! / m - (total[k]! - sel[k]!) / (n - m);
      s += diff * diff;
    }
    return s;
  };
  const observedIdx = Int32Array.from({ length: m }, (_, i) => baseline.length + i);
  const observed = stat(observedIdx);
  // Floating-point sums of one split in another order may differ in the last bits.
  const atLeast = (s: number) => s >= observed - 1e-12 * Math.max(1, observed);
  const splits = binomial(n, m);
  let hits = 0;
  let tried = 0;
  if (splits <= EXACT_LIMIT) {
    for (const c of combinations(n, m)) {
      tried++;
      if (atLeast(stat(c))) hits++;
    }
  } else {
    const rand = prng(opts.seed);
    const perm = Int32Array.from({ length: n }, (_, i) => i);
    hits = 1; // the observed split itself
    tried = 1;
    for (let b = 0; b < opts.permutations; b++) {
      shuffle(perm, rand);
      tried++;
      if (atLeast(stat(perm.subarray(0, m)))) hits++;
    }
  }
  const meanOf = (from: number, to: number, col: number) => {
    let s = 0;
    for (let i = from; i < to; i++) s += rows[i]![col]!;
    return s / (to - from);
  };
  const shifts = keys
    .map(({ position, token, col }) => ({
      position: position + 1,
      token,
      shift: meanOf(baseline.length, n, col) - meanOf(0, baseline.length, col),
    }))
    .sort((a, b) => Math.abs(b.shift) - Math.abs(a.shift));
  return {
    statistic: observed,
    pValue: hits / tried,
    minPValue: minPValue(baseline.length, m, opts.permutations),
    shifts,
  };
}
