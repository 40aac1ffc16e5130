/**
 * The quarantine shared through Redis. The stored state is the truth: one hash per entry
 * (`<prefix>quarantine:<upstream>:<model>`) and a set indexing them (`<prefix>quarantine`).
 * Each change is written and published (`<prefix>quarantine:changes`) in one MULTI, so other
 * replicas apply it within a round trip; on start, on every reconnect and every 15 s each
 * replica loads the stored state and converges on it. While Redis is away a replica keeps
 * its last state and queues its own changes; they are written (before loading) on reconnect.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { QuarantineStore } from '../canary/quarantine-store.js';
import type {
  Quarantine,
  QuarantineAction,
  QuarantineEntry,
  QuarantineEvent,
} from '../canary/quarantine.js';

export interface RedisQuarantineOptions {
  url: string;
  keyPrefix: string;
  /** Called when the backend comes up (true) or is lost (false). */
  onUp?: (up: boolean, error?: string) => void;
  /** Full resynchronisation period, ms (default 15 s); reconnects resynchronise at once. */
  resyncMs?: number;
}

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

function parseEntry(h: Record<string, string>): StoredEntry | undefined {
  const { upstream, model, reason, canary, since, action } = h;
  if (!upstream || model === undefined || !reason || !REASONS.includes(reason)) return undefined;
  return {
    upstream,
    model,
    reason: reason as QuarantineEvent,
    canary: canary || undefined,
    since: Number(since) || Date.now(),
    action: (action && ACTIONS.includes(action) ? action : 'serve') as QuarantineAction,
  };
}

export class RedisQuarantineStore implements QuarantineStore {
  private readonly cmd: Redis;
  private readonly sub: Redis;
  private readonly id = randomUUID();
  /** This replica's changes not yet written, by entry key (the last change wins). */
  private readonly pending = new Map<string, Op>();
  private readonly index: string;
  private readonly channel: string;
  private quarantine: Quarantine | undefined;
  private up = false;
  private syncing: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: RedisQuarantineOptions) {
    this.index = `${opts.keyPrefix}quarantine`;
    this.channel = `${opts.keyPrefix}quarantine:changes`;
    // Commands fail at once while disconnected (changes stay in `pending`); ioredis reconnects
    // with backoff, capped at 2 s so a returning Redis is seen quickly.
    const common = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2_000,
      retryStrategy: (times: number) => Math.min(50 * 2 ** times, 2_000),
    };
    this.cmd = new Redis(opts.url, common);
    this.sub = new Redis(opts.url, { ...common, enableOfflineQueue: true });
    for (const c of [this.cmd, this.sub]) {
      c.on('ready', () => this.changed());
      c.on('close', () => this.changed());
      c.on('error', (e: Error) => this.changed(e.message));
    }
    this.sub.on('message', (_ch: string, msg: string) => this.message(msg));
  }

  /** Whether both connections are up (what `coalmine_state_backend_up` reports). */
  isUp(): boolean {
    return this.up;
  }

  /**
   * Connects, subscribes and converges `quarantine` on the stored state. Resolves true once
   * done, or false if Redis did not answer within `timeoutMs` (it keeps trying meanwhile).
   */
  async start(quarantine: Quarantine, timeoutMs = 3_000): Promise<boolean> {
    this.quarantine = quarantine;
    quarantine.share(this);
    this.timer = setInterval(() => void this.sync(), this.opts.resyncMs ?? 15_000);
    this.timer.unref();
    const ready = (async () => {
      await Promise.all([this.cmd.connect(), this.sub.connect()]);
      await this.sub.subscribe(this.channel);
      await this.sync();
      return true;
    })().catch(() => false);
    let t: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      t = setTimeout(() => resolve(false), timeoutMs);
    });
    const ok = await Promise.race([ready, late]);
    clearTimeout(t);
    return ok && this.up;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.cmd.disconnect();
    this.sub.disconnect();
    await this.syncing?.catch(() => {});
  }

  entered(entry: QuarantineEntry): void {
    const { upstream, model, reason, canary, since, action } = entry;
    this.queue({
      op: 'enter',
      entry: { upstream, model, reason, canary, since: since.getTime(), action },
    });
  }

  released(upstream: string, model: string, by: string | undefined): void {
    this.queue({ op: 'release', upstream, model, by });
  }

  private key(upstream: string, model: string): string {
    return `${this.opts.keyPrefix}quarantine:${upstream}:${model}`;
  }

  private queue(op: Op): void {
    const e = op.op === 'enter' ? op.entry : op;
    this.pending.set(this.key(e.upstream, e.model), op);
    void this.flush().catch(() => {});
  }

  private changed(error?: string): void {
    const up = this.cmd.status === 'ready' && this.sub.status === 'ready';
    if (up === this.up) return;
    this.up = up;
    this.opts.onUp?.(up, error);
    // Back: write what changed here meanwhile, then converge on the stored state — once the
    // subscription is confirmed, so that every change is either loaded or received.
    // Replicas come back in any order, and a change published while another's subscription
    // was being restored is seen by that replica's next load: load again shortly after.
    if (up) {
      void this.sub
        .subscribe(this.channel)
        .then(() => this.sync())
        .catch(() => {});
      for (const ms of [250, 750]) setTimeout(() => void this.sync(), ms).unref();
    }
  }

  /** Writes this replica's pending changes, each with its announcement, in one MULTI. */
  private async flush(): Promise<void> {
    for (const [k, op] of [...this.pending]) {
      if (this.cmd.status !== 'ready') return;
      const m = this.cmd.multi();
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
      }
      m.publish(this.channel, JSON.stringify({ from: this.id, ...op }));
      const res = await m.exec();
      if (!res || res.some(([err]) => err)) return;
      if (this.pending.get(k) === op) this.pending.delete(k);
    }
  }

  /** Writes pending changes, then loads the stored state and converges on it. */
  private sync(): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      do {
        this.again = false;
        try {
          await this.load();
        } catch {
          // Redis went away mid-way: the reconnect resynchronises.
        }
      } while (this.again && !this.closed);
    })().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async load(): Promise<void> {
    const q = this.quarantine;
    if (!q || this.cmd.status !== 'ready') return;
    await this.flush();
    const keys = await this.cmd.smembers(this.index);
    const p = this.cmd.pipeline();
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
    if (gone.length) await this.cmd.srem(this.index, ...gone);
    for (const e of stored.values())
      if (!this.pending.has(this.key(e.upstream, e.model))) this.apply(e);
    for (const e of q.list()) {
      const k = this.key(e.upstream, e.model);
      if (!stored.has(k) && !this.pending.has(k)) q.drop(e.upstream, e.model);
    }
  }

  private apply(e: StoredEntry): void {
    this.quarantine?.adopt({ ...e, since: new Date(e.since) });
  }

  private message(raw: string): void {
    let m: unknown;
    try {
      m = JSON.parse(raw);
    } catch {
      return;
    }
    if (typeof m !== 'object' || m === null) return;
    const msg = m as {
      from?: unknown;
      op?: unknown;
      entry?: unknown;
      upstream?: unknown;
      model?: unknown;
      by?: unknown;
    };
    if (msg.from === this.id) return;
    if (msg.op === 'enter' && typeof msg.entry === 'object' && msg.entry !== null) {
      const e = parseEntry(
        Object.fromEntries(
          Object.entries(msg.entry).map(([k, v]) => [
            k,
            v === undefined || v === null ? '' : String(v),
          ]),
        ),
      );
      if (e) this.apply(e);
    } else if (
      msg.op === 'release' &&
      typeof msg.upstream === 'string' &&
      typeof msg.model === 'string'
    ) {
      this.quarantine?.drop(
        msg.upstream,
        msg.model,
        typeof msg.by === 'string' ? msg.by : undefined,
      );
    }
  }
}
