/**
 * The core of a running Coalmine, everything but the listeners: configuration → upstream
 * clients → sinks (metrics, logs, audit, quarantine) → policies → pipeline → canaries → state
 * shared with other replicas. `serve` (main.ts) puts listeners in front of it; `coalmine canary`
 * runs canaries through it in process.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { getProvider, providerIds } from './adapters/providers.js';
import type { LoadedConfig } from './config/load.js';
import { loadConfig } from './config/load.js';
import type { UpstreamConfig } from './config/schema.js';
import { configSchema } from './config/schema.js';
import { IdentityTracker } from './canary/identity.js';
import { loadCanaries, type Canary } from './canary/loader.js';
import type { RunnerDeps } from './canary/runner.js';
import { Quarantine } from './canary/quarantine.js';
import { openSharedState, type SharedState } from './state/open.js';
import { CanaryService } from './canary/service.js';
import { openEvidenceStore } from './canary/evidence.js';
import { SequentialTests } from './canary/sequential.js';
import { blockedCanaryAnswers } from './canary/policy-conflicts.js';
import { fanout } from './model/sink.js';
import { AuditLog } from './audit/log.js';
import { auditLogOptions } from './audit/config.js';
import { AuditSink } from './audit/sink.js';
import { UserError } from './commands/user-error.js';
import type { Sink } from './model/sink.js';
import { ConfigError } from './errors.js';
import { loadPolicySetAsync } from './policy/loader.js';
import { PolicyStore } from './policy/store.js';
import type { ReloadStatus } from './policy/store.js';
import { watchPolicies } from './policy/watch.js';
import { jsonLogger } from './log.js';
import type { Logger } from './model/log.js';
import type { Tracing } from './model/tracing.js';
import { noopTracing } from './model/tracing.js';
import { createPipeline } from './pipeline/proxy.js';
import type { SimServer } from './sim/server.js';
import { IncidentLog } from './telemetry/incident-log.js';
import { RateLimitedLogger } from './telemetry/log-limit.js';
import { PrometheusSink } from './telemetry/prometheus.js';
import { RecentDecisions } from './telemetry/recent-decisions.js';
import { UpstreamClient } from './upstream/client.js';
import { createRouter } from './upstream/router.js';

/** The shipped out-of-the-box pack, used when the configuration names no policies. */
export const DEFAULT_PACK = fileURLToPath(new URL('../policies/default.yaml', import.meta.url));
/** The shipped canary suite, run against the simulator when no upstream is configured. */
export const SHIPPED_CANARIES = fileURLToPath(
  new URL('../policies/canaries.yaml', import.meta.url),
);

export const VERSION: string = (
  createRequire(import.meta.url)('../package.json') as { version: string }
).version;

export interface ServeOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  configFile?: string | undefined;
  listen?: string | undefined;
  adminListen?: string | undefined;
  upstream?: string | undefined;
  log?: Logger;
  /** Write the configured audit log (default true); off for one-off commands. */
  audit?: boolean;
  /** Write sequential canaries' evidence file (default true); one-off commands only read it. */
  writeEvidence?: boolean;
  /**
   * Take part in the shared state (`state.backend: redis`; default true). One-off commands do
   * not: their runs neither change the fleet's quarantine nor its canary evidence.
   */
  shareState?: boolean;
}

/** What the canary loader needs to know of the upstreams (the simulator's name when none). */
export function canaryUpstreams(upstreams: readonly UpstreamConfig[]) {
  if (upstreams.length === 0)
    return [{ name: 'sim', prefix: '/', chatPath: getProvider('').canaryPath }];
  return upstreams.map((u) => ({
    name: u.name,
    prefix: u.prefix,
    chatPath: getProvider(u.provider).canaryPath,
  }));
}

/**
 * Spans only when something registered with the OpenTelemetry API (instrumentation.ts's SDK, or
 * the operator's own `--import`): the API keeps its registrations under this global symbol (its
 * major version in the name). Otherwise telemetry/otel.ts is not loaded and the pipeline gets the
 * no-op tracing the API would have amounted to, without a non-recording span and a context
 * extraction per request.
 */
async function tracingFor(): Promise<Tracing> {
  const registry = (globalThis as Record<symbol, unknown>)[Symbol.for('opentelemetry.js.api.1')];
  return registry ? (await import('./telemetry/otel.js')).otelTracing : noopTracing;
}

/** At debug level, what the configuration resolved to: names and flags, never keys or URLs. */
function logConfiguration(
  log: Logger,
  config: LoadedConfig['config'],
  upstreams: readonly UpstreamConfig[],
  canaries: number,
): void {
  if (!log.enabled('debug')) return;
  log.write('debug', 'config_loaded', 'configuration', {
    upstreams: upstreams.map(
      (u) => `${u.name} ${u.provider} ${u.prefix}${u.api_key === undefined ? '' : ' api_key'}`,
    ),
    policy_files: config.policies ?? ['default'],
    canaries,
    access_log: config.log.access,
  });
}

/**
 * Opens the audit log (resuming its chain), records the start and exports its counters; a log
 * that cannot be opened stops start-up (AUDIT_OPEN_FAILED): evidence must not go missing.
 */
async function openAudit(
  cfg: NonNullable<LoadedConfig['config']['audit']>,
  baseDir: string,
  metrics: PrometheusSink,
): Promise<AuditLog> {
  const path = resolve(baseDir, cfg.path);
  let audit: AuditLog;
  try {
    audit = await AuditLog.open({ ...auditLogOptions(cfg), path });
  } catch (e) {
    throw new UserError(
      'AUDIT_OPEN_FAILED',
      `cannot open the audit log ${path}: ${(e as Error).message}; fix or move it, or choose another audit.path`,
    );
  }
  audit.append({ type: 'started', version: VERSION });
  metrics.sampleTotal('auditRecords', () => audit.written);
  metrics.sampleTotal('auditDropped', () => audit.dropped);
  metrics.sampleTotal('auditWriteFailures', () => audit.failedWrites);
  metrics.sample('auditQueueDepth', () => audit.queued);
  return audit;
}

/** Everything but the listeners: what `serve` runs and `coalmine canary` uses in process. */
export interface Core {
  config: LoadedConfig['config'];
  loaded: LoadedConfig;
  log: Logger;
  sim: SimServer | undefined;
  upstreams: UpstreamConfig[];
  metrics: PrometheusSink;
  policies: PolicyStore;
  handle: ReturnType<typeof createPipeline>;
  /** Where everything that happens is reported (metrics, quarantine, logs, audit). */
  sink: Sink;
  canaries: CanaryService;
  quarantine: Quarantine;
  identity: IdentityTracker;
  /** State shared with other replicas (`state.backend: redis`); undefined in memory. */
  shared: SharedState | undefined;
  /** Live decisions over the last hour, for the status page. */
  decisions: RecentDecisions;
  reloadPolicies(): Promise<ReloadStatus>;
  /** Stops canaries and watchers, closes upstream clients and the simulator. */
  close(): Promise<void>;
}

export async function createCore(opts: ServeOptions): Promise<Core> {
  const loaded: LoadedConfig = loadConfig({ ...opts, schema: { providers: providerIds() } });
  const { config } = loaded;
  // Repeats are limited per event and key, never dropped silently (flushed on close).
  const log = new RateLimitedLogger(opts.log ?? jsonLogger(config.log.level));

  const sim = config.upstreams.length === 0 ? await startSimulator(log) : undefined;
  // What was opened, closed in reverse when a later step fails (the lock, connections, the sim).
  const opened: (() => Promise<void>)[] = sim ? [() => sim.close()] : [];
  try {
    return await buildCore(opts, loaded, log, sim, opened);
  } catch (e) {
    for (const close of opened.reverse()) await close().catch(() => {});
    throw e;
  }
}

/** With no upstream configured: the built-in simulator, said loudly. */
async function startSimulator(log: RateLimitedLogger): Promise<SimServer> {
  // Loaded only when it is used: with an upstream configured the simulator stays on disk.
  const { startSim } = await import('./sim/server.js');
  const sim = await startSim({ host: '127.0.0.1', port: 0 });
  log.write(
    'warn',
    'no_upstream_configured',
    `NO UPSTREAM CONFIGURED: serving in front of the built-in simulator at ${sim.url}. Set COALMINE_UPSTREAM to your provider base URL (or upstreams: in coalmine.yaml) to proxy a real model.`,
    { simulator: sim.url },
  );
  return sim;
}

/**
 * The policy set, loaded (regex analysis off the event loop: a reload must not stall live
 * traffic), and reloaded when its files change; loads and reloads report to `observers`.
 */
async function startPolicies(
  loaded: LoadedConfig,
  upstreams: readonly UpstreamConfig[],
  observers: Sink,
  log: Logger,
): Promise<{ policies: PolicyStore; stopWatching: () => void }> {
  const patterns = loaded.config.policies ?? [DEFAULT_PACK];
  const load = () =>
    loadPolicySetAsync({
      patterns,
      baseDir: loaded.baseDir,
      upstreams: upstreams.map((u) => u.name),
    });
  const first = await load();
  if (!first.ok) throw new ConfigError(first.issues);
  const policies = new PolicyStore(load, observers, first.set);
  const stopWatching = patterns.length
    ? watchPolicies(patterns, loaded.baseDir, () => {
        log.write('debug', 'policy_files_changed', 'policy files changed; reloading');
        void policies.reload();
      })
    : () => {};
  return { policies, stopWatching };
}

/**
 * The canaries of this process: their sequential evidence (in Redis when state is shared, else
 * the configured file or memory), the service that runs them and shows other replicas' results,
 * shared with the other replicas when there are any.
 */
function createCanaries(o: {
  opts: ServeOptions;
  loaded: LoadedConfig;
  log: Logger;
  metrics: PrometheusSink;
  sink: Sink;
  canaries: readonly Canary[];
  deps: Omit<RunnerDeps, 'sequential'>;
  shared: SharedState | undefined;
}): CanaryService {
  const { config, baseDir } = o.loaded;
  const warn = (msg: string) => o.log.write('warn', 'config_warning', msg);
  if (o.shared && config.canary.evidence_file)
    warn(
      'canary.evidence_file is not used with state.backend: redis: sequential evidence is kept in Redis',
    );
  const sequential = new SequentialTests(
    o.shared?.evidence ??
      openEvidenceStore({
        file: config.canary.evidence_file && resolve(baseDir, config.canary.evidence_file),
        key: config.canary.hmac_key,
        write: o.opts.writeEvidence ?? true,
        canaries: o.canaries,
        warn,
      }),
  );
  const service = new CanaryService(o.canaries, { ...o.deps, sequential }, o.sink, (e) =>
    o.metrics.canaryState(e),
  );
  o.shared?.shareCanaries(service, sequential);
  return service;
}

async function buildCore(
  opts: ServeOptions,
  loaded: LoadedConfig,
  log: RateLimitedLogger,
  sim: SimServer | undefined,
  opened: (() => Promise<void>)[],
): Promise<Core> {
  const { config } = loaded;
  const upstreams: UpstreamConfig[] = sim
    ? configSchema({ providers: providerIds() }).parse({
        upstreams: [{ name: 'sim', url: sim.url }],
      }).upstreams
    : config.upstreams;

  const canaryLoad = loadCanaries({
    patterns: config.canaries ?? (sim ? [SHIPPED_CANARIES] : []),
    baseDir: config.canaries ? loaded.baseDir : opts.cwd,
    upstreams: canaryUpstreams(upstreams),
    hmacKey: config.canary.hmac_key,
    env: opts.env,
  });
  if (!canaryLoad.ok) throw new ConfigError(canaryLoad.issues);
  for (const w of canaryLoad.warnings) log.write('warn', 'config_warning', w);

  const clients = new Map(upstreams.map((u) => [u.name, new UpstreamClient(u)]));
  opened.push(async () => {
    await Promise.all([...clients.values()].map((c) => c.close().catch(() => {})));
  });
  const metrics = new PrometheusSink({ version: VERSION });

  // Canaried models get series (and quarantine) of their own, like pinned ones.
  const pins = new Map(upstreams.map((u) => [u.name, { ...u.models }]));
  for (const c of canaryLoad.canaries) {
    const p = pins.get(c.upstream)!;
    p[c.model] ??= {};
  }
  const identity = new IdentityTracker(pins);
  const audit =
    config.audit && opts.audit !== false
      ? await openAudit(config.audit, loaded.baseDir, metrics)
      : undefined;
  if (audit) opened.push(() => audit.close());
  const incidents = new IncidentLog(log, { access: config.log.access });
  // Everything that reports what happened (metrics, logs, audit); the quarantine and the policy
  // store report their own changes to them too.
  const observers = fanout(
    audit ? [metrics, incidents, new AuditSink(audit)] : [metrics, incidents],
  );
  const quarantine = new Quarantine(
    new Map(upstreams.map((u) => [u.name, u.quarantine])),
    (u, m) => identity.label(u, m),
    observers,
    (u, m) => identity.forget(u, m),
  );
  metrics.declare(
    canaryLoad.canaries.map((c) => ({ id: c.id, everySeconds: c.everyMs / 1000 })),
    upstreams.flatMap((u) => identity.models(u.name).map((model) => ({ upstream: u.name, model }))),
  );
  // Replicas share the quarantine, identities and canaries through Redis (`state.backend`).
  const shared =
    opts.shareState === false
      ? undefined
      : openSharedState({
          state: config.state,
          quarantine,
          identity,
          upstreams: upstreams.map((u) => u.name),
          hmacKey: config.canary.hmac_key,
          log,
          metrics,
        });
  if (shared) opened.push(() => shared.close());
  const decisions = new RecentDecisions();
  const sink = fanout([observers, quarantine, decisions]);

  const { policies, stopWatching } = await startPolicies(loaded, upstreams, observers, log);
  for (const w of blockedCanaryAnswers(canaryLoad.canaries, policies.current))
    log.write('warn', 'config_warning', w);
  const reloadPolicies = () => policies.reload();
  logConfiguration(log, config, upstreams, canaryLoad.canaries.length);

  const tracing = await tracingFor();
  const handle = createPipeline({
    route: createRouter(upstreams),
    client: (name) => clients.get(name)!,
    limits: { requestBody: config.limits.request_body, responseBody: config.limits.response_body },
    unknownRoutes: config.unknown_routes,
    sink,
    log,
    policies: () => policies.current,
    checkLimits: {
      maxScanChars: config.checks.max_scan_chars,
      budgetMs: config.checks.time_budget,
    },
    streamWindow: config.streaming.window,
    identity,
    quarantine,
    tracing,
  });
  const canaries = createCanaries({
    opts,
    loaded,
    log,
    metrics,
    sink,
    canaries: canaryLoad.canaries,
    deps: { handle, tracing },
    shared,
  });
  // Replicas connect last: the quarantine, identities and canaries are all there to share.
  await shared?.start();

  return {
    config,
    loaded,
    log,
    sim,
    upstreams,
    metrics,
    policies,
    handle,
    sink,
    canaries,
    quarantine,
    identity,
    shared,
    decisions,
    reloadPolicies,
    async close() {
      stopWatching();
      await canaries.stop();
      audit?.append({ type: 'stopped', version: VERSION });
      // The shared state, the audit log, upstream clients, the simulator: last opened first.
      for (const close of opened.reverse()) await close();
      log.flush();
    },
  };
}
