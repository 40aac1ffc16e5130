/**
 * Issue 18, acceptance 4: three real `coalmine serve` processes share one redis-server in front
 * of the simulator. Exactly one of them (the canary lease holder) runs the canaries; when the
 * simulator swaps its model, the holder's canary fails and all three refuse live traffic; a
 * release through another replica's admin API serves again on all three; SIGKILL of the holder
 * moves the canaries to another replica within two canary intervals.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { SimServer } from '../../src/sim/server.js';
import { startSim } from '../../src/sim/server.js';
import { runCli, type Spawned } from '../helpers/cli.js';
import { ADMIN_TOKEN, eventually } from '../helpers/proxy.js';
import { haveRedis, RedisServer } from '../helpers/redis.js';

const present = haveRedis();
const MODEL = 'gpt-4o-mini';
/** The canary interval (no jitter): the lease lives half of it, 1 s. */
const EVERY_MS = 2_000;

interface Replica {
  name: string;
  proc: Spawned;
  url: string;
  admin: string;
}

const metric = async (r: Replica, name: string): Promise<number> => {
  const text = await (await fetch(`${r.admin}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(name) && /^[a-z_]+(\{[^}]*\})? /.test(line))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
};

const ask = (r: Replica) =>
  fetch(`${r.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: MODEL,
      messages: [{ role: 'user', content: 'Capital of France?' }],
    }),
  }).then(async (res) => {
    await res.text();
    return res.status;
  });

const admin = (r: Replica, path: string, body?: unknown) =>
  fetch(`${r.admin}${path}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) }),
  });

describe.skipIf(!present)('three replicas, one Redis, one canary runner', () => {
  let sim: SimServer;
  let redis: RedisServer;
  let dir: string;
  const replicas: Replica[] = [];

  async function start(name: string): Promise<Replica> {
    const proc = runCli(['serve', '--config', join(dir, 'coalmine.yaml')], { cwd: dir });
    const line = await proc.line(/coalmine listening/, 20_000);
    const { proxy, admin: adminUrl } = JSON.parse(line) as { proxy: string; admin: string };
    return { name, proc, url: proxy, admin: adminUrl };
  }

  const holders = async (rs: readonly Replica[]) => {
    const held = await Promise.all(rs.map((r) => metric(r, 'coalmine_canary_lease_held')));
    return rs.filter((_, i) => held[i] === 1);
  };
  const runs = (r: Replica) => metric(r, 'coalmine_canary_runs_total');
  const setScenario = (scenario: string) =>
    fetch(`${sim.url}/_sim/config`, {
      method: 'POST',
      body: JSON.stringify({ scenario }),
    }).then((r) => expect(r.status).toBe(200));

  beforeAll(async () => {
    sim = await startSim();
    redis = await RedisServer.start();
    dir = mkdtempSync(join(tmpdir(), 'coalmine-replicas-'));
    writeFileSync(
      join(dir, 'coalmine.yaml'),
      stringify({
        listen: '127.0.0.1:0',
        admin: { listen: '127.0.0.1:0', token: ADMIN_TOKEN },
        upstreams: [
          {
            name: 'sim',
            url: sim.url,
            quarantine: { on: ['canary_failure', 'identity_mismatch'], action: 'block' },
          },
        ],
        canaries: ['c.yaml'],
        state: { backend: 'redis', url: redis.url, key_prefix: 'replicas:' },
      }),
    );
    writeFileSync(
      join(dir, 'c.yaml'),
      `canaries:
  - id: red-planet
    model: ${MODEL}
    every: ${EVERY_MS}ms
    jitter: 0
    request: { messages: [{ role: user, content: "Which planet is known as the Red Planet?" }] }
    expect: [{ regex: { pattern: "mars", flags: i } }]
`,
    );
    replicas.push(...(await Promise.all(['a', 'b', 'c'].map(start))));
  }, 60_000);

  afterAll(async () => {
    for (const r of replicas) {
      if (r.proc.child.exitCode === null && r.proc.child.signalCode === null) {
        r.proc.child.kill('SIGTERM');
        await r.proc.exited;
      }
    }
    await sim?.close();
    await redis?.stop();
  });

  it('exactly one replica holds the lease and runs the canaries; the others show its results', async () => {
    await eventually(async () => (await holders(replicas)).length === 1, 5_000);
    const [holder] = await holders(replicas);
    await eventually(async () => (await runs(holder!)) >= 2, 3 * EVERY_MS + 2_000);
    for (const r of replicas) {
      if (r === holder) continue;
      expect(await runs(r), `${r.name} ran canaries`).toBe(0);
      // Followers show the holder's last result: the admin API and the state gauges.
      await eventually(async () => (await metric(r, 'coalmine_canary_up')) === 1, 2_000);
      const body = (await (await admin(r, '/admin/canaries')).json()) as {
        results: { id: string; result: string }[];
        lease: { replica: string; runs_here: boolean; mode: string };
      };
      expect(body.lease).toMatchObject({ runs_here: false, mode: 'follower' });
      expect(body.results).toEqual([expect.objectContaining({ id: 'red-planet', result: 'pass' })]);
      // The status page shows when the holder runs it next: one interval after its last run.
      const status = (await (await fetch(`${r.admin}/status.json`)).json()) as {
        canaries: { id: string; last_run_at: string | null; next_run_at: string | null }[];
      };
      const [shown] = status.canaries;
      expect(shown?.next_run_at, `${r.name} next_run_at`).not.toBeNull();
      expect(Date.parse(shown!.next_run_at!) - Date.parse(shown!.last_run_at!)).toBe(EVERY_MS);
    }
    expect(await holders(replicas)).toHaveLength(1);
  }, 20_000);

  it('the simulator swaps its model: all three refuse live traffic; a release on a follower serves on all', async () => {
    for (const r of replicas) expect(await ask(r)).toBe(200);
    const t0 = performance.now();
    await setScenario('impostor');
    // Only the holder probes: no live traffic is sent until the quarantine is seen.
    await eventually(
      async () => {
        const statuses = await Promise.all(
          replicas.map(async (r) => {
            const q = (await (await admin(r, '/admin/quarantine')).json()) as {
              quarantined: unknown[];
            };
            return q.quarantined.length;
          }),
        );
        return statuses.every((n) => n === 1);
      },
      2 * EVERY_MS + 2_000,
    );
    const detected = performance.now() - t0;
    for (const r of replicas) expect(await ask(r), r.name).toBe(423);
    console.info(
      `three replicas: swap → quarantined on all three after ${detected.toFixed(0)} ms (canary every ${EVERY_MS} ms)`,
    );

    await setScenario('');
    const [holder] = await holders(replicas);
    const follower = replicas.find((r) => r !== holder)!;
    const t1 = performance.now();
    const released = await admin(follower, '/admin/quarantine/release', {
      upstream: 'sim',
      model: MODEL,
    });
    expect(released.status).toBe(200);
    await eventually(
      async () => (await Promise.all(replicas.map(ask))).every((s) => s === 200),
      1_000,
    );
    console.info(
      `three replicas: release on ${follower.name} → served on all three after ${(performance.now() - t1).toFixed(0)} ms`,
    );
  }, 30_000);

  it('SIGKILL of the holder moves the canaries to another replica within two intervals', async () => {
    const [holder] = await holders(replicas);
    expect(holder).toBeDefined();
    const rest = replicas.filter((r) => r !== holder);
    const before = await Promise.all(rest.map(runs));
    const t0 = performance.now();
    holder!.proc.child.kill('SIGKILL');
    await holder!.proc.exited;
    await eventually(
      async () => {
        const now = await Promise.all(rest.map(runs));
        return now.some((n, i) => n > before[i]!);
        // Two intervals, plus a second for a loaded machine's timers (measured and printed below).
      },
      2 * EVERY_MS + 1_000,
    );
    const moved = performance.now() - t0;
    const next = await holders(rest);
    expect(next).toHaveLength(1);
    const idle = rest.find((r) => r !== next[0])!;
    expect(await runs(idle)).toBe(before[rest.indexOf(idle)]);
    console.info(
      `three replicas: holder killed → next canary run on ${next[0]!.name} after ${moved.toFixed(0)} ms (interval ${EVERY_MS} ms)`,
    );
  }, 20_000);
});
