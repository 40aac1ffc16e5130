/**
 * The canary lease (a part of `RedisLink`): one replica runs the canary schedule. The lease is
 * `<prefix>canary:lease`, holding the holder's id, taken with SET NX PX and renewed by its
 * holder every third of `ttlMs`; a holder that dies stops renewing and the lease expires, so
 * another replica takes it within `ttlMs` plus a third. The holder gives it up on shutdown.
 *
 * Without Redis the replicas cannot agree, and each one's quarantine is its own: a replica that
 * has not reached Redis for `ttlMs` runs the canaries itself (tokens are spent twice rather than
 * a swapped model going unseen), and goes back through the lease when Redis returns.
 */
import type { LinkPart, RedisLink } from './redis-link.js';

export type LeaseState = 'held' | 'standalone' | 'follower';

// KEYS: the lease. ARGV: the holder's id, the TTL (ms). 1: renewed; 0: not ours.
// A lease found missing (Redis restarted empty or flushed, or expired with nobody taking it) is
// taken back by its holder: the holder has the newest sequential evidence in memory.
const RENEW = `local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if v == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;
const GIVE_UP = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export interface LeaseOptions {
  ttlMs: number;
  /** Called when this replica starts (true) or stops (false) running the canaries. */
  onChange: (runs: boolean, state: LeaseState) => void;
}

export class CanaryLease implements LinkPart {
  private state: LeaseState = 'follower';
  private timer: NodeJS.Timeout | undefined;
  /** When the lease was last taken or renewed (ms, monotonic), while held. */
  private renewedAt = 0;
  /** Since when Redis has been unreachable (ms, monotonic); undefined while it answers. */
  private downSince: number | undefined = performance.now();
  private busy = false;
  private wasUp = false;
  /** Until when (ms, monotonic) a follower back from an outage does not try to take the lease. */
  private graceUntil = 0;
  private readonly key: string;

  constructor(
    private readonly link: RedisLink,
    private readonly opts: LeaseOptions,
  ) {
    this.key = link.key('canary', 'lease');
    link.attach(this);
  }

  /** Whether this replica runs the canaries now, and why. */
  current(): LeaseState {
    return this.state;
  }

  /**
   * Whether a run may start now: not a follower, and a holder's lease has not expired since it
   * was last renewed (a process paused past its lease, SIGSTOP or a long stall, wakes up with
   * its timers due before its renewal finds another holder).
   */
  mayRun(): boolean {
    if (this.state === 'follower') return false;
    return this.state !== 'held' || performance.now() - this.renewedAt < this.opts.ttlMs;
  }

  /** Who holds the lease, as Redis says (undefined: nobody, or Redis is away). */
  async holder(): Promise<string | undefined> {
    try {
      return (await this.link.cmd.get(this.key)) ?? undefined;
    } catch {
      return undefined;
    }
  }

  start(): void {
    const every = Math.max(50, Math.floor(this.opts.ttlMs / 3));
    this.timer = setInterval(() => void this.tick(), every);
    this.timer.unref();
    void this.tick();
  }

  upChanged(up: boolean): void {
    this.downSince = up ? undefined : performance.now();
    if (up) {
      // Back after an outage: a follower leaves the holder a lease's life to renew (or take
      // back, if Redis came back empty) before it tries to take the lease itself.
      if (this.wasUp && this.state === 'follower')
        this.graceUntil = performance.now() + this.opts.ttlMs;
      this.wasUp = true;
      void this.tick();
    }
  }

  private set(next: LeaseState): void {
    if (this.state === next) return;
    this.state = next;
    this.opts.onChange(next !== 'follower', next);
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.step();
    } finally {
      this.busy = false;
    }
  }

  private async step(): Promise<void> {
    const now = performance.now();
    const cmd = this.link.cmd;
    if (this.link.isUp()) {
      try {
        if (this.state === 'held') {
          const ok = await cmd.eval(RENEW, 1, this.key, this.link.id, this.opts.ttlMs);
          if (ok === 1) this.renewedAt = now;
          else this.set('follower');
        } else if (this.state === 'standalone' || now >= this.graceUntil) {
          const got = await cmd.set(this.key, this.link.id, 'PX', this.opts.ttlMs, 'NX');
          if (got === 'OK') {
            this.renewedAt = now;
            this.set('held');
          } else if (this.state === 'standalone') this.set('follower');
        }
      } catch {
        // Redis went away mid-way, or a command timed out (a hung Redis: the link's heartbeat
        // marks it down): the checks below apply from the next tick.
      }
      return;
    }
    // Redis is away: a holder keeps the lease until it would have expired; then, and for any
    // replica that has not reached Redis for a lease's time, this replica runs the canaries.
    if (this.state === 'held' && now - this.renewedAt < this.opts.ttlMs) return;
    if (this.state !== 'standalone' && this.downSince !== undefined) {
      if (now - this.downSince >= this.opts.ttlMs || this.state === 'held') this.set('standalone');
    }
  }

  /** Stops renewing and gives the lease up, so another replica takes it at once. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    if (this.state === 'held' && this.link.isUp())
      await this.link.cmd.eval(GIVE_UP, 1, this.key, this.link.id).catch(() => {});
    this.state = 'follower';
  }
}
