/**
 * The Prometheus sink: turns telemetry records into prom-client metrics on Coalmine's own
 * registry (never the global one). Label values are bounded: routes and upstreams come from
 * configuration and the adapter registry; client-controlled values never become labels.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type {
  CanaryRecord,
  PolicyReloadRecord,
  QuarantineRecord,
  RequestRecord,
  Sink,
  TelemetryEvent,
} from '../model/sink.js';
import type { Verdict } from '../model/verdict.js';
import { METRIC } from './names.js';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const CHECK_BUCKETS = [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1];
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];

interface RouteSeries {
  requests: { inc(): void };
  duration: { observe(v: number): void };
  ttfb: { observe(v: number): void };
  upstreamDuration: { observe(v: number): void };
  overhead: { observe(v: number): void };
}

export interface PrometheusOptions {
  version: string;
  /** Include Node.js process metrics (off in unit tests for speed). */
  processMetrics?: boolean;
}

export class PrometheusSink implements Sink {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'upstream' | 'code' | 'source'>;
  private readonly duration: Histogram<'route' | 'upstream'>;
  private readonly ttfb: Histogram<'upstream'>;
  private readonly upstreamDuration: Histogram<'upstream'>;
  private readonly overhead: Histogram<'route'>;
  private readonly aborts: Counter<'reason'>;
  private readonly chunkOverhead: Histogram;
  private readonly identityMismatches: Counter<'upstream' | 'model'>;
  private readonly fingerprintChanges: Counter<'upstream' | 'model'>;
  private readonly tokens: Counter<'upstream' | 'type'>;
  private readonly verdicts: Counter<'policy' | 'rule' | 'check' | 'action' | 'mode'>;
  private readonly evaluated: Counter<'decision'>;
  private readonly checkErrors: Counter<'check'>;
  private readonly checkDuration: Histogram<'check'>;
  private readonly reloads: Counter<'result'>;
  private readonly policyInfo: Gauge<'version'>;
  private readonly canaryRuns: Counter<'canary' | 'result'>;
  private readonly canaryUp: Gauge<'canary'>;
  private readonly canaryLastSuccess: Gauge<'canary'>;
  private readonly canaryPvalue: Gauge<'canary'>;
  private readonly canaryTokens: Counter<'canary'>;
  private readonly canaryDuration: Histogram<'canary'>;
  private readonly quarantined: Gauge<'upstream' | 'model'>;

  constructor(opts: PrometheusOptions) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: METRIC.requests,
      help: 'Requests answered, by route, upstream, HTTP status and source (live or canary).',
      labelNames: ['route', 'upstream', 'code', 'source'],
      registers,
    });
    this.duration = new Histogram({
      name: METRIC.requestDuration,
      help: 'Time from request arrival to the end of the response.',
      labelNames: ['route', 'upstream'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.ttfb = new Histogram({
      name: METRIC.upstreamTtfb,
      help: 'Time from dispatching the upstream request to its response headers.',
      labelNames: ['upstream'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.upstreamDuration = new Histogram({
      name: METRIC.upstreamDuration,
      help: 'Time the upstream call took, dispatch to last byte.',
      labelNames: ['upstream'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.overhead = new Histogram({
      name: METRIC.overhead,
      help: "Time Coalmine added before the client's first byte, upstream waiting excluded.",
      labelNames: ['route'],
      buckets: OVERHEAD_BUCKETS,
      registers,
    });
    this.aborts = new Counter({
      name: METRIC.streamAborts,
      help: 'Streams ended early, by reason (client_disconnect, upstream_error, policy_block, timeout).',
      labelNames: ['reason'],
      registers,
    });
    this.tokens = new Counter({
      name: METRIC.tokens,
      help: 'Tokens the upstream reported, by type (input, output).',
      labelNames: ['upstream', 'type'],
      registers,
    });
    this.chunkOverhead = new Histogram({
      name: METRIC.streamChunkOverhead,
      help: 'Time Coalmine spent on one upstream stream chunk (parse, streaming checks, write).',
      buckets: [0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.005],
      registers,
    });
    this.identityMismatches = new Counter({
      name: METRIC.identityMismatches,
      help: 'Responses whose reported model differs from the pin (or the first one seen), by upstream and requested model (unconfigured models: other).',
      labelNames: ['upstream', 'model'],
      registers,
    });
    this.fingerprintChanges = new Counter({
      name: METRIC.fingerprintChanges,
      help: 'Responses whose system fingerprint is not pinned or changed from the last one seen.',
      labelNames: ['upstream', 'model'],
      registers,
    });
    this.verdicts = new Counter({
      name: METRIC.verdicts,
      help: 'Rules that fired, by policy, rule, check, action (done, or in shadow mode would have been done) and mode.',
      labelNames: ['policy', 'rule', 'check', 'action', 'mode'],
      registers,
    });
    this.evaluated = new Counter({
      name: METRIC.responsesEvaluated,
      help: 'Responses evaluated by at least one policy, by decision.',
      labelNames: ['decision'],
      registers,
    });
    this.checkErrors = new Counter({
      name: METRIC.checkErrors,
      help: 'Checks that threw, overran their time budget or could not scan the output.',
      labelNames: ['check'],
      registers,
    });
    this.checkDuration = new Histogram({
      name: METRIC.checkDuration,
      help: 'Time one check took on one choice.',
      labelNames: ['check'],
      buckets: CHECK_BUCKETS,
      registers,
    });
    this.reloads = new Counter({
      name: METRIC.policyReloads,
      help: 'Policy set loads (at start and on reload), by result.',
      labelNames: ['result'],
      registers,
    });
    this.policyInfo = new Gauge({
      name: METRIC.policyInfo,
      help: 'The policy set version serving; always 1.',
      labelNames: ['version'],
      registers,
    });
    this.canaryRuns = new Counter({
      name: METRIC.canaryRuns,
      help: 'Canary runs, by canary and result (pass, fail, error).',
      labelNames: ['canary', 'result'],
      registers,
    });
    this.canaryUp = new Gauge({
      name: METRIC.canaryUp,
      help: 'Whether the last run of the canary passed (1) or not (0).',
      labelNames: ['canary'],
      registers,
    });
    this.canaryLastSuccess = new Gauge({
      name: METRIC.canaryLastSuccess,
      help: 'Unix time of the last passing run of the canary.',
      labelNames: ['canary'],
      registers,
    });
    this.canaryPvalue = new Gauge({
      name: METRIC.canaryPvalue,
      help: 'Distribution canaries: p-value of the last two-sample test against the baseline.',
      labelNames: ['canary'],
      registers,
    });
    this.canaryTokens = new Counter({
      name: METRIC.canaryTokens,
      help: 'Tokens canary runs cost (input and output as the upstream reported them).',
      labelNames: ['canary'],
      registers,
    });
    this.canaryDuration = new Histogram({
      name: METRIC.canaryDuration,
      help: 'Time one canary run took (all of its calls).',
      labelNames: ['canary'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.quarantined = new Gauge({
      name: METRIC.quarantined,
      help: 'Whether the model on the upstream is in quarantine (1) or not (0).',
      labelNames: ['upstream', 'model'],
      registers,
    });
    const info = new Gauge({
      name: METRIC.buildInfo,
      help: 'Build information; always 1.',
      labelNames: ['version', 'nodejs'],
      registers,
    });
    info.set({ version: opts.version, nodejs: process.versions.node }, 1);
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** Label-bound children by key, so the hot path skips prom-client's label hashing. */
  private readonly children = new Map<string, RouteSeries>();

  private series(route: string, upstream: string, code: number, source: string): RouteSeries {
    const key = `${route}\u0000${upstream}\u0000${code}\u0000${source}`;
    let s = this.children.get(key);
    if (!s) {
      s = {
        requests: this.requests.labels(route, upstream, String(code), source),
        duration: this.duration.labels(route, upstream),
        ttfb: this.ttfb.labels(upstream),
        upstreamDuration: this.upstreamDuration.labels(upstream),
        overhead: this.overhead.labels(route),
      };
      this.children.set(key, s);
    }
    return s;
  }

  record(e: TelemetryEvent): void {
    if (e.kind === 'request') this.request(e);
    else if (e.kind === 'policy_reload') this.reload(e);
    else if (e.kind === 'canary') this.canary(e);
    else this.quarantine(e);
  }

  /** Declares the canaries and quarantinable models so their series exist before any event. */
  declare(
    canaries: readonly string[],
    models: readonly { upstream: string; model: string }[],
  ): void {
    for (const c of canaries) {
      this.canaryRuns.inc({ canary: c, result: 'pass' }, 0);
      this.canaryRuns.inc({ canary: c, result: 'fail' }, 0);
      this.canaryRuns.inc({ canary: c, result: 'error' }, 0);
      this.canaryTokens.inc({ canary: c }, 0);
    }
    for (const m of models) this.quarantined.set(m, 0);
  }

  private canary(e: CanaryRecord): void {
    const canary = e.canary;
    this.canaryRuns.inc({ canary, result: e.result });
    this.canaryUp.set({ canary }, e.result === 'pass' ? 1 : 0);
    if (e.result === 'pass') this.canaryLastSuccess.set({ canary }, e.finishedAt / 1000);
    if (e.pValue !== undefined) this.canaryPvalue.set({ canary }, e.pValue);
    if (e.tokens) this.canaryTokens.inc({ canary }, e.tokens);
    this.canaryDuration.observe({ canary }, e.durationSeconds);
  }

  private quarantine(e: QuarantineRecord): void {
    this.quarantined.set({ upstream: e.upstream, model: e.model }, e.quarantined ? 1 : 0);
  }

  private reload(e: PolicyReloadRecord): void {
    this.reloads.inc({ result: e.result });
    if (e.result === 'success') {
      if (e.previousVersion !== undefined && e.previousVersion !== e.version)
        this.policyInfo.remove({ version: e.previousVersion });
      this.policyInfo.set({ version: e.version }, 1);
    }
  }

  private verdict(v: Verdict): void {
    this.evaluated.inc({ decision: v.decision });
    for (const r of v.results) {
      this.checkDuration.observe({ check: r.check }, r.durationSeconds);
      if (r.status === 'fail')
        this.verdicts.inc({
          policy: r.policy,
          rule: r.rule,
          check: r.check,
          action: r.action,
          mode: r.mode,
        });
      else if (r.status === 'error') this.checkErrors.inc({ check: r.check });
    }
  }

  private request(e: RequestRecord): void {
    if (e.verdict) this.verdict(e.verdict);
    const s = this.series(e.route, e.upstream, e.status, e.source);
    s.requests.inc();
    s.duration.observe(e.durationSeconds);
    if (e.upstreamTtfbSeconds !== undefined) s.ttfb.observe(e.upstreamTtfbSeconds);
    if (e.upstreamDurationSeconds !== undefined)
      s.upstreamDuration.observe(e.upstreamDurationSeconds);
    if (e.overheadSeconds !== undefined) s.overhead.observe(e.overheadSeconds);
    if (e.abortReason) this.aborts.inc({ reason: e.abortReason });
    for (const s of e.chunkSeconds) this.chunkOverhead.observe(s);
    if (e.identity?.mismatch)
      this.identityMismatches.inc({ upstream: e.upstream, model: e.identity.model });
    if (e.identity?.fingerprintChanged)
      this.fingerprintChanges.inc({ upstream: e.upstream, model: e.identity.model });
    if (e.usage?.inputTokens)
      this.tokens.inc({ upstream: e.upstream, type: 'input' }, e.usage.inputTokens);
    if (e.usage?.outputTokens)
      this.tokens.inc({ upstream: e.upstream, type: 'output' }, e.usage.outputTokens);
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
