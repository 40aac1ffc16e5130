/**
 * Model identity on every response: the `model` and fingerprint an upstream reports are
 * compared with the pin configured for the requested model or, unpinned, with the first
 * values seen. State is in memory, behind `IdentityStore`, so that a shared store can take
 * over when several replicas must agree.
 *
 * The requested model comes from the client and the reported one from the upstream: both are
 * hostile. What is remembered is bounded three ways:
 * - in size: a string over `MAX_KEPT_CHARS` is kept as its SHA-256 digest (`bounded`);
 * - in count: the unpinned state is a segmented LRU of 10,000 entries (`memoryIdentityStore`),
 *   so at most 10,000 × 3 × 256 characters however hostile the traffic;
 * - by kind: pinned and canaried models (configuration) live outside the evictable store, so
 *   no amount of client traffic evicts their state.
 *
 * Replicas share what they first saw and the latest fingerprints through an `IdentityShare`
 * (`state/redis-identity.ts`): every change of a remembered identity is offered to it, and
 * what other replicas (or the stored state) hold comes back through `adopt`.
 */
import { createHash } from 'node:crypto';

export interface IdentityPin {
  /** The model the upstream must report for this requested model. */
  expect_model?: string | undefined;
  /** Acceptable system fingerprints. */
  fingerprints?: readonly string[] | undefined;
}

export interface IdentityObservation {
  upstream: string;
  /** The model the client asked for. */
  requested: string | undefined;
  /** What the upstream says answered. */
  model: string | undefined;
  fingerprint: string | undefined;
}

export interface IdentityOutcome {
  /** The reported model differs from the pin (or from the first one seen). */
  mismatch: boolean;
  /** The fingerprint is not a pinned one, or differs from the last one seen. */
  fingerprintChanged: boolean;
}

/** What is remembered of one (upstream, requested model); both values `bounded`. */
export interface SeenIdentity {
  model: string | undefined;
  fingerprint: string | undefined;
}

/** The latest identity reported for a pinned (configured or canaried) model. */
export interface ObservedIdentity extends SeenIdentity {
  /** Unix time (ms) of the response that reported it. */
  at: number;
  /** Whether that response's model differed from the pin (or from the first one seen). */
  mismatch: boolean;
}

/** Remembered identities of unpinned models, by upstream and (bounded) requested model. */
export interface IdentityStore {
  get(key: string): SeenIdentity | undefined;
  /** Records an observation of `key` (a store may count them to decide what to keep). */
  set(key: string, v: SeenIdentity): void;
  delete(key: string): void;
  keys(): Iterable<string>;
}

/** Client and upstream strings longer than this are remembered as a digest. */
export const MAX_KEPT_CHARS = 256;
const DIGEST = 'sha256:';

/**
 * `s` as it is remembered: itself when short, else `sha256:<hex>` of it (71 characters however
 * long `s` is). Strings that already start with the digest prefix are hashed too, so a client
 * cannot forge one; equality is preserved either way.
 */
export function bounded(s: string): string;
export function bounded(s: string | undefined): string | undefined;
export function bounded(s: string | undefined): string | undefined {
  if (s === undefined || (s.length <= MAX_KEPT_CHARS && !s.startsWith(DIGEST))) return s;
  return DIGEST + createHash('sha256').update(s).digest('hex');
}

export interface MemoryIdentityStoreOptions {
  /** Entries seen fewer than `establishAfter` times: the first evicted (default 9,000). */
  probation?: number;
  /** Entries seen at least `establishAfter` times (default 1,000). */
  established?: number;
  /** Observations after which an entry is established (default 3). */
  establishAfter?: number;
}

interface Entry extends SeenIdentity {
  hits: number;
}

/**
 * A segmented LRU. New keys enter `probation`, whose least recently seen entry is evicted when
 * it is full; a key seen `establishAfter` times moves to `established`, whose least recently
 * seen entry, when it overflows, goes back to probation (not out). A flood of new names (each
 * seen once or twice) therefore churns only probation: the identities of models in steady use
 * survive it. A client repeating every junk name `establishAfter` times can still push them
 * out, at `established × establishAfter` requests per sweep; models that matter are pinned,
 * and pins are never in here.
 */
export function memoryIdentityStore(opts: MemoryIdentityStoreOptions = {}): IdentityStore {
  const maxProbation = opts.probation ?? 9_000;
  const maxEstablished = opts.established ?? 1_000;
  const establishAfter = opts.establishAfter ?? 3;
  // Maps iterate in insertion order: re-inserting a key makes it the most recent.
  const probation = new Map<string, Entry>();
  const established = new Map<string, Entry>();
  const toProbation = (k: string, e: Entry) => {
    if (probation.size >= maxProbation) probation.delete(probation.keys().next().value!);
    probation.set(k, e);
  };
  const strip = (e: Entry | undefined): SeenIdentity | undefined =>
    e && { model: e.model, fingerprint: e.fingerprint };
  return {
    get: (k) => strip(established.get(k) ?? probation.get(k)),
    set: (k, v) => {
      const old = established.get(k) ?? probation.get(k);
      const e: Entry = { model: v.model, fingerprint: v.fingerprint, hits: (old?.hits ?? 0) + 1 };
      if (established.delete(k) || e.hits >= establishAfter) {
        probation.delete(k);
        established.set(k, e);
        if (established.size > maxEstablished) {
          const [lk, le] = established.entries().next().value!;
          established.delete(lk);
          toProbation(lk, le);
        }
      } else {
        probation.delete(k);
        toProbation(k, e);
      }
    },
    delete: (k) => {
      established.delete(k);
      probation.delete(k);
    },
    keys: () => [...established.keys(), ...probation.keys()],
  };
}

const keyOf = (upstream: string, requested: string | undefined) =>
  `${upstream}\u0000${requested ?? ''}`;

/** Where remembered identities are shared with other replicas. */
export interface IdentityShare {
  /**
   * This replica now remembers `v` for `name` on `upstream` (`pinned`: a configured or canaried
   * model, `name` as configured; else `name` is the `bounded` requested model). Never throws.
   */
  seen(upstream: string, pinned: boolean, name: string, v: SeenIdentity): void;
}

/** A remembered value as `bounded` makes it: short, or a SHA-256 digest. */
const isKept = (s: string | undefined) =>
  s === undefined || s.length <= MAX_KEPT_CHARS || /^sha256:[0-9a-f]{64}$/.test(s);

export class IdentityTracker {
  /** State of pinned (configured or canaried) models: bounded by configuration, never evicted. */
  private readonly pinned = new Map<string, SeenIdentity>();
  /** The latest report for each pinned model (same keys as `pinned`), for the status page. */
  private readonly latest = new Map<string, ObservedIdentity>();
  private shared: IdentityShare | undefined;

  constructor(
    /** Pins by upstream name, then requested model. */
    private readonly pins: ReadonlyMap<string, Readonly<Record<string, IdentityPin>>>,
    /** State of every other requested model. */
    private readonly store: IdentityStore = memoryIdentityStore(),
  ) {}

  /** The pin of a requested model; own keys only (`constructor` is not a model). */
  private pinOf(upstream: string, requested: string | undefined): IdentityPin | undefined {
    const pins = this.pins.get(upstream);
    return pins && requested !== undefined && Object.hasOwn(pins, requested)
      ? pins[requested]
      : undefined;
  }

  /** What `observe` would conclude, without remembering anything (a stream's first event). */
  check(o: IdentityObservation): IdentityOutcome {
    return this.compare(o).out;
  }

  observe(o: IdentityObservation): IdentityOutcome {
    const { out, pin, key, seen, model, fingerprint } = this.compare(o);
    if (o.model === undefined && o.fingerprint === undefined) return out;
    // Unpinned, the first model seen is the reference; the fingerprint follows the latest.
    const next = { model: seen?.model ?? model, fingerprint: fingerprint ?? seen?.fingerprint };
    if (pin) {
      this.pinned.set(key, next);
      this.latest.set(key, { model, fingerprint, at: Date.now(), mismatch: out.mismatch });
    } else this.store.set(key, next);
    // Shared only when it is what the next response is compared with (not a configured pin).
    if (
      (next.model !== seen?.model && pin?.expect_model === undefined) ||
      (next.fingerprint !== seen?.fingerprint && !pin?.fingerprints?.length)
    )
      this.shared?.seen(o.upstream, !!pin, key.slice(o.upstream.length + 1), next);
    return out;
  }

  /** Shares what this tracker remembers with other replicas (see `IdentityShare`). */
  share(s: IdentityShare): void {
    this.shared = s;
  }

  /**
   * Remembers what another replica (or the stored state) holds for `name` on `upstream`. A
   * pinned name not pinned here (configurations differ during a roll-out) and values that are
   * not as `bounded` keeps them (the store is outside this process) are ignored.
   */
  adopt(upstream: string, pinned: boolean, name: string, v: SeenIdentity): void {
    if (!isKept(name) || !isKept(v.model) || !isKept(v.fingerprint)) return;
    if (pinned !== !!this.pinOf(upstream, name)) return;
    const next = { model: v.model, fingerprint: v.fingerprint };
    if (pinned) this.pinned.set(keyOf(upstream, name), next);
    else this.store.set(keyOf(upstream, name), next);
  }

  private compare(o: IdentityObservation) {
    const out: IdentityOutcome = { mismatch: false, fingerprintChanged: false };
    const pin = this.pinOf(o.upstream, o.requested);
    const key = pin ? keyOf(o.upstream, o.requested) : keyOf(o.upstream, bounded(o.requested));
    const seen = pin ? this.pinned.get(key) : this.store.get(key);
    const model = bounded(o.model);
    const fingerprint = bounded(o.fingerprint);
    if (pin?.expect_model !== undefined)
      out.mismatch = o.model !== undefined && o.model !== pin.expect_model;
    else if (seen?.model !== undefined && model !== undefined) out.mismatch = model !== seen.model;
    if (o.fingerprint !== undefined) {
      if (pin?.fingerprints?.length)
        out.fingerprintChanged = !pin.fingerprints.includes(o.fingerprint);
      else
        out.fingerprintChanged =
          seen?.fingerprint !== undefined && seen.fingerprint !== fingerprint;
    }
    return { out, pin, key, seen, model, fingerprint };
  }

  /**
   * Accepts new behaviour (a quarantine release): forgets what was first seen for the label's
   * requested models, so the next response becomes the reference. Pins are configuration and
   * stay.
   */
  forget(upstream: string, label: string): void {
    if (label !== 'other') {
      this.pinned.delete(keyOf(upstream, label));
      return;
    }
    const prefix = `${upstream}\u0000`;
    for (const k of [...this.store.keys()]) if (k.startsWith(prefix)) this.store.delete(k);
  }

  /**
   * What the upstream last reported for a pinned or canaried model (both values `bounded`).
   * Unpinned models are client-chosen names and have no accessor: they are never shown.
   */
  observed(upstream: string, model: string): ObservedIdentity | undefined {
    return this.pinOf(upstream, model) ? this.latest.get(keyOf(upstream, model)) : undefined;
  }

  /** The pin configured for a pinned or canaried model (empty for a canaried one). */
  pin(upstream: string, model: string): IdentityPin | undefined {
    return this.pinOf(upstream, model);
  }

  /** The models with series of their own on an upstream (every other model is `other`). */
  models(upstream: string): string[] {
    return Object.keys(this.pins.get(upstream) ?? {});
  }

  /** The requested model as a bounded label: configured for the upstream, else `other`. */
  label(upstream: string, requested: string | undefined): string {
    return requested !== undefined && this.pinOf(upstream, requested) ? requested : 'other';
  }
}
