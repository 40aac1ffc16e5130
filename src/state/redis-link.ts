/**
 * One replica's connection to the shared state in Redis: a command connection and a subscriber,
 * whether both are up, and the parts of the state that ride on them (quarantine, identities,
 * canaries). Each part owns its keys and its channel; the link delivers other replicas'
 * announcements to it and asks it to converge on the stored state (`sync`) on start, on every
 * reconnect (once subscribed, then again 250 and 750 ms later, since replicas come back in any
 * order) and every `resyncMs`. Commands fail at once while Redis is away (parts keep what they
 * must write); ioredis reconnects with backoff capped at 2 s.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';

export interface RedisLinkOptions {
  url: string;
  keyPrefix: string;
  /** Called when the backend comes up (true) or is lost (false). */
  onUp?: (up: boolean, error?: string) => void;
  /** Full resynchronisation period, ms (default 15 s); reconnects resynchronise at once. */
  resyncMs?: number;
}

export interface LinkPart {
  /** The channel (under the key prefix) this part's announcements travel on. */
  readonly channel?: string;
  /** Another replica's announcement on `channel` (parsed JSON; own announcements are skipped). */
  message?(msg: Record<string, unknown>): void;
  /** Writes what this replica changed meanwhile, then converges on the stored state. */
  sync?(): Promise<void>;
  /** The connection came up (true) or was lost (false). */
  upChanged?(up: boolean): void;
  /** Called by `RedisLink.close` while the connection is still open. */
  close?(): Promise<void>;
}

/** The longest announcement read (characters). */
const MAX_ANNOUNCEMENT = 16_384;

/** A command unanswered this long: Redis is treated as lost (ms). */
export const HUNG_MS = 2_000;

export class RedisLink {
  readonly cmd: Redis;
  private readonly sub: Redis;
  /** This replica's id in announcements and the canary lease: host (the pod), pid, random. */
  readonly id = `${hostname().slice(0, 64)}-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly parts: LinkPart[] = [];
  private up = false;
  private syncing: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private pinging = false;
  /** The last heartbeat went unanswered: down until a connection is ready again. */
  private hung = false;
  private closed = false;

  constructor(private readonly opts: RedisLinkOptions) {
    const common = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2_000,
      // A Redis that hangs (stopped, or a host gone silent) closes no connection: commands
      // fail after this instead of waiting for ever, and the heartbeat below drops the link.
      commandTimeout: HUNG_MS,
      retryStrategy: (times: number) => Math.min(50 * 2 ** times, 2_000),
    };
    this.cmd = new Redis(opts.url, common);
    this.sub = new Redis(opts.url, { ...common, enableOfflineQueue: true });
    for (const c of [this.cmd, this.sub]) {
      c.on('ready', () => {
        this.hung = false;
        this.changed();
      });
      c.on('close', () => this.changed());
      c.on('error', (e: Error) => this.changed(e.message));
    }
    this.sub.on('message', (ch: string, msg: string) => this.message(ch, msg));
  }

  /** A key under the configured prefix. */
  key(...parts: string[]): string {
    return this.opts.keyPrefix + parts.join(':');
  }

  /** Adds a part; before `start`. */
  attach(part: LinkPart): void {
    this.parts.push(part);
  }

  /** Whether both connections are up (what `coalmine_state_backend_up` reports). */
  isUp(): boolean {
    return this.up;
  }

  /** An announcement for other replicas (to add to a MULTI): this replica's id, then `body`. */
  announcement(body: Record<string, unknown>): string {
    return JSON.stringify({ from: this.id, ...body });
  }

  /** Subscribes to every part's channel. */
  private async subscribe(): Promise<void> {
    const channels = this.parts.flatMap((p) => (p.channel ? [this.key(p.channel)] : []));
    if (channels.length) await this.sub.subscribe(...channels);
  }

  /**
   * Connects, subscribes and lets every part converge on the stored state. Resolves true once
   * done, or false if Redis did not answer within `timeoutMs` (it keeps trying meanwhile).
   */
  async start(timeoutMs = 3_000): Promise<boolean> {
    this.timer = setInterval(() => void this.sync(), this.opts.resyncMs ?? 15_000);
    this.timer.unref();
    this.heartbeat = setInterval(() => void this.ping(), HUNG_MS / 2);
    this.heartbeat.unref();
    const ready = (async () => {
      await Promise.all([this.cmd.connect(), this.sub.connect()]);
      await this.subscribe();
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

  /**
   * A ready connection whose Redis stopped answering is dropped (and reconnects): the link is
   * then down, as with a closed connection, until Redis answers again.
   */
  private async ping(): Promise<void> {
    if (this.pinging || this.closed || this.cmd.status !== 'ready') return;
    this.pinging = true;
    try {
      // Twice: a replica itself paused (SIGSTOP, a long stall) finds its command overdue when it
      // wakes, before it reads the answer waiting for it; a second one tells the two apart.
      await this.cmd.ping().catch(() => this.cmd.ping());
    } catch {
      if (!this.closed && this.cmd.status === 'ready') {
        this.hung = true;
        this.changed(`Redis did not answer within ${HUNG_MS} ms`);
        this.cmd.disconnect(true);
        this.sub.disconnect(true);
      }
    } finally {
      this.pinging = false;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.heartbeat);
    for (const p of this.parts) await p.close?.().catch(() => {});
    this.closed = true;
    await this.syncing?.catch(() => {});
    this.cmd.disconnect();
    this.sub.disconnect();
  }

  private changed(error?: string): void {
    const up = this.cmd.status === 'ready' && this.sub.status === 'ready' && !this.hung;
    if (up === this.up || this.closed) return;
    this.up = up;
    this.opts.onUp?.(up, error);
    for (const p of this.parts) p.upChanged?.(up);
    // Back: converge once the subscription is confirmed, so that every change is either loaded
    // or received; a change published while another replica's subscription was being restored
    // is seen by its next load.
    if (up) {
      void this.subscribe()
        .then(() => this.sync())
        .catch(() => {});
      for (const ms of [250, 750]) setTimeout(() => void this.sync(), ms).unref();
    }
  }

  /** Lets every part write and converge; concurrent calls coalesce into one more pass. */
  sync(): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      do {
        this.again = false;
        for (const p of this.parts) {
          if (this.cmd.status !== 'ready') return;
          try {
            await p.sync?.();
          } catch {
            // Redis went away mid-way: the reconnect resynchronises.
          }
        }
      } while (this.again && !this.closed);
    })().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private message(channel: string, raw: string): void {
    // Announcements are a few hundred bytes; anything much larger is not one of ours.
    if (raw.length > MAX_ANNOUNCEMENT) return;
    let m: unknown;
    try {
      m = JSON.parse(raw);
    } catch {
      return;
    }
    if (typeof m !== 'object' || m === null || Array.isArray(m)) return;
    const msg = m as Record<string, unknown>;
    if (msg['from'] === this.id) return;
    for (const p of this.parts)
      if (p.channel && this.key(p.channel) === channel)
        try {
          p.message?.(msg);
        } catch {
          // A malformed announcement (anyone who can PUBLISH) is ignored: thrown here, it would
          // leave ioredis's socket handler and end the process.
        }
  }
}

/**
 * `fn` run one at a time: a call while it runs asks for one more pass after it and shares its
 * promise. A flush walks everything pending; without this, each of N changes queued within one
 * round trip would start a walk of its own (N²/2 writes for N client-chosen model names).
 */
export function oneAtATime(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await fn();
      } while (again);
    })().finally(() => (running = undefined));
    return running;
  };
}

/**
 * Reads prompted by announcements, one in flight per key: an announcement about a key whose read
 * is under way asks for one more read after it (with its own `read`), however many arrive. A
 * flood of PUBLISHes (100,000 about one canary, identity or quarantine entry) costs a parse each
 * and reads by the round trip, instead of a read each (which stalled live traffic 2–4 s and
 * grew the heap by hundreds of MB). Announcements about many keys (client-chosen model names)
 * are read `maxInFlight` at a time; past `maxWaiting` keys waiting, an announcement is dropped:
 * announcements are news, and the stored state is read again at the next load (or, for an
 * identity, when this replica next sees that name).
 */
export function readPerKey(
  maxInFlight = 32,
  maxWaiting = 1_000,
): (key: string, read: () => Promise<void>) => void {
  /** Keys being read, with the read to run once it is done (another announcement came). */
  const running = new Map<string, (() => Promise<void>) | undefined>();
  const waiting = new Map<string, () => Promise<void>>();
  const start = (key: string, read: () => Promise<void>): void => {
    running.set(key, undefined);
    void read()
      .catch(() => {})
      .finally(() => {
        const next = running.get(key);
        running.delete(key);
        if (next) go(key, next);
        for (const [k, r] of waiting) {
          if (running.size >= maxInFlight) break;
          waiting.delete(k);
          start(k, r);
        }
      });
  };
  const go = (key: string, read: () => Promise<void>): void => {
    if (running.has(key)) running.set(key, read);
    else if (waiting.has(key)) waiting.set(key, read);
    else if (running.size < maxInFlight) start(key, read);
    else if (waiting.size < maxWaiting) waiting.set(key, read);
  };
  return go;
}
