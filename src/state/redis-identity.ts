/**
 * Model identities shared through Redis (a part of `RedisLink`): the model first seen for each
 * requested model and the latest fingerprint, so that a replica started after a swap still
 * compares with what the fleet saw first. Per upstream, four hashes:
 * `<prefix>identity:<upstream>:{pinned,other}:{model,fingerprint}` (pinned: configured and
 * canaried models; other: client-chosen names, `bounded`). Values are stored as `=<value>`; an
 * absent field is an unknown value.
 *
 * The first model seen is kept by whoever wrote it first (HSETNX, in one script with the
 * announcement): a replica that saw another first adopts the stored one, and its next response
 * is compared with it. Client-chosen names are capped at `maxOther` per upstream in Redis
 * (past that, new names stay in the replica that saw them). A release made here clears the
 * released model's identities in the release's own MULTI (`releaseHook`).
 */
import type { ChainableCommander, Redis } from 'ioredis';
import type { IdentityShare, IdentityTracker, SeenIdentity } from '../canary/identity.js';
import { oneAtATime, readPerKey, type LinkPart, type RedisLink } from './redis-link.js';

/** Client-chosen names kept in Redis per upstream (the in-process store keeps 10,000 too). */
export const MAX_SHARED_OTHER = 10_000;

interface Change {
  upstream: string;
  pinned: boolean;
  name: string;
  v: SeenIdentity;
}

// KEYS: the model hash, the fingerprint hash, the channel.
// ARGV: field, `=model` or '', `=fingerprint` or '', cap (0: none), announcement.
const SEEN_SCRIPT = `
local f = ARGV[1]
local cap = tonumber(ARGV[4])
if cap > 0 and redis.call('HEXISTS', KEYS[1], f) == 0 and redis.call('HEXISTS', KEYS[2], f) == 0
  and (redis.call('HLEN', KEYS[1]) >= cap or redis.call('HLEN', KEYS[2]) >= cap) then
  return 0
end
if ARGV[2] ~= '' then redis.call('HSETNX', KEYS[1], f, ARGV[2]) end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], f, ARGV[3]) end
redis.call('PUBLISH', KEYS[3], ARGV[5])
return {redis.call('HGET', KEYS[1], f) or '', redis.call('HGET', KEYS[2], f) or ''}
`;

type SeenCommand = (
  model: string,
  fingerprint: string,
  channel: string,
  field: string,
  modelValue: string,
  fingerprintValue: string,
  cap: number,
  announcement: string,
) => Promise<0 | [string, string]>;

/** A change's key in the queue of changes not yet written. */
const pendingKey = (upstream: string, pinned: boolean, name: string) =>
  `${upstream}\u0000${pinned ? 'p' : 'o'}\u0000${name}`;

const encode = (s: string | undefined) => (s === undefined ? '' : `=${s}`);
const decode = (s: string | null | undefined) =>
  s !== null && s !== undefined && s.startsWith('=') ? s.slice(1) : undefined;

export class RedisIdentityShare implements IdentityShare, LinkPart {
  readonly channel = 'identity:changes';
  /** Changes not yet written (Redis away), by upstream, kind and name; the last one wins. */
  private readonly pending = new Map<string, Change>();
  private loadAll = true;
  private readonly seenCmd: SeenCommand;
  private readonly read = readPerKey();

  constructor(
    private readonly link: RedisLink,
    private readonly tracker: IdentityTracker,
    /** The configured upstreams' names: whose identities are loaded. */
    private readonly upstreams: readonly string[],
    private readonly maxOther = MAX_SHARED_OTHER,
  ) {
    const cmd = link.cmd as Redis & { coalmineSeen?: SeenCommand };
    if (!cmd.coalmineSeen) cmd.defineCommand('coalmineSeen', { numberOfKeys: 3, lua: SEEN_SCRIPT });
    this.seenCmd = (cmd.coalmineSeen as SeenCommand).bind(cmd);
    link.attach(this);
    tracker.share(this);
  }

  private hash(upstream: string, pinned: boolean, what: 'model' | 'fingerprint'): string {
    return this.link.key('identity', upstream, pinned ? 'pinned' : 'other', what);
  }

  /** Adds to a release's MULTI: forget the released model's identities everywhere. */
  readonly releaseHook = (m: ChainableCommander, upstream: string, model: string): void => {
    if (model === 'other')
      m.del(this.hash(upstream, false, 'model'), this.hash(upstream, false, 'fingerprint'));
    else {
      m.hdel(this.hash(upstream, true, 'model'), model);
      m.hdel(this.hash(upstream, true, 'fingerprint'), model);
    }
  };

  seen(upstream: string, pinned: boolean, name: string, v: SeenIdentity): void {
    const k = pendingKey(upstream, pinned, name);
    // While Redis is away, client-chosen names wait up to the cap (they stay known here).
    if (!pinned && !this.pending.has(k) && this.pending.size >= this.maxOther) return;
    this.pending.set(k, { upstream, pinned, name, v });
    void this.flush().catch(() => {});
  }

  private readonly flush = oneAtATime(() => this.write());

  private async write(): Promise<void> {
    for (const [k, c] of [...this.pending]) {
      if (this.link.cmd.status !== 'ready') return;
      if (this.pending.get(k) !== c) continue;
      const stored = await this.seenCmd(
        this.hash(c.upstream, c.pinned, 'model'),
        this.hash(c.upstream, c.pinned, 'fingerprint'),
        this.link.key(this.channel),
        c.name,
        encode(c.v.model),
        encode(c.v.fingerprint),
        c.pinned ? 0 : this.maxOther,
        this.link.announcement({ upstream: c.upstream, pinned: c.pinned, name: c.name }),
      );
      if (this.pending.get(k) === c) this.pending.delete(k);
      // What the fleet holds wins: a first model seen elsewhere first replaces this one's.
      if (stored !== 0) this.adopt(c.upstream, c.pinned, c.name, stored[0], stored[1]);
    }
  }

  private adopt(upstream: string, pinned: boolean, name: string, model: string, fp: string) {
    const v = { model: decode(model), fingerprint: decode(fp) };
    if (v.model !== undefined || v.fingerprint !== undefined)
      this.tracker.adopt(upstream, pinned, name, v);
  }

  /** Writes what changed while Redis was away; after a (re)connect, loads every identity. */
  async sync(): Promise<void> {
    await this.flush();
    if (!this.loadAll) return;
    const p = this.link.cmd.pipeline();
    const asked: [string, boolean][] = [];
    for (const u of this.upstreams)
      for (const pinned of [true, false]) {
        p.hgetall(this.hash(u, pinned, 'model'));
        p.hgetall(this.hash(u, pinned, 'fingerprint'));
        asked.push([u, pinned]);
      }
    const res = (await p.exec()) ?? [];
    asked.forEach(([u, pinned], i) => {
      const [e1, models] = res[2 * i] ?? [];
      const [e2, fps] = res[2 * i + 1] ?? [];
      if (e1 || e2) return;
      const m = (models ?? {}) as Record<string, string>;
      const f = (fps ?? {}) as Record<string, string>;
      for (const name of new Set([...Object.keys(m), ...Object.keys(f)]))
        if (!this.pending.has(pendingKey(u, pinned, name)))
          this.adopt(u, pinned, name, m[name] ?? '', f[name] ?? '');
    });
    this.loadAll = false;
  }

  upChanged(up: boolean): void {
    if (up) this.loadAll = true;
  }

  message(msg: Record<string, unknown>): void {
    const { upstream, pinned, name } = msg;
    if (typeof upstream !== 'string' || typeof pinned !== 'boolean' || typeof name !== 'string')
      return;
    if (!this.upstreams.includes(upstream)) return;
    // A pinned name not pinned here is ignored by `adopt`: no read for it.
    if (pinned && !this.tracker.pin(upstream, name)) return;
    this.read(pendingKey(upstream, pinned, name), () =>
      this.link.cmd
        .pipeline()
        .hget(this.hash(upstream, pinned, 'model'), name)
        .hget(this.hash(upstream, pinned, 'fingerprint'), name)
        .exec()
        .then((res) => {
          const [[e1, m] = [], [e2, f] = []] = res ?? [];
          if (!e1 && !e2)
            this.adopt(
              upstream,
              pinned,
              name,
              typeof m === 'string' ? m : '',
              typeof f === 'string' ? f : '',
            );
        }),
    );
  }
}
