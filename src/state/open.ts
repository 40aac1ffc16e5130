/**
 * Wires the configured state backend (`state:`) to the quarantine. `memory`: nothing to do, the
 * quarantine lives in this process. `redis`: the quarantine is shared through Redis
 * (`redis-quarantine.ts`), `coalmine_state_backend_up` reports the connection, and a Redis
 * that does not answer at start either leaves this replica on its own state until it does
 * (`on_unavailable_at_start: memory`, the default, with an error log) or stops start-up.
 */
import type { Quarantine } from '../canary/quarantine.js';
import { UserError } from '../commands/user-error.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../model/log.js';
import type { PrometheusSink } from '../telemetry/prometheus.js';
import { RedisQuarantineStore } from './redis-quarantine.js';

export interface SharedState {
  close(): Promise<void>;
}

export interface ShareOptions {
  state: Config['state'];
  quarantine: Quarantine;
  log: Logger;
  metrics: PrometheusSink;
  /** How long to wait for Redis at start (ms). */
  startTimeoutMs?: number;
}

/** Redacts a password from a Redis URL, for logs. */
const safe = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@');

export async function shareState(opts: ShareOptions): Promise<SharedState | undefined> {
  const { state, log, metrics } = opts;
  if (state.backend !== 'redis' || state.url === undefined) return undefined;
  metrics.stateBackend('redis', false);
  let starting = true;
  const store = new RedisQuarantineStore({
    url: state.url,
    keyPrefix: state.key_prefix,
    onUp: (up, error) => {
      metrics.stateBackend('redis', up);
      if (up)
        log.write('info', 'state_backend_up', 'shared state backend connected', {
          backend: 'redis',
        });
      else if (!starting)
        log.write(
          'error',
          'state_backend_down',
          'LOST THE SHARED STATE BACKEND (Redis): serving the last known quarantine, retrying; quarantines entered here meanwhile are written when it returns',
          { backend: 'redis', error },
        );
    },
  });
  const ok = await store.start(opts.quarantine, opts.startTimeoutMs);
  starting = false;
  if (!ok) {
    if (state.on_unavailable_at_start === 'refuse') {
      await store.close();
      throw new UserError(
        'STATE_BACKEND_UNAVAILABLE',
        `the shared state backend ${safe(state.url)} did not answer; start Redis, fix state.url, or set state.on_unavailable_at_start: memory`,
      );
    }
    log.write(
      'error',
      'state_backend_down',
      `SHARED STATE BACKEND UNAVAILABLE at start (${safe(state.url)}): this replica keeps its quarantine in memory, NOT SHARED with other replicas, until Redis answers (retrying)`,
      { backend: 'redis' },
    );
  }
  return store;
}
