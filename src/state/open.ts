/**
 * Wires the configured state backend (`state:`). `memory`: nothing to do, state lives in this
 * process. `redis`: one `RedisLink` carries the quarantine, the identities first seen, the
 * canaries' results and evidence, and the canary lease; `coalmine_state_backend_up` reports the
 * connection, and a Redis that does not answer at start either leaves this replica on its own
 * state until it does (`on_unavailable_at_start: memory`, the default, with an error log) or
 * stops start-up.
 */
import type { IdentityTracker } from '../canary/identity.js';
import type { Quarantine } from '../canary/quarantine.js';
import type { SequentialTests } from '../canary/sequential.js';
import type { CanaryService } from '../canary/service.js';
import { UserError } from '../commands/user-error.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../model/log.js';
import type { PrometheusSink } from '../telemetry/prometheus.js';
import { RedisCanaryResults, RedisEvidenceStore } from './redis-canaries.js';
import { RedisIdentityShare } from './redis-identity.js';
import { CanaryLease } from './redis-lease.js';
import { RedisLink } from './redis-link.js';
import { RedisQuarantineStore } from './redis-quarantine.js';

export interface ShareOptions {
  state: Config['state'];
  quarantine: Quarantine;
  identity: IdentityTracker;
  upstreams: readonly string[];
  /** `canary.hmac_key`: seals shared canary results and evidence. */
  hmacKey: string | undefined;
  log: Logger;
  metrics: PrometheusSink;
  /** How long to wait for Redis at start (ms). */
  startTimeoutMs?: number;
}

/** Redacts a password from a Redis URL, for logs. */
const safe = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@');

/** The lease's time to live: half the shortest canary interval, within 1–15 s. */
export const leaseTtl = (everyMs: readonly number[]) =>
  Math.min(15_000, Math.max(1_000, Math.floor(Math.min(30_000, ...everyMs) / 2)));

export class SharedState {
  readonly link: RedisLink;
  /** Sequential canaries' evidence, shared: the store `SequentialTests` is built on. */
  readonly evidence: RedisEvidenceStore;
  private lease: CanaryLease | undefined;
  private canaries: { service: CanaryService; sequential: SequentialTests } | undefined;
  private starting = true;
  /** Lease changes, applied one at a time. */
  private turn: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ShareOptions & { url: string }) {
    const { log, metrics } = opts;
    metrics.stateBackend('redis', false);
    this.link = new RedisLink({
      url: opts.url,
      keyPrefix: opts.state.key_prefix,
      onUp: (up, error) => {
        metrics.stateBackend('redis', up);
        if (up)
          log.write('info', 'state_backend_up', 'shared state backend connected', {
            backend: 'redis',
          });
        else if (!this.starting)
          log.write(
            'error',
            'state_backend_down',
            'LOST THE SHARED STATE BACKEND (Redis): serving the last known state, retrying; changes made here meanwhile are written when it returns',
            { backend: 'redis', error },
          );
      },
    });
    const quarantine = new RedisQuarantineStore(this.link, opts.quarantine);
    const identities = new RedisIdentityShare(this.link, opts.identity, opts.upstreams);
    quarantine.onRelease(identities.releaseHook);
    this.evidence = new RedisEvidenceStore(this.link, opts.hmacKey, (m) =>
      log.write('warn', 'config_warning', m),
    );
  }

  /** Shares the canaries' results; before `start`. */
  shareCanaries(service: CanaryService, sequential: SequentialTests): void {
    this.canaries = { service, sequential };
    new RedisCanaryResults(this.link, service, this.opts.hmacKey, (m) =>
      this.opts.log.write('warn', 'config_warning', m),
    );
    this.lease = new CanaryLease(this.link, {
      ttlMs: leaseTtl(service.canaries.map((c) => c.everyMs)),
      onChange: (runs, mode) => this.leaseChanged(runs, mode),
    });
  }

  /** Connects (see `on_unavailable_at_start`). */
  async start(): Promise<void> {
    const { state, log } = this.opts;
    const ok = await this.link.start(this.opts.startTimeoutMs);
    this.starting = false;
    if (ok) return;
    if (state.on_unavailable_at_start === 'refuse') {
      await this.link.close();
      throw new UserError(
        'STATE_BACKEND_UNAVAILABLE',
        `the shared state backend ${safe(this.opts.url)} did not answer; start Redis, fix state.url, or set state.on_unavailable_at_start: memory`,
      );
    }
    log.write(
      'error',
      'state_backend_down',
      `SHARED STATE BACKEND UNAVAILABLE at start (${safe(this.opts.url)}): this replica keeps its state in memory, NOT SHARED with other replicas, until Redis answers (retrying)`,
      { backend: 'redis' },
    );
  }

  /** Runs the canary schedule on whichever replica holds the canary lease. */
  runCanaries(): void {
    this.lease?.start();
  }

  /** This replica's id, and whether it runs the canary schedule now. */
  leaseState(): { replica: string; runs: boolean; mode: string } {
    const mode = this.lease?.current() ?? 'follower';
    return { replica: this.link.id, runs: mode !== 'follower', mode };
  }

  private leaseChanged(runs: boolean, mode: string): void {
    const { log, metrics } = this.opts;
    metrics.canaryLease(runs);
    log.write(
      mode === 'standalone' ? 'warn' : 'info',
      'canary_lease',
      mode === 'held'
        ? 'this replica holds the canary lease and runs the canary schedule'
        : mode === 'standalone'
          ? 'SHARED STATE BACKEND UNREACHABLE: this replica runs the canary schedule itself until it returns'
          : 'another replica runs the canary schedule',
      { replica: this.link.id, mode },
    );
    const c = this.canaries;
    if (!c) return;
    // One change at a time: taking the lease reads the last holder's evidence first.
    this.turn = this.turn.then(async () => {
      if (!runs) return c.service.unschedule();
      if (mode === 'held') {
        await this.evidence.refresh().catch(() => {});
        c.sequential.reset();
      }
      const lease = this.lease;
      if (lease && lease.current() !== 'follower')
        c.service.schedule(undefined, () => lease.mayRun());
    });
  }

  async close(): Promise<void> {
    await this.link.close();
    await this.turn;
  }
}

/** The shared state for `state`, unstarted; undefined with `state.backend: memory`. */
export function openSharedState(opts: ShareOptions): SharedState | undefined {
  const { state } = opts;
  if (state.backend !== 'redis' || state.url === undefined) return undefined;
  return new SharedState({ ...opts, url: state.url });
}
