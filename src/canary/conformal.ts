/**
 * Anytime-valid monitoring of a distribution canary: a conformal test martingale (Vovk,
 * Nouretdinov & Gammerman, "Testing exchangeability on-line", ICML 2003; Vovk, "Testing
 * randomness online", Statistical Science 2021).
 *
 * Why not a product of per-run p-values: every run is compared with the same baseline, so the
 * runs' p-values are dependent under "same model" and their product is no martingale. Here the
 * observations are the baseline's completions followed by every monitored completion, one by
 * one; each monitored one gets a smoothed conformal p-value against all that came before (the
 * "bag"). If the model never changed, the sequence is exchangeable and these p-values are
 * independent and uniform, so any betting martingale over them satisfies Ville's inequality:
 * P(the martingale ever reaches 1/alpha) <= alpha, over unbounded monitoring time.
 *
 * Nonconformity of a completion: fewer identical completions in the bag is stranger; among
 * equals, a larger mean Hamming distance (first `maxChars` code points, as in stats.ts) to its
 * `k` nearest others is stranger. The bag is kept as distinct completions with counts, so a
 * canary whose answers repeat costs memory and time by its distinct answers, not by its age.
 *
 * The bet: half the wealth on the mixture, over a grid of kappa in (0, 1), of the power
 * calibrators kappa * p^(kappa - 1) (new completions stranger than the past) and
 * kappa * (1 - p)^(kappa - 1) (a collapse onto a few answers); half on a histogram bettor that
 * bets p falls where past p-values fell (any skew compounds). Each is a test martingale; so is
 * their average.
 *
 * Epochs: when the bag holds `maxDistinct` distinct completions, monitoring restarts from the
 * baseline alone with a new martingale. Epoch j (from 0) alarms at 1/alpha_j with
 * alpha_j = alpha * 6 / (pi^2 (j + 1)^2); the alpha_j sum to alpha, so by the union bound the
 * false-alarm probability over all epochs and all time stays <= alpha.
 */

const PAD = -1;
const BINS = 10;
const KAPPAS = Array.from({ length: 20 }, (_, i) => (i + 0.5) / 20);

export interface ConformalOptions {
  /** Code points compared per completion. */
  maxChars: number;
  /** Nearest neighbours the nonconformity averages over. */
  k: number;
  /** Lifetime false-alarm bound. */
  alpha: number;
  /** Distinct completions in the bag before a new epoch starts. */
  maxDistinct: number;
  /** Uniform random numbers in [0, 1) for tie-breaking (smoothing). */
  random: () => number;
}

/** What persists between runs and restarts: enough to rebuild the monitor exactly. */
export interface ConformalState {
  epoch: number;
  /** Monitored completions of this epoch (cut to `maxChars`) and how often each was seen. */
  seen: [string, number][];
  /** Log-wealth of each calibrator: small-p bets then large-p bets. */
  logs: number[];
  hist: number[];
  logHist: number;
  /** Monitored completions over all epochs. */
  observed: number;
  /** Once the evidence reached its threshold: stays set (the model is not the baseline's). */
  alarmed: boolean;
  /**
   * Where the evidence first reached its threshold (it may fall after: the verdict stands, and
   * reports name this crossing). Absent in evidence saved before it was recorded.
   */
  alarm?: AlarmPoint;
}

/** The evidence, its threshold and the monitored completions when the monitor alarmed. */
export interface AlarmPoint {
  evidence: number;
  threshold: number;
  observed: number;
}

interface Entry {
  codes: Int32Array;
  /** Occurrences in the bag. */
  count: number;
  /** Occurrences of this completion among the monitored ones (the rest are baseline). */
  monitored: number;
  /** The `k` nearest other distinct completions, by distance, ascending. */
  near: { d: number; e: Entry }[];
}

function cut(s: string, L: number): string {
  let out = '';
  let i = 0;
  for (const ch of s) {
    if (i++ >= L) break;
    out += ch;
  }
  return out;
}

function codes(s: string, L: number): Int32Array {
  const out = new Int32Array(L).fill(PAD);
  let i = 0;
  for (const ch of s) out[i++] = ch.codePointAt(0)!;
  return out;
}

function distance(a: Int32Array, b: Int32Array): number {
  let diff = 0;
  for (let p = 0; p < a.length; p++) if (a[p] !== b[p]) diff++;
  return diff / a.length;
}

const epochAlpha = (alpha: number, epoch: number): number =>
  (alpha * 6) / (Math.PI ** 2 * (epoch + 1) ** 2);

export class ConformalMonitor {
  private entries = new Map<string, Entry>();
  private total = 0;
  private state: ConformalState;

  constructor(
    private readonly baseline: readonly string[],
    private readonly opts: ConformalOptions,
    restored?: ConformalState,
  ) {
    this.state = restored ? structuredClone(restored) : ConformalMonitor.fresh(0, 0);
    this.rebuild();
  }

  private static fresh(epoch: number, observed: number): ConformalState {
    return {
      epoch,
      seen: [],
      logs: new Array<number>(KAPPAS.length * 2).fill(0),
      hist: new Array<number>(BINS).fill(1),
      logHist: 0,
      observed,
      alarmed: false,
    };
  }

  private rebuild(): void {
    this.entries = new Map();
    this.total = 0;
    for (const s of this.baseline) this.insert(cut(s, this.opts.maxChars), 1, false);
    for (const [s, n] of this.state.seen) this.insert(cut(s, this.opts.maxChars), n, true);
  }

  private insert(key: string, n: number, monitored: boolean): Entry {
    this.total += n;
    let e = this.entries.get(key);
    if (!e) {
      e = { codes: codes(key, this.opts.maxChars), count: 0, monitored: 0, near: [] };
      for (const other of this.entries.values()) {
        const d = distance(e.codes, other.codes);
        this.addNear(e, d, other);
        this.addNear(other, d, e);
      }
      this.entries.set(key, e);
    }
    e.count += n;
    if (monitored) e.monitored += n;
    return e;
  }

  private addNear(to: Entry, d: number, e: Entry): void {
    const near = to.near;
    if (near.length === this.opts.k && d >= near[near.length - 1]!.d) return;
    let i = near.length;
    while (i > 0 && near[i - 1]!.d > d) i--;
    near.splice(i, 0, { d, e });
    if (near.length > this.opts.k) near.pop();
  }

  /**
   * The nonconformity of one occurrence of `e`: minus the other identical occurrences, plus
   * the mean distance to the `k` nearest other occurrences (identical ones are at 0).
   */
  private score(e: Entry): number {
    const k = this.opts.k;
    const same = e.count - 1;
    let taken = Math.min(same, k);
    let sum = 0;
    for (const { d, e: other } of e.near) {
      if (taken >= k) break;
      const n = Math.min(other.count, k - taken);
      sum += n * d;
      taken += n;
    }
    return (taken ? sum / taken : 1) - same;
  }

  /** Adds one monitored completion; returns its smoothed conformal p-value. */
  observe(completion: string): number {
    const key = cut(completion, this.opts.maxChars);
    if (!this.entries.has(key) && this.entries.size >= this.opts.maxDistinct) this.nextEpoch();
    const mine = this.insert(key, 1, true);
    const a = this.score(mine);
    let above = 0;
    let equal = 0;
    for (const e of this.entries.values()) {
      const s = this.score(e);
      if (s > a) above += e.count;
      else if (s === a) equal += e.count;
    }
    // `equal` counts the new completion itself.
    const p = (above + this.opts.random() * equal) / this.total;
    this.bet(Math.min(Math.max(p, 1e-12), 1 - 1e-12));
    this.state.observed++;
    if (!this.state.alarmed) {
      const evidence = this.evidence;
      const threshold = this.threshold;
      if (evidence >= threshold) {
        this.state.alarmed = true;
        this.state.alarm = { evidence, threshold, observed: this.state.observed };
      }
    }
    return p;
  }

  /**
   * A new epoch restarts the evidence, never the verdict: once alarmed, the monitor stays
   * alarmed (else a changed model could answer with new texts until an epoch rolls over).
   */
  private nextEpoch(): void {
    const { alarmed, alarm } = this.state;
    this.state = ConformalMonitor.fresh(this.state.epoch + 1, this.state.observed);
    this.state.alarmed = alarmed;
    if (alarm) this.state.alarm = alarm;
    this.rebuild();
  }

  private bet(p: number): void {
    const st = this.state;
    const bin = Math.min(BINS - 1, Math.floor(p * BINS));
    const histTotal = st.hist.reduce((a, b) => a + b, 0);
    st.logHist += Math.log((st.hist[bin]! / histTotal) * BINS);
    st.hist[bin]!++;
    const n = KAPPAS.length;
    KAPPAS.forEach((kappa, i) => {
      st.logs[i]! += Math.log(kappa) + (kappa - 1) * Math.log(p);
      st.logs[n + i]! += Math.log(kappa) + (kappa - 1) * Math.log(1 - p);
    });
  }

  /** The evidence against "unchanged" in this epoch: the martingale's value (starts at 1). */
  get evidence(): number {
    const logs = this.state.logs;
    let max = -Infinity;
    for (const l of logs) max = Math.max(max, l);
    let sum = 0;
    for (const l of logs) sum += Math.exp(l - max);
    const calibrators = Math.exp(max) * (sum / logs.length);
    return (calibrators + Math.exp(this.state.logHist)) / 2;
  }

  /** The evidence at which this epoch alarms: 1 / alpha_epoch. */
  get threshold(): number {
    return 1 / epochAlpha(this.opts.alpha, this.state.epoch);
  }

  get alarmed(): boolean {
    return this.state.alarmed;
  }

  /** Where the evidence first reached its threshold, when it did and that was recorded. */
  get alarm(): AlarmPoint | undefined {
    return this.state.alarm && { ...this.state.alarm };
  }

  /** Monitored completions over all epochs. */
  get count(): number {
    return this.state.observed;
  }

  get epoch(): number {
    return this.state.epoch;
  }

  /** The state to persist (a copy). */
  snapshot(): ConformalState {
    const seen: [string, number][] = [];
    for (const [key, e] of this.entries) if (e.monitored) seen.push([key, e.monitored]);
    return structuredClone({ ...this.state, seen });
  }
}
