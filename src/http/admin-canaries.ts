/**
 * `/admin/canaries` (last results, run one now) and `/admin/quarantine` (what is held, and
 * the release that accepts a model's new behaviour). Behind the admin token like all /admin.
 */
import type { AdminRoutes } from './admin-router.js';
import { canaryKind } from '../canary/loader.js';
import type { Quarantine } from '../canary/quarantine.js';
import { canaryResultJson } from '../canary/result-json.js';
import type { CanaryService } from '../canary/service.js';

const view = canaryResultJson;

/** Who runs the canary schedule (`state.backend: redis`): this replica's id and lease mode. */
export type LeaseView = () => { replica: string; runs: boolean; mode: string };

export function canaryRoutes(canaries: CanaryService, quarantine: Quarantine, lease?: LeaseView) {
  return <R>(admin: AdminRoutes<R>): void => {
    admin.get('/canaries', (c) =>
      c.json({
        /** null with `state.backend: memory`: this process runs its own schedule. */
        lease: lease
          ? (({ replica, runs, mode }) => ({ replica, runs_here: runs, mode }))(lease())
          : null,
        canaries: canaries.canaries.map((k) => ({
          id: k.id,
          upstream: k.upstream,
          model: k.model,
          every_seconds: k.everyMs / 1000,
          kind: canaryKind(k),
          file: k.file,
        })),
        results: canaries.results().map(view),
      }),
    );
    admin.post('/canaries/:id/run', async (c) => {
      const k = canaries.get(c.req.param('id') ?? '');
      if (!k) return c.json({ error: { code: 'not_found', message: 'no such canary' } }, 404);
      return c.json(view(await canaries.run(k)));
    });
    admin.get('/quarantine', (c) =>
      c.json({
        quarantined: quarantine.list().map((e) => ({
          upstream: e.upstream,
          model: e.model,
          reason: e.reason,
          canary: e.canary,
          action: e.action,
          since: e.since.toISOString(),
          events: e.events,
        })),
      }),
    );
    admin.post('/quarantine/release', async (c) => {
      const body = (await c.req.json().catch(() => undefined)) as
        { upstream?: unknown; model?: unknown } | undefined;
      if (typeof body?.upstream !== 'string' || typeof body.model !== 'string')
        return c.json(
          {
            error: { code: 'invalid_request', message: 'body must be {"upstream": …, "model": …}' },
          },
          400,
        );
      const e = quarantine.release(body.upstream, body.model, c.req.actor ?? 'admin');
      if (!e)
        return c.json(
          { error: { code: 'not_found', message: 'that model is not in quarantine' } },
          404,
        );
      return c.json({ released: { upstream: e.upstream, model: e.model, reason: e.reason } });
    });
  };
}
