/**
 * The quarantine shared through Redis (a part of `RedisLink`). The stored state is the truth:
 * one hash per entry (`<prefix>quarantine:<upstream>:<model>`) and a set indexing them
 * (`<prefix>quarantine`). Each change is written and published (`<prefix>quarantine:changes`) in
 * one MULTI, so other replicas apply it within a round trip; on every link sync (start,
 * reconnect, every 15 s) each replica writes what it changed while Redis was away, then loads
 * the stored state and converges on it.
 */
import { randomBytes } from 'node:crypto';
import type { ChainableCommander } from 'ioredis';
import type { QuarantineStore } from '../canary/quarantine-store.js';
import type {
  Quarantine,
  QuarantineAction,
  QuarantineEntry,
  QuarantineEvent,
} from '../canary/quarantine.js';
import { oneAtATime, readPerKey, type LinkPart, type RedisLink } from './redis-link.js';

/** Adds to a release's MULTI what else a release clears (the released model's identities). */
export type ReleaseHook = (m: ChainableCommander, upstream: string, model: string) => void;

type Op =
  | { op: 'enter'; entry: StoredEntry }
  | { op: 'release'; upstream: string; model: string; by: string | undefined };

interface StoredEntry {
  upstream: string;
  model: string;
  reason: QuarantineEvent;
  canary: string | undefined;
  since: number;
  action: QuarantineAction;
}

const REASONS: readonly string[] = [
  'canary_failure',
  'canary_blocked',
  'identity_mismatch',
  'fingerprint_change',
];
const ACTIONS: readonly string[] = ['block', 'flag', 'serve'];

const validTime = (t: number) => Number.isFinite(t) && t !== 0 && Math.abs(t) <= 8.64e15;

function parseEntry(h: Record<string, string>): StoredEntry | undefined {
  const { upstream, model, reason, canary, since, action } = h;
  if (!upstream || model === undefined || !reason || !REASONS.includes(reason)) return undefined;
  return {
    upstream,
    model,
    reason: reason as QuarantineEvent,
    canary: canary || undefined,
    // A time a Date can hold (±8.64e15 ms): one out of range broke every view of the quarantine.
    since: validTime(Number(since)) ? Number(since) : Date.now(),
    action: (action && ACTIONS.includes(action) ? action : 'serve') as QuarantineAction,
  };
}

const enterOp = (entry: QuarantineEntry): Op => {
  const { upstream, model, reason, canary, since, action } = entry;
  return {
    op: 'enter',
    entry: { upstream, model, reason, canary, since: since.getTime(), action },
  };
};

export class RedisQuarantineStore implements QuarantineStore, LinkPart {
  readonly channel = 'quarantine:changes';
  /** This replica's changes not yet written, by entry key (the last change wins). */
  private readonly pending = new Map<string, Op>();
  private readonly index: string;
  private readonly hooks: ReleaseHook[] = [];
  /** The stored state's generation as last seen here (`<prefix>quarantine:epoch`). */
  private epoch: string | undefined;
  /**
   * Entries announced while a load is under way (from its SMEMBERS to applying it): the
   * announcement is newer than what the load read, so the load leaves them as they are.
   */
  private announced: Set<string> | undefined;
  private readonly read = readPerKey();

  constructor(
    private readonly link: RedisLink,
    private readonly quarantine: Quarantine,
  ) {
    this.index = link.key('quarantine');
    link.attach(this);
    quarantine.share(this);
  }

  /** Clears more on every release this replica makes, in the same MULTI. */
  onRelease(hook: ReleaseHook): void {
    this.hooks.push(hook);
  }

  entered(entry: QuarantineEntry): void {
    this.queue(enterOp(entry));
  }

  released(upstream: string, model: string, by: string | undefined): void {
    this.queue({ op: 'release', upstream, model, by });
  }

  private key(upstream: string, model: string): string {
    return this.link.key('quarantine', upstream, model);
  }

  private queue(op: Op): void {
    const e = op.op === 'enter' ? op.entry : op;
    this.pending.set(this.key(e.upstream, e.model), op);
    void this.flush().catch(() => {});
  }

  /** Writes this replica's pending changes, each with its announcement, in one MULTI. */
  private readonly flush = oneAtATime(() => this.write());

  private async write(): Promise<void> {
    const cmd = this.link.cmd;
    for (const [k, op] of [...this.pending]) {
      if (cmd.status !== 'ready') return;
      if (this.pending.get(k) !== op) continue;
      const m = cmd.multi();
      if (op.op === 'enter') {
        const e = op.entry;
        m.hset(k, {
          upstream: e.upstream,
          model: e.model,
          reason: e.reason,
          canary: e.canary ?? '',
          since: String(e.since),
          action: e.action,
        });
        m.sadd(this.index, k);
      } else {
        m.del(k);
        m.srem(this.index, k);
        for (const h of this.hooks) h(m, op.upstream, op.model);
      }
      m.publish(this.link.key(this.channel), this.link.announcement(op));
      const res = await m.exec();
      if (!res || res.some(([err]) => err)) return;
      if (this.pending.get(k) === op) this.pending.delete(k);
    }
  }

  /** Writes pending changes, then loads the stored state and converges on it. */
  async sync(): Promise<void> {
    await this.checkEpoch();
    await this.flush();
    const announced = new Set<string>();
    this.announced = announced;
    try {
      await this.load(announced);
    } finally {
      this.announced = undefined;
    }
  }

  private async load(announced: ReadonlySet<string>): Promise<void> {
    const q = this.quarantine;
    const cmd = this.link.cmd;
    const keys = await cmd.smembers(this.index);
    const p = cmd.pipeline();
    for (const k of keys) p.hgetall(k);
    const res = (await p.exec()) ?? [];
    const stored = new Map<string, StoredEntry>();
    const gone: string[] = [];
    res.forEach(([err, h], i) => {
      const k = keys[i];
      if (err || k === undefined) return;
      const e = parseEntry(h as Record<string, string>);
      if (e) stored.set(k, e);
      else gone.push(k);
    });
    if (gone.length) await cmd.srem(this.index, ...gone);
    for (const e of stored.values()) {
      const k = this.key(e.upstream, e.model);
      if (!this.pending.has(k) && !announced.has(k)) this.apply(e);
    }
    for (const e of q.list()) {
      const k = this.key(e.upstream, e.model);
      if (!stored.has(k) && !this.pending.has(k) && !announced.has(k)) q.drop(e.upstream, e.model);
    }
  }

  /**
   * A Redis that comes back without the stored state (restarted without persistence, flushed,
   * evicted) must not release what the replicas hold: the stored state carries a generation
   * marker, and a replica that finds it missing or new writes back every entry it holds before
   * it loads. Releases go through the admin API, never through losing the store.
   */
  private async checkEpoch(): Promise<void> {
    const key = this.link.key('quarantine', 'epoch');
    let stored = await this.link.cmd.get(key);
    if (stored !== null && stored === this.epoch) return;
    if (stored === null || this.epoch !== undefined) {
      // What was released here meanwhile cannot be told from what was never stored: holding is
      // the safe side, so such a release is dropped (release again once Redis is back).
      for (const [k, op] of [...this.pending]) if (op.op === 'release') this.pending.delete(k);
      for (const e of this.quarantine.list()) {
        const k = this.key(e.upstream, e.model);
        if (!this.pending.has(k)) this.pending.set(k, enterOp(e));
      }
    }
    if (stored === null) {
      await this.link.cmd.set(key, randomBytes(8).toString('hex'), 'NX');
      stored = await this.link.cmd.get(key);
    }
    this.epoch = stored ?? undefined;
  }

  private apply(e: StoredEntry): void {
    this.quarantine.adopt({ ...e, since: new Date(e.since) });
  }

  /**
   * Another replica's change: news of which entry changed, not the change itself. The entry is
   * read back and the stored state applied (the stored state is the truth): an announcement no
   * MULTI wrote (a PUBLISH alone) neither releases a held model on one replica while Redis and
   * the others still hold it, nor holds one Redis does not.
   */
  message(msg: Record<string, unknown>): void {
    const entry = msg['entry'];
    const about = (typeof entry === 'object' && entry !== null ? entry : msg) as Record<
      string,
      unknown
    >;
    const { upstream: u, model: m } = about;
    if (typeof u !== 'string' || typeof m !== 'string') return;
    const k = this.key(u, m);
    // What this replica could never hold costs no round trip (a flood of announced junk), and is
    // not remembered for the load under way either.
    if (!this.quarantine.concerns(u, m)) return;
    if (this.announced) this.announced.add(k);
    const by = typeof msg['by'] === 'string' ? msg['by'] : undefined;
    const release = msg['op'] === 'release';
    this.read(k, () =>
      this.link.cmd.hgetall(k).then((h) => {
        if (this.pending.has(k)) return;
        const e = parseEntry(h);
        if (e && e.upstream === u && e.model === m) this.apply(e);
        else if (!e && release) this.quarantine.drop(u, m, by);
      }),
    );
  }
}
