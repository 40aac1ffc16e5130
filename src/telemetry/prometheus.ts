/**
 * The Prometheus sink: turns telemetry records into prom-client metrics on Coalmine's own
 * registry (never the global one), built from the catalogue. Label values are bounded (see
 * catalogue.ts): client-controlled values never become labels.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type {
  CanaryRecord,
  PolicyReloadRecord,
  PolicyReloadResult,
  QuarantineRecord,
  RequestRecord,
  Sink,
  TelemetryEvent,
} from '../model/sink.js';
import type { Verdict } from '../model/verdict.js';
import type { MetricKey } from './catalogue.js';
import { CATALOGUE, FINISH_REASONS } from './catalogue.js';

/** Error codes of requests refused before their body was read, and their `reason` label. */
const REFUSED: ReadonlyMap<string, string> = new Map([
  ['REQUEST_BODY_TOO_LARGE', 'too_large'],
  ['REQUEST_BUDGET_EXHAUSTED', 'budget'],
  ['REQUEST_BODY_TIMEOUT', 'body_timeout'],
]);

interface Observer {
  observe(v: number): void;
}
interface Incrementer {
  inc(v?: number): void;
}

/**
 * A counter child counted in a plain number and added to prom-client at scrape time:
 * prom-client hashes and validates the labels on every `inc`, which per request, for every
 * series a request touches, costs more than the rest of the bookkeeping.
 */
class Tally implements Incrementer {
  n = 0;
  constructor(
    readonly counter: Counter,
    readonly labels: Record<string, string>,
  ) {}
  inc(v = 1): void {
    this.n += v;
  }
}

/** Label-bound children of one (route, upstream, code, source) or (upstream, model). */
interface RouteSeries {
  requests: Incrementer;
  duration: Observer;
  ttfb: Observer;
  upstreamDuration: Observer;
  overhead: Observer;
}
interface ModelSeries {
  outputChars: Observer;
  outputTokens: Observer;
  refusals: Incrementer;
  inputTokens: Incrementer;
  outputTokenCount: Incrementer;
  /** Bound children by finish reason and by decision (both bounded sets). */
  finish: Map<string, Incrementer>;
  decision: Map<string, Incrementer>;
}

export interface PrometheusOptions {
  version: string;
  /** Include Node.js process metrics (off in unit tests for speed). */
  processMetrics?: boolean;
}

export class PrometheusSink implements Sink {
  readonly registry = new Registry();
  private readonly counters = new Map<MetricKey, Counter>();
  private readonly gauges = new Map<MetricKey, Gauge>();
  private readonly histograms = new Map<MetricKey, Histogram>();
  private readonly routeSeries = new Map<string, RouteSeries>();
  private readonly tallies: Tally[] = [];

  private tally(key: MetricKey, labels: Record<string, string>): Tally {
    const t = new Tally(this.counter(key), labels);
    // The series exists (at 0) from the first request that touches it.
    t.counter.inc(labels, 0);
    this.tallies.push(t);
    return t;
  }

  /** Adds what the tallies counted since the last scrape, and reads the sampled gauges. */
  private flush(): void {
    for (const [g, read] of this.samplers) g.set(read());
    for (const t of this.tallies) {
      if (t.n === 0) continue;
      t.counter.inc(t.labels, t.n);
      t.n = 0;
    }
  }
  private readonly modelSeries = new Map<string, ModelSeries>();
  private readonly samplers: [Gauge, () => number][] = [];

  constructor(opts: PrometheusOptions) {
    for (const [key, spec] of Object.entries(CATALOGUE) as [
      MetricKey,
      (typeof CATALOGUE)[MetricKey],
    ][]) {
      const common = {
        name: spec.name,
        help: spec.help,
        labelNames: [...spec.labels],
        registers: [this.registry],
      };
      if (spec.type === 'counter') this.counters.set(key, new Counter(common));
      else if (spec.type === 'gauge') this.gauges.set(key, new Gauge(common));
      else
        this.histograms.set(
          key,
          new Histogram({ ...common, buckets: [...('buckets' in spec ? spec.buckets : [])] }),
        );
    }
    this.gauge('buildInfo').set({ version: opts.version, nodejs: process.versions.node }, 1);
    for (const reason of REFUSED.values()) this.counter('requestsRefused').inc({ reason }, 0);
    for (const result of ['success', 'failure', 'file_removed'] satisfies PolicyReloadResult[])
      this.counter('policyReloads').inc({ result }, 0);
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** A gauge without labels whose value is read from `read` at every scrape. */
  sample(key: MetricKey, read: () => number): void {
    this.samplers.push([this.gauge(key), read]);
  }

  private counter(k: MetricKey): Counter {
    return this.counters.get(k)!;
  }
  private gauge(k: MetricKey): Gauge {
    return this.gauges.get(k)!;
  }
  private histogram(k: MetricKey): Histogram {
    return this.histograms.get(k)!;
  }

  private route(route: string, upstream: string, code: number, source: string): RouteSeries {
    const key = `${route}\u0000${upstream}\u0000${code}\u0000${source}`;
    let s = this.routeSeries.get(key);
    if (!s) {
      s = {
        requests: this.tally('requests', { route, upstream, code: String(code), source }),
        duration: this.histogram('requestDuration').labels(route, upstream),
        ttfb: this.histogram('upstreamTtfb').labels(upstream),
        upstreamDuration: this.histogram('upstreamDuration').labels(upstream),
        overhead: this.histogram('overhead').labels(route),
      };
      this.routeSeries.set(key, s);
    }
    return s;
  }

  private model(upstream: string, model: string): ModelSeries {
    const key = `${upstream}\u0000${model}`;
    let s = this.modelSeries.get(key);
    if (!s) {
      s = {
        outputChars: this.histogram('outputChars').labels(upstream, model),
        outputTokens: this.histogram('outputTokens').labels(upstream, model),
        refusals: this.tally('refusals', { upstream, model }),
        inputTokens: this.tally('tokens', { upstream, model, type: 'input' }),
        outputTokenCount: this.tally('tokens', { upstream, model, type: 'output' }),
        finish: new Map(),
        decision: new Map(),
      };
      this.modelSeries.set(key, s);
    }
    return s;
  }

  record(e: TelemetryEvent): void {
    if (e.kind === 'request') this.request(e);
    else if (e.kind === 'policy_reload') this.reload(e);
    else if (e.kind === 'canary') this.canary(e);
    else this.quarantine(e);
  }

  /** Declares the canaries and models so their series exist (at 0) before any event. */
  declare(
    canaries: readonly { id: string; everySeconds: number }[],
    models: readonly { upstream: string; model: string }[],
  ): void {
    for (const { id: canary, everySeconds } of canaries) {
      this.gauge('canaryInterval').set({ canary }, everySeconds);
      for (const result of ['pass', 'fail', 'error'])
        this.counter('canaryRuns').inc({ canary, result }, 0);
      this.counter('canaryTokens').inc({ canary }, 0);
    }
    for (const m of models) {
      this.gauge('quarantined').set(m, 0);
      this.counter('identityMismatches').inc(m, 0);
      this.counter('fingerprintChanges').inc(m, 0);
    }
  }

  private reload(e: PolicyReloadRecord): void {
    this.counter('policyReloads').inc({ result: e.result });
    this.gauge('policyLastReload').set(e.result === 'success' ? 1 : 0);
    if (e.result === 'success') {
      if (e.previousVersion !== undefined && e.previousVersion !== e.version)
        this.gauge('policyInfo').remove({ version: e.previousVersion });
      this.gauge('policyInfo').set({ version: e.version }, 1);
    }
  }

  private canary(e: CanaryRecord): void {
    const canary = e.canary;
    this.counter('canaryRuns').inc({ canary, result: e.result });
    this.gauge('canaryUp').set({ canary }, e.result === 'pass' ? 1 : 0);
    this.gauge('canaryLastRun').set({ canary }, e.finishedAt / 1000);
    if (e.result === 'pass') this.gauge('canaryLastSuccess').set({ canary }, e.finishedAt / 1000);
    if (e.pValue !== undefined) this.gauge('canaryPvalue').set({ canary }, e.pValue);
    if (e.tokens) this.counter('canaryTokens').inc({ canary }, e.tokens);
    this.histogram('canaryDuration').observe({ canary }, e.durationSeconds);
  }

  private quarantine(e: QuarantineRecord): void {
    this.gauge('quarantined').set({ upstream: e.upstream, model: e.model }, e.quarantined ? 1 : 0);
  }

  private verdict(v: Verdict): void {
    this.counter('responsesEvaluated').inc({ decision: v.decision });
    for (const r of v.results) {
      this.histogram('checkDuration').observe({ check: r.check }, r.durationSeconds);
      if (r.status === 'fail')
        this.counter('verdicts').inc({
          policy: r.policy,
          rule: r.rule,
          check: r.check,
          action: r.action,
          mode: r.mode,
        });
      else if (r.status === 'error') this.counter('checkErrors').inc({ check: r.check });
    }
  }

  private request(e: RequestRecord): void {
    if (e.verdict) this.verdict(e.verdict);
    const s = this.route(e.route, e.upstream, e.status, e.source);
    s.requests.inc();
    s.duration.observe(e.durationSeconds);
    if (e.upstreamTtfbSeconds !== undefined) s.ttfb.observe(e.upstreamTtfbSeconds);
    if (e.upstreamDurationSeconds !== undefined)
      s.upstreamDuration.observe(e.upstreamDurationSeconds);
    if (e.overheadSeconds !== undefined) s.overhead.observe(e.overheadSeconds);
    if (e.abortReason) this.counter('streamAborts').inc({ reason: e.abortReason });
    const refused = e.errorCode === undefined ? undefined : REFUSED.get(e.errorCode);
    if (refused) this.counter('requestsRefused').inc({ reason: refused });
    if (e.upstreamError)
      this.counter('upstreamErrors').inc({ upstream: e.upstream, reason: e.upstreamError });
    if (e.chunkSeconds.length) {
      const h = this.histogram('streamChunkOverhead');
      for (const c of e.chunkSeconds) h.observe(c);
    }
    const id = e.identity;
    if (id?.mismatch)
      this.counter('identityMismatches').inc({ upstream: e.upstream, model: e.model });
    if (id?.fingerprintChanged)
      this.counter('fingerprintChanges').inc({ upstream: e.upstream, model: e.model });

    const out = e.output;
    if (!out) return;
    const ms = this.model(e.upstream, e.model);
    if (e.usage?.inputTokens) ms.inputTokens.inc(e.usage.inputTokens);
    if (e.usage?.outputTokens) ms.outputTokenCount.inc(e.usage.outputTokens);
    if (e.source !== 'live') return;
    // Drift signals: live traffic only, so canary probes do not skew them.
    ms.outputChars.observe(out.chars);
    if (e.usage?.outputTokens !== undefined) ms.outputTokens.observe(e.usage.outputTokens);
    if (out.refused) ms.refusals.inc();
    for (const r of e.finishReasons) {
      const reason = FINISH_REASONS.has(r) ? r : 'other';
      let c = ms.finish.get(reason);
      if (!c)
        ms.finish.set(
          reason,
          (c = this.tally('finishReasons', { upstream: e.upstream, model: e.model, reason })),
        );
      c.inc();
    }
    const decision = e.verdict?.decision ?? 'pass';
    let d = ms.decision.get(decision);
    if (!d)
      ms.decision.set(
        decision,
        (d = this.tally('decisions', { upstream: e.upstream, model: e.model, decision })),
      );
    d.inc();
  }

  metrics(): Promise<string> {
    this.flush();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
