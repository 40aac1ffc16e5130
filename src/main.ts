/**
 * The composition root for `coalmine serve`: the core (core.ts) behind the traffic and admin
 * listeners, plus signals and graceful drain. The only module (with cli.ts) that decides process
 * lifetime.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoadedConfig } from './config/load.js';
import type { Quarantine } from './canary/quarantine.js';
import type { CanaryService } from './canary/service.js';
import { canaryRoutes } from './http/admin-canaries.js';
import { listenError } from './commands/user-error.js';
import { createAdminServer } from './http/admin.js';
import type { AdminToken } from './http/admin.js';
import { policyRoutes } from './http/admin-policies.js';
import { statusJson } from './http/status-json.js';
import type { PolicyStore } from './policy/store.js';
import type { ReloadStatus } from './policy/store.js';
import { RequestBudget } from './http/request-budget.js';
import { createTrafficServer } from './http/traffic-server.js';
import type { SimServer } from './sim/server.js';
import type { PrometheusSink } from './telemetry/prometheus.js';

import { createCore, VERSION } from './core.js';
import type { ServeOptions } from './core.js';

export interface Running {
  url: string;
  adminUrl: string;
  sim: SimServer | undefined;
  metrics: PrometheusSink;
  policies: PolicyStore;
  canaries: CanaryService;
  quarantine: Quarantine;
  /**
   * Reloads the policy set (SIGHUP); the old set keeps serving if the new one is invalid or
   * would drop a loaded file.
   */
  reloadPolicies(): Promise<ReloadStatus>;
  /** Stops accepting, waits for in-flight requests up to the grace period, closes everything. */
  shutdown(): Promise<void>;
}

/**
 * Listens, or rejects with a UserError naming `setting` when the address cannot be used (in
 * use, not local, privileged): the operator fixes that by choosing another address.
 */
function listen(
  server: Server,
  where: { host: string; port: number; setting: string },
): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', (e) => reject(listenError(e, where)));
    server.listen(where.port, where.host, () => resolve(server.address() as AddressInfo));
  });
}

const hostUrl = (a: AddressInfo) =>
  `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;

/** `admin.token` (named `admin`) and the named `admin.tokens`. */
export function adminTokens(admin: LoadedConfig['config']['admin']): AdminToken[] {
  return [
    ...(admin.token === undefined ? [] : [{ name: 'admin', token: admin.token }]),
    ...admin.tokens,
  ];
}

export async function serve(opts: ServeOptions): Promise<Running> {
  const core = await createCore(opts);
  const { config, loaded, log, sim, upstreams, metrics, policies, handle } = core;
  const reloadPolicies = () => core.reloadPolicies();
  let inflight = 0;
  let draining = false;
  let idle: (() => void) | undefined;

  const budget = new RequestBudget(config.limits.request_bytes_in_flight);
  metrics.sample('requestBytesInFlight', () => budget.inFlight);
  const traffic = createTrafficServer({
    handle,
    budget,
    bodyIdleMs: config.limits.request_body_idle,
    track: {
      start: () => inflight++,
      end: () => {
        inflight--;
        if (inflight === 0) idle?.();
      },
    },
  });
  const adminServer = createAdminServer({
    tokens: adminTokens(config.admin),
    ready: () => !draining,
    metrics: () => metrics.metrics(),
    metricsContentType: metrics.contentType,
    record: (r) => core.sink.record(r),
    status: () =>
      statusJson({
        version: VERSION,
        upstreams: upstreams.map((u) => u.name),
        identity: core.identity,
        quarantine: core.quarantine,
        canaries: core.canaries,
        policies,
        decisions: core.decisions,
      }),
    routes: (r) => {
      policyRoutes(policies)(r);
      canaryRoutes(
        core.canaries,
        core.quarantine,
        core.shared && (() => core.shared!.leaseState()),
      )(r);
      r.get('/status', (c) =>
        c.json({
          version: VERSION,
          upstreams: upstreams.map((u) => ({
            name: u.name,
            provider: u.provider,
            prefix: u.prefix,
            url: u.url,
          })),
          inflight,
          draining,
        }),
      );
    },
  });

  let ta: AddressInfo;
  let aa: AddressInfo;
  try {
    ta = await listen(traffic, {
      ...config.listen,
      setting: '--listen (or listen: in the config)',
    });
    aa = await listen(adminServer, {
      ...config.admin.listen,
      setting: '--admin-listen (or admin.listen: in the config)',
    });
  } catch (e) {
    // Nothing is served yet: close what did start (the simulator, watchers, canaries).
    traffic.close();
    await core.close();
    throw e;
  }
  const url = hostUrl(ta);
  const adminUrl = hostUrl(aa);
  log.write('info', 'listening', 'coalmine listening', {
    proxy: url,
    admin: adminUrl,
    config: loaded.file ?? 'defaults',
    upstreams: upstreams.length,
    policies: policies.current.policies.length,
    policy_version: policies.current.version,
    version: VERSION,
  });

  // With replicas, the one holding the canary lease runs the schedule.
  if (config.canary.schedule) {
    if (core.shared) core.shared.runCanaries();
    else core.canaries.schedule();
  }
  if (core.canaries.canaries.length)
    log.write('info', 'canaries_loaded', 'canaries loaded', {
      canaries: core.canaries.canaries.length,
      scheduled: config.canary.schedule,
    });

  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= (async () => {
      draining = true;
      log.write('info', 'draining', 'draining', { inflight, grace_ms: config.shutdown.grace });
      traffic.close();
      if (inflight > 0) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, config.shutdown.grace);
          idle = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
      traffic.closeAllConnections();
      adminServer.close();
      adminServer.closeAllConnections();
      await core.close();
      log.write('info', 'stopped', 'stopped', { abandoned: inflight });
    })());

  return {
    url,
    adminUrl,
    sim,
    metrics,
    policies,
    canaries: core.canaries,
    quarantine: core.quarantine,
    reloadPolicies,
    shutdown,
  };
}
