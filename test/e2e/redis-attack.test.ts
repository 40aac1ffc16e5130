/**
 * Attacks on the shared state with real processes: two `coalmine serve` replicas, one
 * redis-server, the simulator. A paused lease holder, a hung Redis, hostile values in Redis.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { SimServer } from '../../src/sim/server.js';
import { startSim } from '../../src/sim/server.js';
import { seal } from '../../src/canary/baseline.js';
import { runCli, type Spawned } from '../helpers/cli.js';
import { ADMIN_TOKEN, eventually } from '../helpers/proxy.js';
import { haveRedis, RedisServer } from '../helpers/redis.js';

const present = haveRedis();
const MODEL = 'gpt-4o-mini';
const EVERY_MS = 2_000;
const PREFIX = 'atk:';

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

const ask = async (r: Replica, model = MODEL) => {
  const t0 = performance.now();
  const res = await fetch(`${r.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Capital of France?' }] }),
    signal: AbortSignal.timeout(10_000),
  });
  await res.text();
  return { status: res.status, ms: performance.now() - t0 };
};

const admin = (r: Replica, path: string, body?: unknown) =>
  fetch(`${r.admin}${path}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) }),
  });

const alive = (r: Replica) => r.proc.child.exitCode === null && r.proc.child.signalCode === null;

describe.skipIf(!present)('shared state under attack: real replicas', () => {
  let sim: SimServer;
  let redis: RedisServer;
  let db: Redis;
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
  const redisPid = () => (redis as unknown as { proc: { pid: number } }).proc.pid;

  beforeAll(async () => {
    sim = await startSim();
    redis = await RedisServer.start();
    db = new Redis(redis.url);
    db.on('error', () => {});
    dir = mkdtempSync(join(tmpdir(), 'coalmine-redis-attack-'));
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
        state: { backend: 'redis', url: redis.url, key_prefix: PREFIX },
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
    replicas.push(...(await Promise.all(['a', 'b'].map(start))));
    await eventually(async () => (await holders(replicas)).length === 1, 5_000);
  }, 60_000);

  afterAll(async () => {
    try {
      process.kill(redisPid(), 'SIGCONT');
    } catch {
      // gone
    }
    for (const r of replicas) {
      try {
        r.proc.child.kill('SIGCONT');
      } catch {
        // gone
      }
      if (alive(r)) {
        r.proc.child.kill('SIGTERM');
        await r.proc.exited;
      }
    }
    db?.disconnect();
    await sim?.close();
    await redis?.stop();
  });

  it('a holder paused past its lease: the other takes over; woken, it runs nothing beside it', async () => {
    const [holder] = await holders(replicas);
    const other = replicas.find((r) => r !== holder)!;
    await eventually(async () => (await runs(holder!)) >= 1, 3 * EVERY_MS);
    const otherBefore = await runs(other);
    const holderBefore = await runs(holder!);
    holder!.proc.child.kill('SIGSTOP');
    await eventually(async () => (await runs(other)) > otherBefore, 3 * EVERY_MS + 1_000);
    // Stopped for well past its lease (1 s) and a canary interval.
    await new Promise((r) => setTimeout(r, EVERY_MS));
    holder!.proc.child.kill('SIGCONT');
    const t0 = performance.now();
    // Woken: its overdue timers fire before any renewal tells it it lost the lease.
    await new Promise((r) => setTimeout(r, 2 * EVERY_MS));
    expect(await runs(holder!), 'runs on the woken holder').toBe(holderBefore);
    expect((await holders(replicas)).map((r) => r.name)).toEqual([other.name]);
    for (const r of replicas) {
      const q = (await (await admin(r, '/admin/quarantine')).json()) as { quarantined: unknown[] };
      expect(q.quarantined, r.name).toEqual([]);
      expect((await ask(r)).status).toBe(200);
    }
    expect(holder!.proc.stderr()).not.toMatch(/unhandled|uncaught/i);
    console.info(`paused holder woken ${(performance.now() - t0).toFixed(0)} ms ago: nothing ran`);
  }, 30_000);

  it('a hung Redis (SIGSTOP): live traffic is not slowed, canaries go on, the backend reads down', async () => {
    const before = await Promise.all(replicas.map(runs));
    process.kill(redisPid(), 'SIGSTOP');
    try {
      const slow: number[] = [];
      const until = performance.now() + 8_000;
      while (performance.now() < until) {
        for (const r of replicas) {
          const { status, ms } = await ask(r);
          expect(status).toBe(200);
          slow.push(ms);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(Math.max(...slow), 'slowest live request while Redis hangs (ms)').toBeLessThan(1_000);
      for (const r of replicas)
        expect(await metric(r, 'coalmine_state_backend_up'), `${r.name} backend_up`).toBe(0);
      const after = await Promise.all(replicas.map(runs));
      expect(
        after.some((n, i) => n > before[i]!),
        'some replica ran a canary while Redis hung',
      ).toBe(true);
    } finally {
      process.kill(redisPid(), 'SIGCONT');
    }
    await eventually(async () => (await holders(replicas)).length === 1, 10_000);
    for (const r of replicas)
      await eventually(async () => (await metric(r, 'coalmine_state_backend_up')) === 1, 10_000);
  }, 40_000);

  it('a forged quarantine announcement nesting arrays deeply crashes no replica', async () => {
    // Anyone who can PUBLISH may release a quarantine (README), but must not take the fleet down.
    // 14 KB and 400 KB: either one ended every replica (String() of the nested array overflowed
    // the stack inside ioredis's socket handler: uncaught, exit 1).
    for (const depth of [7_000, 200_000]) {
      const nested = '['.repeat(depth) + ']'.repeat(depth);
      await db.publish(
        `${PREFIX}quarantine:changes`,
        `{"from":"x","op":"enter","entry":{"upstream":"sim","model":${nested},"reason":"canary_failure"}}`,
      );
    }
    await new Promise((r) => setTimeout(r, 1_000));
    for (const r of replicas) {
      expect(alive(r), `${r.name} alive; stderr: ${r.proc.stderr().slice(-2_000)}`).toBe(true);
      expect((await ask(r)).status).toBe(200);
    }
  }, 20_000);

  it('wrong types, huge values and a flood of announcements in Redis: no replica ends or stalls', async () => {
    const k = (s: string) => PREFIX + s;
    await db.del(k('quarantine'), k('canary:results'), k('canary:evidence'), k('quarantine:epoch'));
    await db.rpush(k('quarantine'), 'x');
    await db.hset(k('quarantine:epoch'), 'a', 'b');
    await db.set(k('canary:results'), 'x'.repeat(8_000_000));
    await db.rpush(k('canary:evidence'), 'x');
    await db.set(k('identity:sim:pinned:model'), 'x');
    await db.hset(k('identity:sim:other:model'), 'n', 'x'.repeat(8_000_000));
    await db.set(k('canary:lease'), 'someone-else-forever');
    // Make every replica reconnect, so that it loads all of it.
    await db.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await db.client('KILL', 'TYPE', 'pubsub');
    const flood = db.pipeline();
    for (let i = 0; i < 50_000; i++) {
      flood.publish(
        k('identity:changes'),
        JSON.stringify({ upstream: 'sim', pinned: false, name: `n${i}` }),
      );
      flood.publish(k('canary:results:changes'), JSON.stringify({ id: 'red-planet' }));
    }
    await flood.exec();
    const slow: number[] = [];
    for (let i = 0; i < 10; i++)
      for (const r of replicas) {
        const { status, ms } = await ask(r);
        expect(status).toBe(200);
        slow.push(ms);
      }
    for (const r of replicas)
      expect(alive(r), `${r.name} alive; stderr: ${r.proc.stderr().slice(-2_000)}`).toBe(true);
    console.info(`hostile Redis: slowest live request ${Math.max(...slow).toFixed(0)} ms`);
    // Measured 3.7 s on 2 busy cores for 100,000 announcements while each cost a Redis round
    // trip; read one in flight per key (32 keys at a time), 289 ms. A PUBLISH needs no write.
    // The bound is generous (a loaded CI machine); the reads per announcement are counted in
    // test/integration/shared-forgery.test.ts, the latency belongs to benchmarks.
    expect(Math.max(...slow)).toBeLessThan(5_000);
    // Cleared for what follows (a lease squatted without a TTL stops every replica's canaries:
    // README's "Redis is trusted").
    await db.del(
      k('quarantine'),
      k('quarantine:epoch'),
      k('canary:results'),
      k('canary:evidence'),
      k('identity:sim:pinned:model'),
      k('identity:sim:other:model'),
      k('canary:lease'),
    );
  }, 60_000);

  it('SIGTERM to the holder while Redis hangs: it still stops (and exits) promptly', async () => {
    replicas.push(await start('c'));
    const live = replicas.filter(alive);
    await eventually(async () => (await holders(live)).length === 1, 10_000);
    const [r] = await holders(live);
    process.kill(redisPid(), 'SIGSTOP');
    try {
      const t0 = performance.now();
      r!.proc.child.kill('SIGTERM');
      const code = await Promise.race([
        r!.proc.exited,
        new Promise((res) => setTimeout(() => res('still running'), 15_000)),
      ]);
      expect(code, `exit after SIGTERM; stderr: ${r!.proc.stderr().slice(-1_000)}`).toBe(0);
      console.info(
        `SIGTERM with Redis hung: exited after ${(performance.now() - t0).toFixed(0)} ms`,
      );
    } finally {
      process.kill(redisPid(), 'SIGCONT');
    }
  }, 40_000);

  it('a stored quarantine entry whose time is out of range: the admin API and status page still answer', async () => {
    const live = replicas.filter(alive);
    const key = `${PREFIX}quarantine:sim:${MODEL}`;
    await db
      .multi()
      .hset(key, {
        upstream: 'sim',
        model: MODEL,
        reason: 'canary_failure',
        canary: 'red-planet',
        since: '1e300',
        action: 'block',
      })
      .sadd(`${PREFIX}quarantine`, key)
      .publish(
        `${PREFIX}quarantine:changes`,
        JSON.stringify({
          from: 'x',
          op: 'enter',
          entry: { upstream: 'sim', model: MODEL, reason: 'canary_failure', since: 1e300 },
        }),
      )
      .exec();
    // Without canary.hmac_key (this configuration) a result is sealed with SHA-256 only, which
    // anyone can compute (README: forged results are refused only with the key): its time "NaN".
    const forged = seal(
      {
        id: 'red-planet',
        upstream: 'sim',
        model: MODEL,
        result: 'pass',
        reasons: [],
        tokens: 1,
        calls: 1,
        durationSeconds: 0.1,
        finishedAt: 'NaN',
      },
      undefined,
    );
    await db
      .multi()
      .hset(`${PREFIX}canary:results`, 'red-planet', JSON.stringify(forged))
      .publish(`${PREFIX}canary:results:changes`, JSON.stringify({ from: 'x', id: 'red-planet' }))
      .exec();
    await new Promise((r) => setTimeout(r, 300));
    for (const r of live) {
      await eventually(async () => (await ask(r)).status === 423, 3_000);
      const codes = await Promise.all(
        ['/admin/quarantine', '/admin/canaries', '/status.json', '/', '/metrics'].map(async (p) => {
          const res = await admin(r, p);
          await res.text();
          return `${p} ${res.status}`;
        }),
      );
      expect(codes).toEqual([
        '/admin/quarantine 200',
        '/admin/canaries 200',
        '/status.json 200',
        '/ 200',
        '/metrics 200',
      ]);
      expect(alive(r)).toBe(true);
    }
  }, 30_000);
});
