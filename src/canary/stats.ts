/**
 * Two-sample test for "is this still the same model": the maximum mean discrepancy between
 * two sets of completions with a Hamming kernel over characters, and a permutation p-value
 * (Gao, Liang & Guestrin, "Model Equality Testing: Which model is this API serving?",
 * ICLR 2025). Strings are compared position by position over their first `maxChars` code
 * points, shorter ones padded with a character no completion contains.
 */

export interface MmdOptions {
  /** Code points compared per completion (L in the paper). */
  maxChars: number;
  /** Permutations for the p-value. */
  permutations: number;
  /** Seed of the permutation sampler, for reproducible results. */
  seed: number;
}

export interface MmdResult {
  /** Unbiased MMD² estimate; around 0 when both samples come from one distribution. */
  statistic: number;
  /** Probability, under "same distribution", of a statistic at least this large. */
  pValue: number;
}

const PAD = -1;

function codes(s: string, L: number): Int32Array {
  const out = new Int32Array(L).fill(PAD);
  let i = 0;
  for (const ch of s) {
    if (i >= L) break;
    out[i++] = ch.codePointAt(0)!;
  }
  return out;
}

/** Hamming-similarity kernel: the fraction of positions where both strings agree. */
function kernelMatrix(all: Int32Array[], L: number): Float64Array {
  const n = all.length;
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const a = all[i]!;
    k[i * n + i] = 1;
    for (let j = i + 1; j < n; j++) {
      const b = all[j]!;
      let same = 0;
      for (let p = 0; p < L; p++) if (a[p] === b[p]) same++;
      k[i * n + j] = k[j * n + i] = same / L;
    }
  }
  return k;
}

/** Unbiased MMD² of the split: indices idx[0..m) are sample X, the rest sample Y. */
function mmd2(k: Float64Array, n: number, idx: Int32Array, m: number): number {
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let a = 0; a < n; a++) {
    const row = idx[a]! * n;
    for (let b = a + 1; b < n; b++) {
      const v = k[row + idx[b]!]!;
      if (b < m) xx += v;
      else if (a >= m) yy += v;
      else xy += v;
    }
  }
  const my = n - m;
  return (2 * xx) / (m * (m - 1)) + (2 * yy) / (my * (my - 1)) - (2 * xy) / (m * my);
}

/** mulberry32: a small seeded PRNG; statistical quality is ample for shuffling. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates: shuffles `a` in place with `rand`. */
export function shuffle(a: Int32Array, rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

export function mmdTest(x: readonly string[], y: readonly string[], opts: MmdOptions): MmdResult {
  if (x.length < 2 || y.length < 2) throw new RangeError('each sample needs at least 2 strings');
  const L = Math.max(1, opts.maxChars);
  const all = [...x, ...y].map((s) => codes(s, L));
  const n = all.length;
  const m = x.length;
  const k = kernelMatrix(all, L);
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  const observed = mmd2(k, n, idx, m);
  const rand = prng(opts.seed);
  let atLeast = 0;
  const eps = 1e-12;
  for (let b = 0; b < opts.permutations; b++) {
    shuffle(idx, rand);
    if (mmd2(k, n, idx, m) >= observed - eps) atLeast++;
  }
  return { statistic: observed, pValue: (1 + atLeast) / (1 + opts.permutations) };
}
