/**
 * Anytime-valid monitoring of a distribution canary (issue 19, item 2; WORK IN PROGRESS, not
 * wired): a conformal test martingale (Vovk, Nouretdinov & Gammerman, "Testing exchangeability
 * on-line", ICML 2003; Vovk, "Testing randomness online", Statistical Science 2021).
 *
 * Why not a product of per-run p-values: every run is compared with the same baseline, so the
 * runs' p-values are dependent under "same model" and their product is no martingale. Here the
 * observations are the baseline's completions followed by every monitored completion, one by
 * one; each monitored one gets a smoothed conformal p-value against all that came before. If
 * the model never changed, the sequence is exchangeable and these p-values are independent and
 * uniform, so any betting martingale over them satisfies Ville's inequality:
 * P(the martingale ever reaches 1/alpha) <= alpha, over unbounded monitoring time.
 *
 * Nonconformity: the mean Hamming distance (over the first `maxChars` code points, as in
 * stats.ts) to the `k` nearest other completions in the bag — a completion unlike what came
 * before is strange. The bet: the mixture, over a grid of kappa in (0, 1), of the power
 * calibrators kappa * p^(kappa - 1) (betting on small p: new completions stranger than the past)
 * and kappa * (1 - p)^(kappa - 1) (betting on large p: a collapse onto a few answers), half
 * each. Each is a test martingale; so is their average.
 */

const PAD = -1;
const BINS = 10;
const KAPPAS = Array.from({ length: 20 }, (_, i) => (i + 0.5) / 20);

export interface ConformalOptions {
  /** Code points compared per completion. */
  maxChars: number;
  /** Nearest neighbours the nonconformity averages over. */
  k: number;
  /** Uniform random numbers in [0, 1) for tie-breaking (smoothing). */
  random: () => number;
}

function codes(s: string, L: number): Int32Array {
  const out = new Int32Array(L).fill(PAD);
  let i = 0;
  for (const ch of s) {
    if (i >= L) break;
    out[i++] = ch.codePointAt(0)!;
  }
  return out;
}

function distance(a: Int32Array, b: Int32Array): number {
  let diff = 0;
  for (let p = 0; p < a.length; p++) if (a[p] !== b[p]) diff++;
  return diff / a.length;
}

/** The k smallest distances of one bag member to the others, ascending. */
class Nearest {
  readonly d: number[] = [];
  /** Other members identical to this one (within `maxChars`). */
  same = 0;
  constructor(private readonly k: number) {}
  add(x: number): void {
    if (x === 0) this.same++;
    const d = this.d;
    if (d.length === this.k && x >= d[d.length - 1]!) return;
    let i = d.length;
    while (i > 0 && d[i - 1]! > x) i--;
    d.splice(i, 0, x);
    if (d.length > this.k) d.pop();
  }
  /**
   * Fewer identical answers is stranger (the frequency of an answer, for the many canaries whose
   * answers repeat); among equals, farther from the nearest others is stranger.
   */
  score(): number {
    if (this.d.length === 0) return 1;
    let s = 0;
    for (const x of this.d) s += x;
    return s / this.d.length - this.same;
  }
}

export class ConformalMonitor {
  private readonly bag: Int32Array[] = [];
  private readonly nearest: Nearest[] = [];
  /** log of each calibrator's martingale: [small-p bets…, large-p bets…]. */
  private readonly logs = new Float64Array(KAPPAS.length * 2);
  private observed = 0;
  private readonly hist = new Float64Array(BINS).fill(1);
  private histTotal = BINS;
  private logHist = 0;

  constructor(
    baseline: readonly string[],
    private readonly opts: ConformalOptions,
  ) {
    for (const s of baseline) this.insert(codes(s, opts.maxChars));
  }

  private insert(c: Int32Array): Nearest {
    const mine = new Nearest(this.opts.k);
    this.bag.forEach((other, i) => {
      const d = distance(c, other);
      mine.add(d);
      this.nearest[i]!.add(d);
    });
    this.bag.push(c);
    this.nearest.push(mine);
    return mine;
  }

  /** Adds one monitored completion; returns its smoothed conformal p-value. */
  observe(completion: string): number {
    const mine = this.insert(codes(completion, this.opts.maxChars));
    const a = mine.score();
    let above = 0;
    let equal = 0;
    for (const n of this.nearest) {
      const s = n.score();
      if (s > a) above++;
      else if (s === a) equal++;
    }
    // `equal` counts the new completion itself.
    const p = (above + this.opts.random() * equal) / this.nearest.length;
    this.bet(Math.min(Math.max(p, 1e-12), 1 - 1e-12));
    this.observed++;
    return p;
  }

  private bet(p: number): void {
    // The histogram bettor: bets that p falls where past p-values fell (a predictable density
    // on [0, 1], Laplace-smoothed), so a skew of the p-values in any direction compounds.
    const bin = Math.min(BINS - 1, Math.floor(p * BINS));
    this.logHist += Math.log((this.hist[bin]! / this.histTotal) * BINS);
    this.hist[bin]!++;
    this.histTotal++;
    const n = KAPPAS.length;
    KAPPAS.forEach((kappa, i) => {
      this.logs[i]! += Math.log(kappa) + (kappa - 1) * Math.log(p);
      this.logs[n + i]! += Math.log(kappa) + (kappa - 1) * Math.log(1 - p);
    });
  }

  /** The evidence against "unchanged": the mixture martingale's value (starts at 1). */
  get evidence(): number {
    let max = -Infinity;
    for (const l of this.logs) max = Math.max(max, l);
    let sum = 0;
    for (const l of this.logs) sum += Math.exp(l - max);
    const calibrators = Math.exp(max) * (sum / this.logs.length);
    // Half the wealth on the calibrators, half on the histogram bettor.
    return (calibrators + Math.exp(this.logHist)) / 2;
  }

  /** Completions observed since the baseline. */
  get count(): number {
    return this.observed;
  }
}
