/**
 * The Prometheus sink: turns telemetry records into prom-client metrics on Coalmine's own
 * registry (never the global one), built from the catalogue. Label values are bounded (see
 * catalogue.ts): client-controlled values never become labels.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Metric } from 'prom-client';
import type {
  CanaryRecord,
  PolicyReloadRecord,
  PolicyReloadResult,
  QuarantineRecord,
  RequestRecord,
  Sink,
  TelemetryEvent,
} from '../model/sink.js';
import { decisionOf } from '../model/sink.js';
import type { Verdict } from '../model/verdict.js';
import type { MetricKey } from './catalogue.js';
import { CATALOGUE, FINISH_REASONS } from './catalogue.js';
import { Tally, TallyHistogram } from './tally.js';
import type { Incrementer, Observer } from './tally.js';

/** Error codes of requests refused before their body was read, and their `reason` label. */
const REFUSED: ReadonlyMap<string, string> = new Map([
  ['REQUEST_BODY_TOO_LARGE', 'too_large'],
  ['REQUEST_BUDGET_EXHAUSTED', 'budget'],
  ['REQUEST_BODY_TIMEOUT', 'body_timeout'],
]);

/** Label-bound children of one (route, upstream, code, source, decision) or (upstream, model). */
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
  private readonly histograms = new Map<MetricKey, TallyHistogram>();
  private readonly routeSeries = new Map<string, RouteSeries>();
  private readonly tallies: Tally[] = [];

  private tally(key: MetricKey, labels: Record<string, string>): Tally {
    const t = new Tally(this.counter(key), labels);
    this.tallies.push(t);
    return t;
  }

  /** The tally of a counter series met per request, looked up by its label values. */
  private counted(key: MetricKey, labels: Record<string, string>): Tally {
    const id = `${key}\u0000${Object.values(labels).join('\u0000')}`;
    let t = this.talliesById.get(id);
    if (!t) this.talliesById.set(id, (t = this.tally(key, labels)));
    return t;
  }
  private readonly talliesById = new Map<string, Tally>();

  /** Adds what the tallies counted since the last scrape, and reads the sampled gauges. */
  private flush(): void {
    for (const [g, read] of this.samplers) g.set(read());
    for (const t of this.totals) t();
    for (const t of this.tallies) t.flush();
  }
  private readonly modelSeries = new Map<string, ModelSeries>();
  private readonly samplers: [Gauge, () => number][] = [];
  private readonly totals: (() => void)[] = [];

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
      else {
        const h = new TallyHistogram(spec.name, spec.help, spec.labels, spec.buckets ?? []);
        // prom-client's registry reads a metric through name, help, type, get() and reset().
        this.registry.registerMetric(h as unknown as Metric);
        this.histograms.set(key, h);
      }
    }
    this.gauge('buildInfo').set({ version: opts.version, nodejs: process.versions.node }, 1);
    for (const reason of REFUSED.values()) this.counter('requestsRefused').inc({ reason }, 0);
    for (const result of ['success', 'failure', 'file_removed'] satisfies PolicyReloadResult[])
      this.counter('policyReloads').inc({ result }, 0);
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  requestStarted(): void {
    this.gauge('inflightRequests').inc();
  }

  /**
   * A counter without labels that follows a running total read from `read` at every scrape
   * (a total kept elsewhere, e.g. by the audit log).
   */
  sampleTotal(key: MetricKey, read: () => number): void {
    let last = 0;
    const c = this.counter(key);
    this.totals.push(() => {
      const now = read();
      if (now > last) c.inc(now - last);
      last = now;
    });
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
  private histogram(k: MetricKey): TallyHistogram {
    return this.histograms.get(k)!;
  }

  private route(e: RequestRecord): RouteSeries {
    const { route, upstream, source } = e;
    const code = String(e.status);
    const decision = decisionOf(e);
    const key = `${route}\u0000${upstream}\u0000${code}\u0000${source}\u0000${decision}`;
    let s = this.routeSeries.get(key);
    if (!s) {
      s = {
        requests: this.tally('requests', { route, upstream, code, source, decision }),
        duration: this.histogram('requestDuration').labels(route, upstream, source),
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
    else if (e.kind === 'quarantine') this.quarantine(e);
  }

  /** Whether this replica runs the canary schedule (`coalmine_canary_lease_held`). */
  canaryLease(held: boolean): void {
    this.gauge('canaryLeaseHeld').set(held ? 1 : 0);
  }

  /** Whether the shared state backend is connected (`coalmine_state_backend_up`). */
  stateBackend(backend: string, up: boolean): void {
    this.gauge('stateBackendUp').set({ backend }, up ? 1 : 0);
  }

  /** Declares the canaries and models so their series exist (at 0) before any event. */
  declare(
    canaries: readonly { id: string; everySeconds: number }[],
    models: readonly { upstream: string; model: string }[],
  ): void {
    for (const { id: canary, everySeconds } of canaries) {
      this.gauge('canaryInterval').set({ canary }, everySeconds);
      for (const result of ['pass', 'fail', 'error', 'blocked'] satisfies CanaryRecord['result'][])
        this.counter('canaryRuns').inc({ canary, result }, 0);
      this.gauge('canaryBlocked').set({ canary }, 0);
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
    if (e.tokens) this.counter('canaryTokens').inc({ canary }, e.tokens);
    this.histogram('canaryDuration').labels(canary).observe(e.durationSeconds);
    this.canaryState(e);
  }

  /**
   * What a canary's last run says (result, when, p-value, evidence), without counting the run:
   * also how a replica shows a run another replica made (the canary lease).
   */
  canaryState(e: CanaryRecord): void {
    const canary = e.canary;
    this.gauge('canaryBlocked').set({ canary }, e.result === 'blocked' ? 1 : 0);
    if (e.result !== 'blocked') this.gauge('canaryUp').set({ canary }, e.result === 'pass' ? 1 : 0);
    this.gauge('canaryLastRun').set({ canary }, e.finishedAt / 1000);
    if (e.result === 'pass') this.gauge('canaryLastSuccess').set({ canary }, e.finishedAt / 1000);
    if (e.pValue !== undefined) this.gauge('canaryPvalue').set({ canary }, e.pValue);
    if (e.evidence) {
      this.gauge('canaryEvidence').set({ canary }, e.evidence.value);
      this.gauge('canaryEvidenceThreshold').set({ canary }, e.evidence.threshold);
    }
  }

  private quarantine(e: QuarantineRecord): void {
    this.gauge('quarantined').set({ upstream: e.upstream, model: e.model }, e.quarantined ? 1 : 0);
  }

  private verdict(v: Verdict): void {
    this.counted('responsesEvaluated', { decision: v.decision }).inc();
    const duration = this.histogram('checkDuration');
    for (const r of v.results) {
      duration.labels(r.check).observe(r.durationSeconds);
      if (r.status === 'fail')
        this.counted('verdicts', {
          policy: r.policy,
          rule: r.rule,
          check: r.check,
          action: r.action,
          mode: r.mode,
        }).inc();
      else if (r.status === 'error') this.counted('checkErrors', { check: r.check }).inc();
    }
  }

  private request(e: RequestRecord): void {
    if (e.verdict) this.verdict(e.verdict);
    this.gauge('inflightRequests').dec();
    const s = this.route(e);
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
      const h = this.histogram('streamChunkOverhead').labels();
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
