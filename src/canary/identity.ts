/**
 * Model identity on every response: the `model` and fingerprint an upstream reports are
 * compared with the pin configured for the requested model or, unpinned, with the first
 * values seen. State is in memory, behind `IdentityStore`, so that a shared store can take
 * over when several replicas must agree.
 */

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

/** Remembered identities, by upstream and requested model. */
export interface IdentityStore {
  get(key: string): { model: string | undefined; fingerprint: string | undefined } | undefined;
  set(key: string, v: { model: string | undefined; fingerprint: string | undefined }): void;
  delete(key: string): void;
  keys(): Iterable<string>;
}

export function memoryIdentityStore(max = 10_000): IdentityStore {
  const m = new Map<string, { model: string | undefined; fingerprint: string | undefined }>();
  return {
    get: (k) => m.get(k),
    set: (k, v) => {
      if (!m.has(k) && m.size >= max) m.delete(m.keys().next().value!);
      m.set(k, v);
    },
    delete: (k) => m.delete(k),
    keys: () => m.keys(),
  };
}

export class IdentityTracker {
  constructor(
    /** Pins by upstream name, then requested model. */
    private readonly pins: ReadonlyMap<string, Readonly<Record<string, IdentityPin>>>,
    private readonly store: IdentityStore = memoryIdentityStore(),
  ) {}

  observe(o: IdentityObservation): IdentityOutcome {
    const out: IdentityOutcome = { mismatch: false, fingerprintChanged: false };
    if (o.model === undefined && o.fingerprint === undefined) return out;
    const pin = o.requested === undefined ? undefined : this.pins.get(o.upstream)?.[o.requested];
    const key = `${o.upstream}\u0000${o.requested ?? ''}`;
    const seen = this.store.get(key);
    if (pin?.expect_model !== undefined)
      out.mismatch = o.model !== undefined && o.model !== pin.expect_model;
    else if (seen?.model !== undefined && o.model !== undefined)
      out.mismatch = o.model !== seen.model;
    if (o.fingerprint !== undefined) {
      if (pin?.fingerprints?.length)
        out.fingerprintChanged = !pin.fingerprints.includes(o.fingerprint);
      else
        out.fingerprintChanged =
          seen?.fingerprint !== undefined && seen.fingerprint !== o.fingerprint;
    }
    // Unpinned, the first model seen is the reference; the fingerprint follows the latest.
    this.store.set(key, {
      model: seen?.model ?? o.model,
      fingerprint: o.fingerprint ?? seen?.fingerprint,
    });
    return out;
  }

  /**
   * Accepts new behaviour (a quarantine release): forgets what was first seen for the label's
   * requested models, so the next response becomes the reference. Pins are configuration and
   * stay.
   */
  forget(upstream: string, label: string): void {
    const prefix = `${upstream}\u0000`;
    for (const k of [...this.store.keys()]) {
      if (!k.startsWith(prefix)) continue;
      if (this.label(upstream, k.slice(prefix.length)) === label) this.store.delete(k);
    }
  }

  /** The models with series of their own on an upstream (every other model is `other`). */
  models(upstream: string): string[] {
    return Object.keys(this.pins.get(upstream) ?? {});
  }

  /** The requested model as a bounded label: configured for the upstream, else `other`. */
  label(upstream: string, requested: string | undefined): string {
    return requested !== undefined && this.pins.get(upstream)?.[requested] ? requested : 'other';
  }
}
