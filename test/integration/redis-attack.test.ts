/**
 * Attacks on the shared state (real redis-server): what a client, a slow or stopped Redis, or
 * a hostile value in Redis can make a replica do.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentityTracker } from '../../src/canary/identity.js';
import { Quarantine } from '../../src/canary/quarantine.js';
import { RedisQuarantineStore } from '../../src/state/redis-quarantine.js';
import { RedisCanaryResults } from '../../src/state/redis-canaries.js';
import { CanaryService } from '../../src/canary/service.js';
import type { Canary } from '../../src/canary/loader.js';
import type { CanaryResult } from '../../src/canary/runner.js';
import { canaryRecord } from '../helpers/records.js';
import { RedisIdentityShare } from '../../src/state/redis-identity.js';
import { CanaryLease } from '../../src/state/redis-lease.js';
import { RedisLink } from '../../src/state/redis-link.js';
import { eventually } from '../helpers/proxy.js';
import { haveRedis, RedisServer } from '../helpers/redis.js';

const present = haveRedis();
let prefixes = 0;

/** How many times Redis ran a script (EVAL and EVALSHA), from INFO commandstats. */
async function scriptCalls(db: Redis): Promise<number> {
  const info = await db.info('commandstats');
  let n = 0;
  for (const m of info.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)) n += Number(m[1]);
  return n;
}

describe.skipIf(!present)('shared state under attack (real redis-server)', () => {
  let redis: RedisServer;
  let db: Redis;
  const links: RedisLink[] = [];
  const link = (prefix: string) => {
    const l = new RedisLink({ url: redis.url, keyPrefix: prefix, resyncMs: 60_000 });
    links.push(l);
    return l;
  };
  const fresh = () => `atk${++prefixes}:`;

  beforeAll(async () => {
    redis = await RedisServer.start();
    db = new Redis(redis.url);
    db.on('error', () => {});
  });
  afterAll(async () => {
    db?.disconnect();
    await Promise.all(links.map((l) => l.close()));
    await redis?.stop();
  });

  it('N new client-chosen model names cost O(N) Redis writes, not O(N²)', async () => {
    const prefix = fresh();
    const l = link(prefix);
    const tracker = new IdentityTracker(new Map([['up', {}]]));
    new RedisIdentityShare(l, tracker, ['up']);
    await l.start();
    await db.config('RESETSTAT');
    const N = 400;
    // A burst of responses for distinct names (the client chooses them), as a busy replica
    // sees within one round trip to Redis.
    for (let i = 0; i < N; i++)
      tracker.observe({ upstream: 'up', requested: `name-${i}`, model: 'm', fingerprint: 'fp' });
    await eventually(async () => (await db.hlen(`${prefix}identity:up:other:model`)) === N, 10_000);
    // Let whatever is still queued run.
    await new Promise((r) => setTimeout(r, 1_000));
    const calls = await scriptCalls(db);
    expect(calls).toBeLessThanOrEqual(2 * N);
  });

  it('a Redis that hangs (stopped, connection kept open) is a Redis lost: the holder runs the canaries standalone', async () => {
    // A hung Redis (SIGSTOP here; a dead host behind a silent network, a very slow failover
    // alike) answers no command and closes no connection. Every replica is then in the case
    // README promises for "Redis lost": someone must keep running the canaries.
    const prefix = fresh();
    const l = link(prefix);
    const states: string[] = [];
    const lease = new CanaryLease(l, { ttlMs: 1_000, onChange: (_r, s) => states.push(s) });
    await l.start();
    lease.start();
    await eventually(() => lease.current() === 'held', 3_000);
    const pid = (redis as unknown as { proc: { pid: number } }).proc.pid;
    process.kill(pid, 'SIGSTOP');
    try {
      await new Promise((r) => setTimeout(r, 7_000));
      const state = { mode: lease.current(), mayRun: lease.mayRun(), up: l.isUp() };
      expect(state).toEqual({ mode: 'standalone', mayRun: true, up: false });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    // Back: it goes through the lease again.
    await eventually(() => lease.current() === 'held', 10_000);
  }, 30_000);

  it('an entry announced while a replica loads the stored state is not dropped by that load', async () => {
    const prefix = fresh();
    const replica = () => {
      const l = link(prefix);
      const q = new Quarantine(
        new Map([['openai', { on: ['canary_failure'] as const, action: 'block' as const }]]),
        (_u, m) => m ?? 'other',
        { record: () => {} },
      );
      new RedisQuarantineStore(l, q);
      return { l, q };
    };
    const a = replica();
    const b = replica();
    await Promise.all([a.l.start(), b.l.start()]);
    // B's periodic load reads the index; A's canary fails right then (its MULTI lands after
    // B's SMEMBERS, its announcement reaches B before B applies what it read).
    const cmd = b.l.cmd;
    const smembers = cmd.smembers.bind(cmd);
    let once = true;
    (cmd as unknown as { smembers: (k: string) => Promise<string[]> }).smembers = async (
      k: string,
    ) => {
      const read = await smembers(k);
      if (once) {
        once = false;
        a.q.record(canaryRecord({ model: 'gpt-4o', result: 'fail' }));
        await eventually(() => b.q.admit('openai', 'gpt-4o') !== undefined, 2_000);
      }
      return read;
    };
    await b.l.sync();
    expect(a.q.admit('openai', 'gpt-4o')?.action).toBe('block');
    expect(b.q.admit('openai', 'gpt-4o')?.action, 'held on B after its load').toBe('block');
  });

  it('a result stamped in the future (a holder whose clock is ahead) does not postpone the canary on the next holder', async () => {
    const prefix = fresh();
    const KEY = 'attack-hmac-key-0123456789';
    const EVERY = 2_000;
    const canary = { id: 'red-planet', everyMs: EVERY, jitter: 0 } as unknown as Canary;
    const replica = () => {
      const l = link(prefix);
      const runs: string[] = [];
      const service = new CanaryService([canary], {} as never, { record: () => {} });
      service.run = (c: Canary) => {
        runs.push(c.id);
        return Promise.resolve({} as CanaryResult);
      };
      new RedisCanaryResults(l, service, KEY, () => {});
      return { l, service, runs };
    };
    const a = replica();
    const b = replica();
    await Promise.all([a.l.start(), b.l.start()]);
    // A (holder, clock 20 days ahead) reports its run; B shows it, then takes the lease.
    const ahead = Date.now() + 20 * 24 * 3_600_000;
    const result: CanaryResult = {
      id: 'red-planet',
      upstream: 'up',
      model: 'm',
      result: 'pass',
      reasons: [],
      pValue: undefined,
      evidence: undefined,
      tokens: 1,
      calls: 1,
      durationSeconds: 0.1,
      finishedAt: ahead,
    };
    (a.service as unknown as { listeners: ((r: CanaryResult) => void)[] }).listeners.forEach((f) =>
      f(result),
    );
    await eventually(() => b.service.lastResult('red-planet')?.finishedAt === ahead, 2_000);
    b.service.schedule(() => 0.5);
    try {
      const next = b.service.nextRun('red-planet')!;
      expect(next - Date.now(), 'next run on the new holder in (ms)').toBeLessThanOrEqual(EVERY);
      await eventually(() => b.runs.length > 0, 2 * EVERY);
    } finally {
      await b.service.stop();
    }
  });

  it('Redis restarted empty: the lease stays with its holder (whose evidence is the newest)', async () => {
    const prefix = fresh();
    const leases = [0, 1, 2].map(() => {
      const l = link(prefix);
      const lease = new CanaryLease(l, { ttlMs: 1_000, onChange: () => {} });
      return { l, lease };
    });
    await Promise.all(leases.map((x) => x.l.start()));
    leases.forEach((x) => x.lease.start());
    const holder = async () => {
      await eventually(
        () => leases.filter((x) => x.lease.current() === 'held').length === 1,
        5_000,
      );
      return leases.findIndex((x) => x.lease.current() === 'held');
    };
    const first = await holder();
    const after: number[] = [];
    for (let i = 0; i < 4; i++) {
      await redis.stop();
      await redis.restart();
      await eventually(() => leases.every((x) => x.l.isUp()), 10_000);
      await new Promise((r) => setTimeout(r, 600));
      after.push(await holder());
    }
    expect(after).toEqual([first, first, first, first]);
  }, 60_000);
});
