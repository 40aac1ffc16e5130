import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Quarantine } from '../../src/canary/quarantine.js';
import type { TelemetryEvent } from '../../src/model/sink.js';
import { RedisLink } from '../../src/state/redis-link.js';
import { RedisQuarantineStore } from '../../src/state/redis-quarantine.js';
import { canaryRecord } from '../helpers/records.js';
import { freePort, haveRedis, RedisServer } from '../helpers/redis.js';

const present = haveRedis();

const failure = (model: string) => canaryRecord({ model, result: 'fail' });

/** One replica: its own Quarantine and store, as a separate process would have. */
function replica(url: string, prefix: string) {
  /** What this replica reports (logs, audit, metrics). */
  const recs: TelemetryEvent[] = [];
  const q = new Quarantine(
    new Map([['openai', { on: ['canary_failure'] as const, action: 'block' as const }]]),
    (_u, m) => m ?? 'other',
    { record: (e) => void recs.push(e) },
  );
  const ups: boolean[] = [];
  const link = new RedisLink({
    url,
    keyPrefix: prefix,
    onUp: (up) => ups.push(up),
    resyncMs: 60_000,
  });
  new RedisQuarantineStore(link, q);
  const store = {
    start: (_q: Quarantine, timeoutMs?: number) => link.start(timeoutMs),
    close: () => link.close(),
    isUp: () => link.isUp(),
  };
  return { q, store, ups, recs };
}

async function within(ms: number, ok: () => boolean): Promise<number> {
  const t0 = performance.now();
  while (!ok()) {
    if (performance.now() - t0 > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
  return performance.now() - t0;
}

describe.skipIf(!present)('a quarantine shared through Redis (real redis-server)', () => {
  let redis: RedisServer;
  let reps: ReturnType<typeof replica>[] = [];
  const held = (r: ReturnType<typeof replica>, model = 'gpt-4o') =>
    r.q.admit('openai', model)?.action === 'block';

  beforeAll(async () => {
    redis = await RedisServer.start();
    reps = [0, 1, 2].map(() => replica(redis.url, 'coalmine-test:'));
    const started = await Promise.all(reps.map((r) => r.store.start(r.q)));
    expect(started).toEqual([true, true, true]);
  });
  afterAll(async () => {
    await Promise.all(reps.map((r) => r.store.close()));
    await redis?.stop();
  });

  it('enter on A: held on B and C within 1 s; release on B: released on A and C', async () => {
    const [a, b, c] = reps as [
      ReturnType<typeof replica>,
      ReturnType<typeof replica>,
      ReturnType<typeof replica>,
    ];
    a.q.record(failure('gpt-4o'));
    expect(held(a)).toBe(true);
    const enter = await within(1_000, () => held(b) && held(c));
    expect(b.q.list()[0]).toMatchObject({ reason: 'canary_failure', canary: 'red-planet' });
    // Each replica reports the hold it enforces, once, saying where it started.
    const entered = (r: ReturnType<typeof replica>) =>
      r.recs.filter((e) => e.kind === 'quarantine' && e.quarantined);
    expect(entered(a)).toEqual([expect.objectContaining({ origin: 'here' })]);
    expect(entered(b)).toEqual([expect.objectContaining({ origin: 'shared' })]);
    expect(entered(c)).toEqual([expect.objectContaining({ origin: 'shared' })]);
    expect(b.q.release('openai', 'gpt-4o', 'ops')).toBeDefined();
    const release = await within(1_000, () => !held(a) && !held(c));
    console.info(
      `shared quarantine propagation: enter ${enter.toFixed(1)} ms, release ${release.toFixed(1)} ms`,
    );
  });

  it('a replica started later loads the stored state', async () => {
    const [a] = reps as [ReturnType<typeof replica>];
    a.q.record(failure('gpt-4.1'));
    await within(1_000, () => reps.every((r) => held(r, 'gpt-4.1')));
    const late = replica(redis.url, 'coalmine-test:');
    expect(await late.store.start(late.q)).toBe(true);
    expect(held(late, 'gpt-4.1')).toBe(true);
    await late.store.close();
    reps[1]!.q.release('openai', 'gpt-4.1');
    await within(1_000, () => reps.every((r) => !held(r, 'gpt-4.1')));
  });

  it('Redis lost and back empty: nothing is released by the loss; entered meanwhile is written', async () => {
    const [a, b, c] = reps as [
      ReturnType<typeof replica>,
      ReturnType<typeof replica>,
      ReturnType<typeof replica>,
    ];
    a.q.record(failure('held-before'));
    await within(1_000, () => held(b, 'held-before') && held(c, 'held-before'));
    await redis.stop();
    await within(5_000, () => reps.every((r) => !r.store.isUp()));
    expect(reps.map((r) => r.ups.at(-1))).toEqual([false, false, false]);
    // Still serving the last known state.
    expect(reps.every((r) => held(r, 'held-before'))).toBe(true);
    // Entered on A and released on C while Redis is away.
    a.q.record(failure('while-down'));
    c.q.release('openai', 'held-before', 'ops');
    expect(held(b, 'while-down')).toBe(false);
    await redis.restart();
    const t0 = performance.now();
    const back = await within(10_000, () => reps.every((r) => r.store.isUp()));
    await within(5_000, () => held(b, 'while-down') && held(c, 'while-down'));
    // Redis restarted without persistence: the stored state is gone. The holds come back from
    // the replicas (A and B still held it); C's release during the outage cannot be told from
    // a lost store and yields to the hold, so all three hold it again.
    await within(5_000, () => reps.every((r) => held(r, 'held-before')));
    const agreed = performance.now() - t0;
    // Released again through the admin path, it is released everywhere.
    c.q.release('openai', 'held-before', 'ops');
    await within(1_000, () => reps.every((r) => !held(r, 'held-before')));
    for (const r of reps) r.q.release('openai', 'while-down', 'ops');
    console.info(
      `shared quarantine: all reconnected ${back.toFixed(0)} ms, agreed ${agreed.toFixed(0)} ms after Redis came back`,
    );
  });

  it('a replica started before Redis keeps retrying and converges when Redis appears', async () => {
    const port = await freePort();
    const early = replica(`redis://127.0.0.1:${port}`, 'coalmine-late:');
    expect(await early.store.start(early.q, 500)).toBe(false);
    early.q.record(failure('entered-before-redis'));
    const late = await RedisServer.start(port);
    const other = replica(late.url, 'coalmine-late:');
    try {
      expect(await other.store.start(other.q)).toBe(true);
      await within(5_000, () => early.store.isUp() && held(other, 'entered-before-redis'));
    } finally {
      await early.store.close();
      await other.store.close();
      await late.stop();
    }
  });
});
