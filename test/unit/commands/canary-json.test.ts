import { describe, expect, it } from 'vitest';
import type { CanaryResult } from '../../../src/canary/runner.js';
import type { CanaryService } from '../../../src/canary/service.js';
import type { Quarantine } from '../../../src/canary/quarantine.js';
import { canaryResultJson } from '../../../src/canary/result-json.js';
import type { AdminContext, AdminHandler } from '../../../src/http/admin-router.js';
import { canaryRoutes } from '../../../src/http/admin-canaries.js';

const result = (over: Partial<CanaryResult> = {}): CanaryResult => ({
  id: 'red-planet',
  upstream: 'sim',
  model: 'gpt-4o-mini',
  result: 'pass',
  reasons: [],
  pValue: 0.42,
  evidence: undefined,
  tokens: 12,
  calls: 1,
  durationSeconds: 0.25,
  finishedAt: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
  ...over,
});

/** What `POST /admin/canaries/:id/run` answers for `r`, through the real route module. */
async function adminView(r: CanaryResult): Promise<unknown> {
  const posts = new Map<string, AdminHandler<unknown>>();
  const service = { get: () => ({ id: r.id }), run: () => Promise.resolve(r) };
  canaryRoutes(
    service as unknown as CanaryService,
    {} as Quarantine,
  )({
    get: () => undefined,
    post: (path, h) => posts.set(path, h),
  });
  const c: AdminContext<unknown> = {
    req: {
      param: () => r.id,
      query: () => undefined,
      header: () => undefined,
      json: () => Promise.resolve({}),
    },
    json: (body) => body,
    body: (text) => text,
  };
  return JSON.parse(JSON.stringify(await posts.get('/canaries/:id/run')!(c))) as unknown;
}

describe('canary run --json', () => {
  it.each([
    ['a distribution result', result()],
    ['a result without a p-value', result({ pValue: undefined, result: 'fail', reasons: ['x'] })],
  ])('matches the admin API for %s', async (_name, r) => {
    const cli = JSON.parse(JSON.stringify(canaryResultJson(r))) as Record<string, unknown>;
    expect(cli).toEqual(await adminView(r));
  });

  it('uses snake_case keys and an RFC 3339 finished_at', () => {
    const j = canaryResultJson(result());
    for (const k of Object.keys(j)) expect(k).toMatch(/^[a-z]+(_[a-z]+)*$/);
    expect(j.finished_at).toBe('2026-01-02T03:04:05.678Z');
  });
});
