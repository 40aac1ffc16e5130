/**
 * The admin listener: health, readiness, metrics and the status page (unauthenticated, on a
 * separate, loopback-by-default listener), and `/admin/*` behind the bearer token. With no
 * `admin.token` configured, `/admin/*` answers 401 to everyone. Served from node:http by
 * `admin-router.ts` (why not Hono: see there).
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { Server } from 'node:http';
import { AdminRouter, adminContext, pathSegments, reply, serveAdmin } from './admin-router.js';
import type { AdminCall, AdminReply, AdminRoutes } from './admin-router.js';
import type { AdminRecord } from '../model/sink.js';

/** A credential for `/admin/*`; `name` is who the logs and the audit log say acted. */
export interface AdminToken {
  name: string;
  token: string;
}
import type { StatusJson } from './status-json.js';
import { STATUS_PAGE_HEADERS, STATUS_PAGE_HTML } from './status-page.js';

export interface AdminDeps {
  /** `admin.token` (named `admin`) and `admin.tokens`; none: `/admin/*` answers 401. */
  tokens: readonly AdminToken[];
  ready(): boolean;
  metrics(): Promise<string>;
  metricsContentType: string;
  /**
   * The status page's data (`GET /status.json`, rendered by `GET /`); open like `/metrics`,
   * so it must reveal nothing more (see status-json.ts). Without it, both are 404.
   */
  status?: () => StatusJson;
  /** Extra `/admin/*` routes (policies, quarantine, …), mounted behind the token. */
  routes?: (admin: AdminRoutes<AdminReply>) => void;
  /** Refused credentials and authorised state-changing calls (logs, audit). */
  record?: (r: AdminRecord) => void;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

const NOT_FOUND = { error: { message: 'not found', code: 'not_found' } };

/** The admin API as a function of one call: what the listener serves, and what tests drive. */
export function adminAnswer(deps: AdminDeps): (call: AdminCall) => Promise<AdminReply> {
  const expected = deps.tokens.map((t) => ({ name: t.name, digest: digest(t.token) }));
  const open = new AdminRouter()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/readyz', (c) =>
      deps.ready() ? c.json({ status: 'ready' }) : c.json({ status: 'draining' }, 503),
    )
    .get('/metrics', async (c) =>
      c.body(await deps.metrics(), 200, { 'content-type': deps.metricsContentType }),
    );
  const status = deps.status;
  if (status)
    open
      .get('/', (c) => c.body(STATUS_PAGE_HTML, 200, { ...STATUS_PAGE_HEADERS }))
      .get('/status.json', (c) =>
        c.json(status(), 200, { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }),
      );
  const admin = new AdminRouter();
  deps.routes?.(admin);

  /** The name of the token the call carries, if it carries one (every token is compared). */
  const actor = (call: AdminCall): string | undefined => {
    const raw = call.headers.authorization ?? '';
    const given = raw.toLowerCase().startsWith('bearer ') ? raw.slice(7).trim() : '';
    if (!given) return undefined;
    const d = digest(given);
    let name: string | undefined;
    for (const t of expected) if (timingSafeEqual(d, t.digest)) name ??= t.name;
    return name;
  };

  return async (call) => {
    const segments = pathSegments(call.url);
    if (segments[0] === 'admin') {
      const route = admin.match(call.method, segments.slice(1));
      const action = route ? `${call.method} /admin${route.pattern}` : 'unknown';
      const by = actor(call);
      if (by === undefined) {
        const message = expected.length
          ? 'missing or wrong admin token'
          : 'the admin API is disabled: set admin.token in the configuration';
        deps.record?.({
          kind: 'admin',
          action: 'auth_failed',
          actor: undefined,
          remote: call.remote,
          status: 401,
        });
        return reply.json({ error: { message, code: 'admin_unauthorized' } }, 401, {
          'www-authenticate': 'Bearer',
        });
      }
      if (!route) return reply.json(NOT_FOUND, 404);
      const r = await route.handler(adminContext(call, route.params, by));
      if (call.method === 'POST')
        deps.record?.({ kind: 'admin', action, actor: by, remote: call.remote, status: r.status });
      return r;
    }
    const route = open.match(call.method, segments);
    return route ? route.handler(adminContext(call, route.params)) : reply.json(NOT_FOUND, 404);
  };
}

export function createAdminServer(deps: AdminDeps): Server {
  return serveAdmin(adminAnswer(deps));
}
