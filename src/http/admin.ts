/**
 * The admin listener: health, readiness and metrics (unauthenticated, on a separate,
 * loopback-by-default listener), and `/admin/*` behind the bearer token. With no
 * `admin.token` configured, `/admin/*` answers 401 to everyone.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { Hono } from 'hono';

export interface AdminDeps {
  token: string | undefined;
  ready(): boolean;
  metrics(): Promise<string>;
  metricsContentType: string;
  /** Extra `/admin/*` routes (policies, quarantine, …), mounted behind the token. */
  routes?: (admin: Hono) => void;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export function createAdminApp(deps: AdminDeps): Hono {
  const app = new Hono();
  const expected = deps.token ? digest(deps.token) : undefined;

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) =>
    deps.ready() ? c.json({ status: 'ready' }) : c.json({ status: 'draining' }, 503),
  );
  app.get('/metrics', async (c) =>
    c.body(await deps.metrics(), 200, { 'content-type': deps.metricsContentType }),
  );

  const admin = new Hono();
  admin.use('*', async (c, next) => {
    const h = c.req.header('authorization') ?? '';
    const given = h.toLowerCase().startsWith('bearer ') ? h.slice(7).trim() : '';
    if (!expected || !given || !timingSafeEqual(digest(given), expected)) {
      const message = expected
        ? 'missing or wrong admin token'
        : 'the admin API is disabled: set admin.token in the configuration';
      return c.json({ error: { message, code: 'admin_unauthorized' } }, 401, {
        'www-authenticate': 'Bearer',
      });
    }
    await next();
    return undefined;
  });
  deps.routes?.(admin);
  app.route('/admin', admin);
  app.notFound((c) => c.json({ error: { message: 'not found', code: 'not_found' } }, 404));
  return app;
}
