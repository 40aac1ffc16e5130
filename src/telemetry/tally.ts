/**
 * Per-request bookkeeping in plain numbers. prom-client validates, sorts and hashes the labels
 * on every `inc` and `observe`; a request touches a dozen series, so that work cost more than
 * the rest of the telemetry. Here a series is looked up once (by its label values) and then
 * counted with a few additions; prom-client sees counters at scrape time (`Tally`), and
 * histograms are exposed by `TallyHistogram` itself.
 */
import type { Counter } from 'prom-client';

export interface Observer {
  observe(v: number): void;
}
export interface Incrementer {
  inc(v?: number): void;
}

/** A counter child counted in a plain number and added to its prom-client counter on `flush`. */
export class Tally implements Incrementer {
  n = 0;
  constructor(
    readonly counter: Counter,
    readonly labels: Record<string, string>,
  ) {
    // The series exists (at 0) from the first request that touches it.
    counter.inc(labels, 0);
  }
  inc(v = 1): void {
    this.n += v;
  }
  flush(): void {
    if (this.n === 0) return;
    this.counter.inc(this.labels, this.n);
    this.n = 0;
  }
}

/** One labelled series of a `TallyHistogram`: counts per bucket (the last is +Inf), sum, count. */
export class Bins implements Observer {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    private readonly bounds: readonly number[],
    readonly labels: Readonly<Record<string, string>>,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }
  observe(v: number): void {
    // A non-number would poison the sum for good: dropped, as prom-client refuses it.
    if (!Number.isFinite(v)) return;
    const b = this.bounds;
    let i = 0;
    while (i < b.length && v > b[i]!) i++;
    this.counts[i]!++;
    this.sum += v;
    this.count++;
  }
}

/** One exposed sample, as prom-client's registry formats it. */
interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}
interface HistogramValues {
  name: string;
  help: string;
  type: 'histogram';
  values: Sample[];
  aggregator: 'sum';
}

/**
 * A histogram whose series are `Bins`. It registers in a prom-client `Registry` as a metric
 * (the registry reads `name`, `help`, `type`, `aggregator` and calls `get()` and `reset()`),
 * and `get()` returns what prom-client's own histogram returns: per series, cumulative
 * `_bucket` values by `le`, `+Inf`, `_sum` and `_count` (`le` first, then the labels in
 * declaration order).
 */
export class TallyHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private series = new Map<string, Bins>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    private readonly bounds: readonly number[],
  ) {}

  /** The series of these label values, in `labelNames` order. */
  labels(...values: string[]): Bins {
    const key = values.join('\u0000');
    let s = this.series.get(key);
    if (!s) {
      if (values.length !== this.labelNames.length)
        throw new Error(`${this.name}: ${this.labelNames.length} label values expected`);
      const labels: Record<string, string> = {};
      this.labelNames.forEach((n, i) => (labels[n] = values[i]!));
      this.series.set(key, (s = new Bins(this.bounds, labels)));
    }
    return s;
  }

  get(): Promise<HistogramValues> {
    const values: Sample[] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.series.values()) {
      let acc = 0;
      this.bounds.forEach((le, i) => {
        acc += s.counts[i]!;
        values.push({ labels: { le, ...s.labels }, value: acc, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: bucket });
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    });
  }

  reset(): void {
    this.series = new Map();
  }
}
