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
import type { StatusJson } from './status-json.js';
import { STATUS_PAGE_HEADERS, STATUS_PAGE_HTML } from './status-page.js';

export interface AdminDeps {
  token: string | undefined;
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
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

const NOT_FOUND = { error: { message: 'not found', code: 'not_found' } };

/** The admin API as a function of one call: what the listener serves, and what tests drive. */
export function adminAnswer(deps: AdminDeps): (call: AdminCall) => Promise<AdminReply> {
  const expected = deps.token ? digest(deps.token) : undefined;
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

  const authorised = (call: AdminCall): boolean => {
    const raw = call.headers.authorization ?? '';
    const given = raw.toLowerCase().startsWith('bearer ') ? raw.slice(7).trim() : '';
    return !!expected && !!given && timingSafeEqual(digest(given), expected);
  };

  return async (call) => {
    const segments = pathSegments(call.url);
    if (segments[0] === 'admin') {
      if (!authorised(call)) {
        const message = expected
          ? 'missing or wrong admin token'
          : 'the admin API is disabled: set admin.token in the configuration';
        return reply.json({ error: { message, code: 'admin_unauthorized' } }, 401, {
          'www-authenticate': 'Bearer',
        });
      }
      const route = admin.match(call.method, segments.slice(1));
      return route ? route.handler(adminContext(call, route.params)) : reply.json(NOT_FOUND, 404);
    }
    const route = open.match(call.method, segments);
    return route ? route.handler(adminContext(call, route.params)) : reply.json(NOT_FOUND, 404);
  };
}

export function createAdminServer(deps: AdminDeps): Server {
  return serveAdmin(adminAnswer(deps));
}
