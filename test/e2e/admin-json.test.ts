/**
 * One naming style for the admin API's JSON (issue 17): every key snake_case, every time
 * RFC 3339 (keys `at`, `since` and `*_at`; null when not known yet). Every admin route, and the
 * status page's `/status.json`, is called through a real proxy with something to show — a
 * policy, a canary, a quarantined model — and its answer walked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../../src/main.js';
import type { SimServer } from '../../src/sim/server.js';
import { startSim } from '../../src/sim/server.js';
import { adminFetch, startProxy } from '../helpers/proxy.js';

const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
/** RFC 3339 date-time (with a time zone, `T` separator). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const TIME_KEY = /^(at|since|.+_at)$/;

/** Every key path of a JSON value, with the value found there. */
function entries(v: unknown, path = '$'): [string, string, unknown][] {
  if (Array.isArray(v)) return v.flatMap((x, i) => entries(x, `${path}[${i}]`));
  if (v === null || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, x]) => [
    [`${path}.${k}`, k, x] as [string, string, unknown],
    ...entries(x, `${path}.${k}`),
  ]);
}

const PINNED = 'pinned-model';
let sim: SimServer;
let proxy: Running;

beforeAll(async () => {
  sim = await startSim();
  proxy = await startProxy(
    {
      upstreams: [
        {
          name: 'sim',
          url: sim.url,
          models: { [PINNED]: { expect_model: PINNED } },
          quarantine: { on: ['identity_mismatch'], action: 'block' },
        },
      ],
      policies: ['p.yaml'],
      canaries: ['c.yaml'],
    },
    {
      'p.yaml': 'name: p\nrules:\n  - { id: r, check: secrets, action: redact }\n',
      'c.yaml': `canaries:
  - id: red-planet
    model: gpt-4o-mini
    every: 1h
    request: { messages: [{ role: user, content: "Which planet is known as the Red Planet?" }] }
    expect: [{ regex: { pattern: "mars", flags: i } }]
`,
    },
  );
  await fetch(`${proxy.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-sim-scenario': 'swap-model' },
    body: JSON.stringify({ model: PINNED, messages: [{ role: 'user', content: 'hi' }] }),
  }).then((r) => r.arrayBuffer());
});

afterAll(async () => {
  await proxy?.shutdown();
  await sim?.close();
});

describe('admin API JSON', () => {
  const post = (body: object) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  it.each([
    ['GET /admin/policies', '/admin/policies', {}],
    ['POST /admin/reload', '/admin/reload', { method: 'POST' }],
    ['POST /admin/canaries/:id/run', '/admin/canaries/red-planet/run', { method: 'POST' }],
    ['GET /admin/canaries', '/admin/canaries', {}],
    ['POST /admin/canaries/:id/run (unknown)', '/admin/canaries/nope/run', { method: 'POST' }],
    ['GET /admin/quarantine', '/admin/quarantine', {}],
    ['GET /admin/status', '/admin/status', {}],
    ['POST /admin/quarantine/release (bad body)', '/admin/quarantine/release', post({})],
    [
      'POST /admin/quarantine/release',
      '/admin/quarantine/release',
      post({ upstream: 'sim', model: PINNED }),
    ],
    ['GET /admin/nope', '/admin/nope', {}],
    ['GET /healthz', '/healthz', {}],
    ['GET /status.json', '/status.json', {}],
  ] as const)('%s: snake_case keys, RFC 3339 times', async (_name, path, init) => {
    const res = await adminFetch(proxy, path, init);
    const body = await res.json();
    const all = entries(body);
    expect(all.length).toBeGreaterThan(0);
    for (const [where, key, value] of all) {
      expect(key, where).toMatch(SNAKE);
      // A time not known yet (a canary that has not run) is null.
      if (TIME_KEY.test(key) && value !== null) expect(value, where).toMatch(RFC3339);
    }
  });

  it('the quarantine listing shows the model with its time', async () => {
    // Released by the table above when it ran first; put it back and look.
    await fetch(`${proxy.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sim-scenario': 'swap-model' },
      body: JSON.stringify({ model: PINNED, messages: [{ role: 'user', content: 'hi' }] }),
    }).then((r) => r.arrayBuffer());
    const body = (await (await adminFetch(proxy, '/admin/quarantine')).json()) as {
      quarantined: { model: string; since: string }[];
    };
    expect(body.quarantined.map((q) => q.model)).toContain(PINNED);
    for (const q of body.quarantined) expect(q.since).toMatch(RFC3339);
  });
});
