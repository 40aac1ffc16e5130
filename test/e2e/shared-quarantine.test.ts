/**
 * Issue 18, first slice: two real proxies (`serve()`) in front of one simulator share their
 * quarantine through a real redis-server. A swapped model quarantined on A is refused on B
 * within a second; a release through B's admin API serves again on A.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../../src/main.js';
import type { SimServer } from '../../src/sim/server.js';
import { startSim } from '../../src/sim/server.js';
import { adminFetch, eventually, metricsText, startProxy } from '../helpers/proxy.js';
import { freePort, haveRedis, RedisServer } from '../helpers/redis.js';

const present = haveRedis();
const MODEL = 'gpt-4o-mini';

describe.skipIf(!present)('two proxies share a quarantine through Redis', () => {
  let sim: SimServer;
  let redis: RedisServer;
  let a: Running;
  let b: Running;

  const config = () => ({
    upstreams: [
      {
        name: 'sim',
        url: sim.url,
        models: { [MODEL]: { expect_model: MODEL } },
        quarantine: { on: ['identity_mismatch'], action: 'block' },
      },
    ],
    canary: { schedule: false },
    state: { backend: 'redis', url: redis.url, key_prefix: 'e2e:' },
  });

  beforeAll(async () => {
    sim = await startSim();
    redis = await RedisServer.start();
    a = await startProxy(config());
    b = await startProxy(config());
  });
  afterAll(async () => {
    await a?.shutdown();
    await b?.shutdown();
    await sim?.close();
    await redis?.stop();
  });

  const ask = (p: Running, swapped = false) =>
    fetch(`${p.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(swapped ? { 'x-sim-scenario': 'swap-model' } : {}),
      },
      body: JSON.stringify({
        model: MODEL,
        messages: [{ role: 'user', content: 'Capital of France?' }],
      }),
    }).then(async (r) => {
      await r.text();
      return r.status;
    });

  it('reports the backend up on both', async () => {
    for (const p of [a, b])
      expect(await metricsText(p)).toMatch(/^coalmine_state_backend_up\{backend="redis"\} 1$/m);
  });

  it('a swap quarantined on A is refused on B; a release on B serves again on A', async () => {
    expect(await ask(b)).toBe(200);
    expect(await ask(a, true)).toBe(423);
    const t0 = performance.now();
    await eventually(async () => (await ask(b)) === 423, 1_000);
    const ms = performance.now() - t0;
    console.info(`two proxies: quarantine on A refused on B after ${ms.toFixed(0)} ms`);
    const held = (await (await adminFetch(b, '/admin/quarantine')).json()) as {
      quarantined: { model: string; reason: string }[];
    };
    expect(held.quarantined).toEqual([
      expect.objectContaining({ model: MODEL, reason: 'identity_mismatch' }),
    ]);
    const release = await adminFetch(b, '/admin/quarantine/release', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ upstream: 'sim', model: MODEL }),
    });
    expect(release.status).toBe(200);
    await eventually(async () => (await ask(a)) === 200, 1_000);
  });
});

describe.skipIf(!present)('Redis not answering at start', () => {
  let sim: SimServer;
  beforeAll(async () => {
    sim = await startSim();
  });
  afterAll(async () => {
    await sim?.close();
  });
  const config = async (on: 'memory' | 'refuse') => ({
    upstreams: [{ name: 'sim', url: sim.url }],
    canary: { schedule: false },
    state: {
      backend: 'redis',
      url: `redis://127.0.0.1:${await freePort()}`,
      on_unavailable_at_start: on,
    },
  });

  it('on_unavailable_at_start: refuse stops start-up', async () => {
    await expect(startProxy(await config('refuse'))).rejects.toMatchObject({
      code: 'STATE_BACKEND_UNAVAILABLE',
    });
  });

  it('on_unavailable_at_start: memory (the default) serves, gauge 0, loud error log', async () => {
    const lines: { level: string; event: string }[] = [];
    const p = await startProxy(
      await config('memory'),
      {},
      {
        write: (level, event) => void lines.push({ level, event }),
        enabled: () => true,
      },
    );
    try {
      expect(await metricsText(p)).toMatch(/^coalmine_state_backend_up\{backend="redis"\} 0$/m);
      expect(lines).toContainEqual({ level: 'error', event: 'state_backend_down' });
    } finally {
      await p.shutdown();
    }
  });
});
