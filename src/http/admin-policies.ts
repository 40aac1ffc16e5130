/**
 * `/admin/policies` and `/admin/reload`: what is loaded, and an atomic reload on demand. A
 * reload that would drop a loaded policy file is refused (409) unless `?allow_removal=true`.
 */
import type { AdminRoutes } from './admin-router.js';
import { formatIssue } from '../errors.js';
import type { PolicyStore, ReloadStatus } from '../policy/store.js';

function status(r: ReloadStatus) {
  return {
    at: r.at.toISOString(),
    result: r.result,
    version: r.version,
    errors: r.issues.map(formatIssue),
  };
}

export function policyRoutes(store: PolicyStore) {
  return <R>(admin: AdminRoutes<R>): void => {
    admin.get('/policies', (c) => {
      const set = store.current;
      return c.json({
        version: set.version,
        loaded_at: set.loadedAt.toISOString(),
        files: set.files,
        policies: set.policies.map((p) => ({
          name: p.name,
          file: p.file,
          description: p.description,
          mode: p.mode,
          on_error: p.onError,
          match: {
            upstreams: p.upstreams ? [...p.upstreams] : undefined,
            models: p.models?.map((m) => m.source),
          },
          rules: p.rules.map((r) => ({
            id: r.id,
            check: r.check,
            action: r.action,
            severity: r.severity,
          })),
        })),
        last_reload: status(store.lastReload),
      });
    });
    admin.post('/reload', async (c) => {
      const r = await store.reload({ allowRemoval: c.req.query('allow_removal') === 'true' });
      return c.json(status(r), r.ok ? 200 : r.result === 'file_removed' ? 409 : 422);
    });
  };
}
