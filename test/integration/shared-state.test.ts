/**
 * Issue 18: what replicas share through a real redis-server besides the quarantine — identities
 * first seen and last fingerprints, canary results and sequential evidence, the canary lease —
 * each replica being its own RedisLink, as separate processes would have.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentityTracker } from '../../src/canary/identity.js';
import type { ConformalState } from '../../src/canary/conformal.js';
import { Quarantine } from '../../src/canary/quarantine.js';
import type { TelemetryEvent } from '../../src/model/sink.js';
import type { CanaryResult } from '../../src/canary/runner.js';
import type { CanaryService } from '../../src/canary/service.js';
import { leaseTtl } from '../../src/state/open.js';
import { RedisCanaryResults, RedisEvidenceStore } from '../../src/state/redis-canaries.js';
import { RedisIdentityShare } from '../../src/state/redis-identity.js';
import { CanaryLease, type LeaseState } from '../../src/state/redis-lease.js';
import { RedisLink } from '../../src/state/redis-link.js';
import { RedisQuarantineStore } from '../../src/state/redis-quarantine.js';
import { eventually } from '../helpers/proxy.js';
import { haveRedis, RedisServer } from '../helpers/redis.js';

const present = haveRedis();
const KEY = 'shared-state-hmac-key-0123';
let prefixes = 0;

describe.skipIf(!present)('state shared through Redis (real redis-server)', () => {
  let redis: RedisServer;
  /** The test's own view of the store. */
  let db: Redis;
  const links: RedisLink[] = [];
  const link = (prefix: string) => {
    const l = new RedisLink({ url: redis.url, keyPrefix: prefix, resyncMs: 60_000 });
    links.push(l);
    return l;
  };
  const fresh = () => `t${++prefixes}:`;

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

  describe('identities', () => {
    /** One replica: a tracker pinning `pinned-model` (no expectation), a quarantine, a link. */
    function replica(prefix: string, maxOther?: number) {
      const l = link(prefix);
      const tracker = new IdentityTracker(new Map([['up', { 'pinned-model': {} }]]));
      const q = new Quarantine(
        new Map([['up', { on: ['identity_mismatch'] as const, action: 'block' as const }]]),
        (u, m) => tracker.label(u, m),
        { record: () => {} },
        (u, m) => tracker.forget(u, m),
      );
      const share = new RedisIdentityShare(l, tracker, ['up'], maxOther);
      new RedisQuarantineStore(l, q).onRelease(share.releaseHook);
      /** A response: what the tracker concludes, reported to the quarantine as a request is. */
      const see = (requested: string, model: string, fingerprint?: string) => {
        const identity = tracker.observe({ upstream: 'up', requested, model, fingerprint });
        const label = tracker.label('up', requested);
        q.record({ kind: 'request', upstream: 'up', model: label, identity } as TelemetryEvent);
        return identity;
      };
      return { l, tracker, q, see, share };
    }

    it('a replica started after the swap compares with what the fleet saw first', async () => {
      const prefix = fresh();
      const a = replica(prefix);
      await a.l.start();
      expect(a.see('client-model', 'model-x', 'fp-1').mismatch).toBe(false);
      expect(a.see('pinned-model', 'model-p', 'fp-1').mismatch).toBe(false);
      await eventually(async () => (await db.keys(`${prefix}identity:*`)).length === 4, 1_000);
      // B starts later: the upstream now answers with another model.
      const b = replica(prefix);
      await b.l.start();
      expect(b.see('client-model', 'model-y').mismatch).toBe(true);
      expect(b.see('pinned-model', 'model-q').mismatch).toBe(true);
      // Without the shared state B would have taken model-y as the reference.
      const alone = new IdentityTracker(new Map());
      alone.observe({
        upstream: 'up',
        requested: 'client-model',
        model: 'model-y',
        fingerprint: undefined,
      });
      expect(
        alone.check({
          upstream: 'up',
          requested: 'client-model',
          model: 'model-y',
          fingerprint: undefined,
        }).mismatch,
      ).toBe(false);
    });

    it('the last fingerprint travels: a change seen on A is no change on B', async () => {
      const prefix = fresh();
      const a = replica(prefix);
      const b = replica(prefix);
      await Promise.all([a.l.start(), b.l.start()]);
      a.see('m', 'model-x', 'fp-1');
      await eventually(
        () =>
          b.tracker.check({ upstream: 'up', requested: 'm', model: 'model-x', fingerprint: 'fp-1' })
            .fingerprintChanged === false &&
          b.tracker.check({ upstream: 'up', requested: 'm', model: 'model-x', fingerprint: 'fp-2' })
            .fingerprintChanged,
        1_000,
      );
      expect(a.see('m', 'model-x', 'fp-2').fingerprintChanged).toBe(true);
      await eventually(
        () =>
          !b.tracker.check({
            upstream: 'up',
            requested: 'm',
            model: 'model-x',
            fingerprint: 'fp-2',
          }).fingerprintChanged,
        1_000,
      );
    });

    it('two replicas seeing different first models at once agree on the one written first', async () => {
      const prefix = fresh();
      const a = replica(prefix);
      const b = replica(prefix);
      await Promise.all([a.l.start(), b.l.start()]);
      a.see('race', 'model-a');
      b.see('race', 'model-b');
      const stored = async () => db.hget(`${prefix}identity:up:other:model`, 'race');
      await eventually(async () => (await stored()) !== null, 1_000);
      const first = (await stored())!.slice(1);
      const other = first === 'model-a' ? 'model-b' : 'model-a';
      // Both now flag the other model, whichever they saw themselves.
      await eventually(
        () =>
          [a, b].every(
            (r) =>
              r.tracker.check({
                upstream: 'up',
                requested: 'race',
                model: other,
                fingerprint: undefined,
              }).mismatch &&
              !r.tracker.check({
                upstream: 'up',
                requested: 'race',
                model: first,
                fingerprint: undefined,
              }).mismatch,
          ),
        1_000,
      );
    });

    it('client-chosen names are capped in Redis; pinned ones are not', async () => {
      const prefix = fresh();
      const a = replica(prefix, 5);
      await a.l.start();
      for (let i = 0; i < 50; i++) a.see(`junk-${i}`, 'model-x');
      a.see('pinned-model', 'model-p');
      await eventually(
        async () => (await db.hlen(`${prefix}identity:up:pinned:model`)) === 1,
        1_000,
      );
      expect(await db.hlen(`${prefix}identity:up:other:model`)).toBe(5);
    });

    it('while Redis is away, names waiting to be written are capped too', () => {
      const a = replica(fresh(), 5);
      // Never started: nothing can be written.
      for (let i = 0; i < 1_000; i++) a.see(`junk-${i}`, 'model-x');
      a.see('pinned-model', 'model-p');
      const pending = (a.share as unknown as { pending: Map<string, unknown> }).pending;
      expect(pending.size).toBe(6);
      expect([...pending.keys()].some((k) => k.endsWith('pinned-model'))).toBe(true);
    });

    it('a release on one replica clears the identities everywhere, so the new model is accepted', async () => {
      const prefix = fresh();
      const a = replica(prefix);
      const b = replica(prefix);
      await Promise.all([a.l.start(), b.l.start()]);
      a.see('pinned-model', 'model-p');
      await eventually(
        () =>
          b.tracker.check({
            upstream: 'up',
            requested: 'pinned-model',
            model: 'model-new',
            fingerprint: undefined,
          }).mismatch,
        1_000,
      );
      expect(b.see('pinned-model', 'model-new').mismatch).toBe(true);
      await eventually(() => a.q.list().length === 1, 1_000);
      expect(a.q.release('up', 'pinned-model', 'ops')).toBeDefined();
      await eventually(() => b.q.list().length === 0, 1_000);
      expect(await db.hlen(`${prefix}identity:up:pinned:model`)).toBe(0);
      // A replica starting now takes the new model as the reference.
      const c = replica(prefix);
      await c.l.start();
      expect(c.see('pinned-model', 'model-new').mismatch).toBe(false);
      expect(b.see('pinned-model', 'model-new').mismatch).toBe(false);
    });

    it('a flood of announced quarantines this replica could never enter holds nothing', async () => {
      const prefix = fresh();
      const a = replica(prefix);
      await a.l.start();
      const announce = (upstream: string, model: string) =>
        db.publish(
          `${prefix}quarantine:changes`,
          JSON.stringify({
            from: 'elsewhere',
            op: 'enter',
            entry: { upstream, model, reason: 'identity_mismatch', since: 1, action: 'block' },
          }),
        );
      const p = db.pipeline();
      for (let i = 0; i < 5_000; i++) {
        p.publish(
          `${prefix}quarantine:changes`,
          JSON.stringify({
            from: 'elsewhere',
            op: 'enter',
            entry: { upstream: 'up', model: `junk-${i}`, reason: 'identity_mismatch', since: 1 },
          }),
        );
      }
      await p.exec();
      await announce('not-configured', 'pinned-model');
      // A label this replica has is held (Redis is trusted like the configuration) once Redis
      // holds it: an announcement is read back from the stored state.
      const k = `${prefix}quarantine:up:pinned-model`;
      await db.hset(k, { upstream: 'up', model: 'pinned-model', reason: 'identity_mismatch' });
      await db.sadd(`${prefix}quarantine`, k);
      await announce('up', 'pinned-model');
      await eventually(() => a.q.list().length === 1, 2_000);
      expect(a.q.list().map((e) => `${e.upstream}/${e.model}`)).toEqual(['up/pinned-model']);
    });

    it('hostile stored values (too long, not bounded) are ignored', async () => {
      const prefix = fresh();
      await db.hset(`${prefix}identity:up:other:model`, 'client-model', `=${'x'.repeat(10_000)}`);
      await db.hset(`${prefix}identity:up:other:model`, 'y'.repeat(5_000), '=model');
      await db.hset(`${prefix}identity:up:pinned:model`, 'not-pinned-here', '=model');
      const a = replica(prefix);
      await a.l.start();
      expect(a.see('client-model', 'model-x').mismatch).toBe(false);
      expect(a.see('not-pinned-here', 'model-x').mismatch).toBe(false);
    });
  });

  describe('canary results and evidence', () => {
    const result = (finishedAt: number, r: CanaryResult['result'] = 'pass'): CanaryResult => ({
      id: 'red-planet',
      upstream: 'up',
      model: 'm',
      result: r,
      reasons: r === 'pass' ? [] : ['wrong answer "Venus"'],
      pValue: undefined,
      evidence: { value: 2.5, threshold: 100, completions: 10, epoch: 0, alarmed: false },
      tokens: 12,
      calls: 1,
      durationSeconds: 0.1,
      finishedAt,
    });
    /** The part of CanaryService the results part uses. */
    function service() {
      const listeners: ((r: CanaryResult) => void)[] = [];
      const adopted: CanaryResult[] = [];
      const s = {
        onResult: (fn: (r: CanaryResult) => void) => void listeners.push(fn),
        get: (id: string) => (id === 'red-planet' ? {} : undefined),
        adopt: (r: CanaryResult) => void adopted.push(r),
      };
      return {
        s: s as unknown as CanaryService,
        ran: (r: CanaryResult) => listeners.forEach((f) => f(r)),
        adopted,
      };
    }

    it('a result on the holder reaches the others, sealed; a forged one is refused', async () => {
      const prefix = fresh();
      const warnings: string[] = [];
      const [a, b] = [service(), service()];
      const la = link(prefix);
      const lb = link(prefix);
      new RedisCanaryResults(la, a.s, KEY, () => {});
      new RedisCanaryResults(lb, b.s, KEY, (m) => warnings.push(m));
      await Promise.all([la.start(), lb.start()]);
      a.ran(result(1_000, 'fail'));
      await eventually(() => b.adopted.length === 1, 1_000);
      expect(b.adopted[0]).toEqual(result(1_000, 'fail'));
      // Someone with access to Redis rewrites it as a pass: not signed with the key.
      const raw = JSON.parse((await db.hget(`${prefix}canary:results`, 'red-planet'))!) as Record<
        string,
        unknown
      >;
      await db.hset(
        `${prefix}canary:results`,
        'red-planet',
        JSON.stringify({ ...raw, result: 'pass' }),
      );
      await db.publish(
        `${prefix}canary:results:changes`,
        JSON.stringify({ from: 'x', id: 'red-planet' }),
      );
      await eventually(() => warnings.length === 1, 1_000);
      expect(warnings[0]).toMatch(/red-planet.*does not match its sha256.*ignored/);
      expect(b.adopted).toHaveLength(1);
      // Numbers JSON cannot carry travel too, and so does where the evidence alarmed.
      const wild = {
        ...result(2_000),
        evidence: {
          ...result(2_000).evidence!,
          value: Infinity,
          alarm: { value: 180.5, threshold: 164.5, completions: 40 },
        },
      };
      a.ran(wild);
      await eventually(() => b.adopted.length === 2, 1_000);
      expect(b.adopted[1]?.evidence?.value).toBe(Infinity);
      // A late joiner loads the stored results at start.
      const c = service();
      const lc = link(prefix);
      new RedisCanaryResults(lc, c.s, KEY, () => {});
      await lc.start();
      expect(c.adopted.at(-1)).toEqual(wild);
    });

    it('evidence saved by the holder is what the next holder reads; tampering is refused', async () => {
      const prefix = fresh();
      const state: ConformalState = {
        epoch: 0,
        observed: 3,
        alarmed: true,
        logHist: 0.5,
        logs: [0.1, 0.2],
        hist: [1, 2, 3],
        seen: [['mars', 3]],
        alarm: { evidence: 170, threshold: 164.5, observed: 2 },
      } as unknown as ConformalState;
      const la = link(prefix);
      const lb = link(prefix);
      const warnings: string[] = [];
      const a = new RedisEvidenceStore(la, KEY, () => {});
      const b = new RedisEvidenceStore(lb, KEY, (m) => warnings.push(m));
      await Promise.all([la.start(), lb.start()]);
      a.save('seq', 'digest-1', state);
      await eventually(
        async () => (await db.hexists(`${prefix}canary:evidence`, 'seq')) === 1,
        1_000,
      );
      expect(b.load('seq', 'digest-1')).toBeUndefined();
      await b.refresh();
      expect(b.load('seq', 'digest-1')).toEqual(state);
      expect(b.load('seq', 'digest-2')).toBeUndefined();
      const raw = JSON.parse((await db.hget(`${prefix}canary:evidence`, 'seq'))!) as {
        state: ConformalState;
      };
      await db.hset(
        `${prefix}canary:evidence`,
        'seq',
        JSON.stringify({ ...raw, state: { ...raw.state, alarmed: false } }),
      );
      const c = new RedisEvidenceStore(link(prefix), KEY, (m) => warnings.push(m));
      await links.at(-1)!.start();
      expect(c.load('seq', 'digest-1')).toBeUndefined();
      expect(warnings.join('\n')).toMatch(/evidence "seq" content does not match its sha256/);
    });
  });

  describe('the canary lease', () => {
    function replica(prefix: string, ttlMs: number) {
      const l = link(prefix);
      const changes: LeaseState[] = [];
      const lease = new CanaryLease(l, { ttlMs, onChange: (_runs, s) => void changes.push(s) });
      return { l, lease, changes };
    }
    const running = (rs: { lease: CanaryLease }[]) =>
      rs.filter((r) => r.lease.current() !== 'follower').length;

    it('its time to live is half the shortest interval, within 1–15 s', () => {
      expect(leaseTtl([600_000])).toBe(15_000);
      expect(leaseTtl([10_000, 60_000])).toBe(5_000);
      expect(leaseTtl([500])).toBe(1_000);
      expect(leaseTtl([])).toBe(15_000);
    });

    it('one holder; a shutdown hands it over at once; a dead holder within ttl + a third', async () => {
      const prefix = fresh();
      const ttl = 600;
      const rs = [0, 1, 2].map(() => replica(prefix, ttl));
      await Promise.all(rs.map((r) => r.l.start()));
      rs.forEach((r) => r.lease.start());
      await eventually(() => running(rs) === 1, 2_000);
      // Stays one over several renewals.
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, ttl / 5));
        expect(running(rs)).toBe(1);
      }
      const first = rs.find((r) => r.lease.current() === 'held')!;
      expect(await first.lease.holder()).toBe(first.l.id);
      // A graceful shutdown gives the lease up.
      const t0 = performance.now();
      await first.l.close();
      const rest = rs.filter((r) => r !== first);
      await eventually(() => running(rest) === 1, ttl);
      const handover = performance.now() - t0;
      // A holder that stops renewing (dies) is replaced when the lease expires.
      const second = rest.find((r) => r.lease.current() === 'held')!;
      const last = rest.find((r) => r !== second)!;
      const t1 = performance.now();
      clearInterval((second.lease as unknown as { timer: NodeJS.Timeout }).timer);
      await eventually(() => last.lease.current() === 'held', (ttl * 4) / 3 + 300);
      const takeover = performance.now() - t1;
      // The paused one still believes it holds the lease, but may not start a run.
      expect(second.lease.current()).toBe('held');
      expect(second.lease.mayRun()).toBe(false);
      expect(last.lease.mayRun()).toBe(true);
      console.info(
        `canary lease (ttl ${ttl} ms): handed over on shutdown in ${handover.toFixed(0)} ms, taken over from a dead holder in ${takeover.toFixed(0)} ms`,
      );
    });

    it('Redis away for a lease: every replica runs the canaries itself; back: one again', async () => {
      const prefix = fresh();
      const ttl = 400;
      const rs = [0, 1, 2].map(() => replica(prefix, ttl));
      await Promise.all(rs.map((r) => r.l.start()));
      rs.forEach((r) => r.lease.start());
      await eventually(() => running(rs) === 1, 2_000);
      await redis.stop();
      try {
        await eventually(() => rs.every((r) => r.lease.current() === 'standalone'), 5_000);
      } finally {
        await redis.restart();
      }
      await eventually(
        () => running(rs) === 1 && rs.every((r) => r.lease.current() !== 'standalone'),
        10_000,
      );
      expect(rs.flatMap((r) => r.changes)).toContain('standalone');
    });
  });
});
