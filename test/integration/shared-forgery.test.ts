/**
 * Announcements are news, the stored state is the truth: a PUBLISH on the quarantine channel that
 * the stored state does not bear out (no MULTI wrote it) changes nothing on any replica.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentityTracker } from '../../src/canary/identity.js';
import { Quarantine } from '../../src/canary/quarantine.js';
import type { CanaryService } from '../../src/canary/service.js';
import { RedisCanaryResults } from '../../src/state/redis-canaries.js';
import { RedisIdentityShare } from '../../src/state/redis-identity.js';
import { RedisLink } from '../../src/state/redis-link.js';
import { RedisQuarantineStore } from '../../src/state/redis-quarantine.js';
import { canaryRecord } from '../helpers/records.js';
import { haveRedis, RedisServer } from '../helpers/redis.js';

const present = haveRedis();
const PREFIX = 'forgery:';

function replica(url: string) {
  const tracker = new IdentityTracker(new Map([['openai', { 'gpt-4o': {} }]]));
  const q = new Quarantine(
    new Map([['openai', { on: ['canary_failure'] as const, action: 'block' as const }]]),
    (_u, m) => m ?? 'other',
    { record: () => {} },
  );
  const link = new RedisLink({ url, keyPrefix: PREFIX, resyncMs: 60_000 });
  new RedisQuarantineStore(link, q);
  new RedisIdentityShare(link, tracker, ['openai']);
  const service = {
    onResult: () => {},
    get: (id: string) => (id === 'red-planet' ? {} : undefined),
    adopt: () => {},
  } as unknown as CanaryService;
  new RedisCanaryResults(link, service, undefined, () => {});
  return { q, link };
}

async function within(ms: number, ok: () => boolean): Promise<void> {
  const t0 = performance.now();
  while (!ok()) {
    if (performance.now() - t0 > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe.skipIf(!present)('forged quarantine announcements (real redis-server)', () => {
  let redis: RedisServer;
  let raw: Redis;
  let reps: ReturnType<typeof replica>[] = [];
  const held = (r: ReturnType<typeof replica>, model: string) =>
    r.q.admit('openai', model)?.action === 'block';

  beforeAll(async () => {
    redis = await RedisServer.start();
    raw = new Redis(redis.url);
    reps = [0, 1].map(() => replica(redis.url));
    expect(await Promise.all(reps.map((r) => r.link.start()))).toEqual([true, true]);
    // Past the resynchronisations that follow connecting (250 and 750 ms).
    await new Promise((r) => setTimeout(r, 1_000));
  });
  afterAll(async () => {
    await Promise.all(reps.map((r) => r.link.close()));
    raw?.disconnect();
    await redis?.stop();
  });

  it('a forged release (PUBLISH only) releases nothing: Redis still holds the entry', async () => {
    const [a, b] = reps as [ReturnType<typeof replica>, ReturnType<typeof replica>];
    a.q.record(canaryRecord({ model: 'gpt-4o', result: 'fail' }));
    await within(1_000, () => held(b, 'gpt-4o'));
    await raw.publish(
      `${PREFIX}quarantine:changes`,
      JSON.stringify({ from: 'x', op: 'release', upstream: 'openai', model: 'gpt-4o', by: 'ops' }),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(await raw.exists(`${PREFIX}quarantine:openai:gpt-4o`)).toBe(1);
    expect(held(a, 'gpt-4o')).toBe(true);
    expect(held(b, 'gpt-4o')).toBe(true);
    // A real release still travels.
    b.q.release('openai', 'gpt-4o', 'ops');
    await within(1_000, () => !held(a, 'gpt-4o'));
  });

  it('a forged entry (PUBLISH only) holds nothing: Redis does not hold it', async () => {
    const [a, b] = reps as [ReturnType<typeof replica>, ReturnType<typeof replica>];
    await raw.publish(
      `${PREFIX}quarantine:changes`,
      JSON.stringify({
        from: 'x',
        op: 'enter',
        entry: { upstream: 'openai', model: 'gpt-4.1', reason: 'canary_failure', since: 1 },
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(held(a, 'gpt-4.1')).toBe(false);
    expect(held(b, 'gpt-4.1')).toBe(false);
    // A real entry still travels.
    a.q.record(canaryRecord({ model: 'gpt-4.1', result: 'fail' }));
    await within(1_000, () => held(b, 'gpt-4.1'));
  });

  it('a flood of announcements costs reads by the round trip, not one each', async () => {
    await raw.config('RESETSTAT');
    const n = 20_000;
    const flood = async (channel: string, body: object) => {
      for (let i = 0; i < n; i += 1_000) {
        const p = raw.pipeline();
        for (let j = 0; j < 1_000; j++)
          p.publish(`${PREFIX}${channel}`, JSON.stringify({ from: 'x', ...body }));
        await p.exec();
      }
    };
    await flood('canary:results:changes', { id: 'red-planet' });
    await flood('identity:changes', { upstream: 'openai', pinned: true, name: 'gpt-4o' });
    await flood('quarantine:changes', { op: 'release', upstream: 'openai', model: 'gpt-4o' });
    // Wait for the replicas to go quiet, then count the reads the announcements caused.
    const reads = async () => {
      const info = await raw.info('commandstats');
      let sum = 0;
      for (const m of info.matchAll(/cmdstat_(hget|hgetall):calls=(\d+)/g)) sum += Number(m[2]);
      return sum;
    };
    let last = -1;
    for (;;) {
      await new Promise((r) => setTimeout(r, 300));
      const now = await reads();
      if (now === last) break;
      last = now;
    }
    // One read in flight per key and replica, one more after it: reads follow the round trip,
    // not the announcements (before: 2 × 4 × 20,000 = 160,000 reads; now about 150).
    expect(last).toBeLessThan(n / 20);
  }, 60_000);
});
