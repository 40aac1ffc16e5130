/**
 * What the canaries know, shared through Redis (parts of `RedisLink`), so that whichever replica
 * holds the canary lease carries on where the last holder stopped and every replica shows the
 * same results:
 * - `RedisCanaryResults`: each canary's last result (`<prefix>canary:results`, one field per
 *   canary), announced on `<prefix>canary:results:changes`; other replicas adopt it (shown, not
 *   counted again, not acted on: the holder quarantines, and the quarantine is shared).
 * - `RedisEvidenceStore`: sequential canaries' evidence (`<prefix>canary:evidence`), written
 *   after every run and read by a replica when it takes the lease.
 * Both are sealed like baseline files (SHA-256, and an HMAC with `canary.hmac_key`): an entry
 * that does not verify is ignored and reported, never trusted.
 */
import { z } from 'zod';
import { seal, sealProblem } from '../canary/baseline.js';
import type { ConformalState } from '../canary/conformal.js';
import { isConformalState, MemoryEvidenceStore } from '../canary/evidence.js';
import type { CanaryResult } from '../canary/runner.js';
import type { CanaryService } from '../canary/service.js';
import { oneAtATime, readPerKey, type LinkPart, type RedisLink } from './redis-link.js';

/** Numbers as stored: JSON has no Infinity or NaN, so those are written as strings. */
const finite = z.union([z.number(), z.enum(['Infinity', '-Infinity', 'NaN']).transform(Number)]);
const wire = (v: object): object =>
  JSON.parse(
    JSON.stringify(v, (_k, x: unknown) =>
      typeof x === 'number' && !Number.isFinite(x) ? String(x) : x,
    ),
  ) as object;
const resultSchema = z.strictObject({
  id: z.string().max(200),
  upstream: z.string().max(200),
  model: z.string().max(300),
  result: z.enum(['pass', 'fail', 'error', 'blocked']),
  reasons: z.array(z.string().max(2_000)).max(20),
  pValue: finite.optional(),
  evidence: z
    .strictObject({
      value: finite,
      threshold: finite,
      completions: z.number().int().nonnegative(),
      epoch: z.number().int().nonnegative(),
      alarmed: z.boolean(),
      alarm: z
        .strictObject({
          value: finite,
          threshold: finite,
          completions: z.number().int().nonnegative(),
        })
        .optional(),
    })
    .optional(),
  tokens: z.number().int().nonnegative(),
  calls: z.number().int().nonnegative(),
  durationSeconds: finite,
  // A time a Date can hold: the status page and admin API show it as one.
  finishedAt: z.number().min(0).max(8.64e15),
});

/** Reads one sealed entry: its content, or why it is not trusted. */
function unseal(
  raw: string,
  key: string | undefined,
): { content: Record<string, unknown> } | { problem: string } {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return { problem: 'is not JSON' };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { problem: 'is malformed' };
  const { sha256, hmac_sha256, ...content } = v as Record<string, unknown>;
  const problem = sealProblem(content, { sha256, hmac_sha256 }, key);
  return problem ? { problem } : { content };
}

export class RedisCanaryResults implements LinkPart {
  readonly channel = 'canary:results:changes';
  private readonly hash: string;
  private readonly pending = new Map<string, CanaryResult>();
  private readonly read = readPerKey();

  constructor(
    private readonly link: RedisLink,
    private readonly service: CanaryService,
    private readonly key: string | undefined,
    private readonly warn: (message: string) => void,
  ) {
    this.hash = link.key('canary', 'results');
    link.attach(this);
    service.onResult((r) => {
      this.pending.set(r.id, r);
      void this.flush().catch(() => {});
    });
  }

  private readonly flush = oneAtATime(() => this.write());

  private async write(): Promise<void> {
    for (const [id, r] of [...this.pending]) {
      if (this.link.cmd.status !== 'ready') return;
      if (this.pending.get(id) !== r) continue;
      const stored = JSON.stringify(seal(wire(r), this.key));
      await this.link.cmd
        .multi()
        .hset(this.hash, id, stored)
        .publish(this.link.key(this.channel), this.link.announcement({ id }))
        .exec();
      if (this.pending.get(id) === r) this.pending.delete(id);
    }
  }

  private adopt(id: string, raw: string | null): void {
    if (raw === null || !this.service.get(id)) return;
    const u = unseal(raw, this.key);
    const parsed = 'content' in u ? resultSchema.safeParse(u.content) : undefined;
    if (!parsed?.success || parsed.data.id !== id) {
      this.warn(
        `shared canary result "${id}" ${'problem' in u ? u.problem : 'is malformed'}; ignored`,
      );
      return;
    }
    const r = parsed.data;
    this.service.adopt({ ...r, pValue: r.pValue, evidence: r.evidence });
  }

  /** Writes this replica's results not yet written, then loads every stored one. */
  async sync(): Promise<void> {
    await this.flush();
    const all = await this.link.cmd.hgetall(this.hash);
    for (const [id, raw] of Object.entries(all)) this.adopt(id, raw);
  }

  message(msg: Record<string, unknown>): void {
    const id = msg['id'];
    if (typeof id !== 'string' || !this.service.get(id)) return;
    this.read(id, () => this.link.cmd.hget(this.hash, id).then((raw) => this.adopt(id, raw)));
  }
}

/**
 * Sequential evidence in Redis. Runs read and write the copy in memory (a run never waits for
 * Redis); each save is written behind it, and `refresh` (on taking the canary lease) replaces
 * the copy with what the last holder wrote.
 */
export class RedisEvidenceStore extends MemoryEvidenceStore implements LinkPart {
  private readonly hash: string;
  private readonly pending = new Set<string>();
  private loaded = false;

  constructor(
    private readonly link: RedisLink,
    private readonly key: string | undefined,
    private readonly warn: (message: string) => void,
  ) {
    super();
    this.hash = link.key('canary', 'evidence');
    link.attach(this);
  }

  override save(canary: string, digest: string, state: ConformalState): void {
    super.save(canary, digest, state);
    this.pending.add(canary);
    void this.flush().catch(() => {});
  }

  private readonly flush = oneAtATime(() => this.write());

  private async write(): Promise<void> {
    for (const canary of [...this.pending]) {
      if (this.link.cmd.status !== 'ready') return;
      const e = this.entries.get(canary);
      this.pending.delete(canary);
      if (!e) continue;
      try {
        await this.link.cmd.hset(
          this.hash,
          canary,
          JSON.stringify(seal({ canary, digest: e.digest, state: e.state }, this.key)),
        );
      } catch (err) {
        this.pending.add(canary);
        throw err;
      }
    }
  }

  /** Writes what is not written yet; the first time (start-up), reads the stored evidence. */
  async sync(): Promise<void> {
    if (this.loaded) return this.flush();
    await this.refresh();
    this.loaded = true;
  }

  /** Replaces the evidence in memory with the stored evidence (entries not yet written stay). */
  async refresh(): Promise<void> {
    await this.flush();
    const all = await this.link.cmd.hgetall(this.hash);
    for (const [canary, raw] of Object.entries(all)) {
      if (this.pending.has(canary)) continue;
      const u = unseal(raw, this.key);
      const c = 'content' in u ? u.content : undefined;
      if (
        !c ||
        c['canary'] !== canary ||
        typeof c['digest'] !== 'string' ||
        !isConformalState(c['state'])
      ) {
        this.warn(
          `shared canary evidence "${canary}" ${'problem' in u ? u.problem : 'is malformed'}; starting afresh`,
        );
        continue;
      }
      this.entries.set(canary, { digest: c['digest'], state: c['state'] });
    }
  }
}
