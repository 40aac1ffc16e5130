/**
 * Quarantine: a model (per upstream) whose canary failed or whose identity changed is held
 * until an operator releases it. What that means for live traffic is configured per upstream:
 * `block` (423 Locked in the provider's format), `flag` (served, marked) or `serve` (recorded only).
 * Canary traffic is never held, so canaries keep reporting on a quarantined model.
 */
import type {
  CanaryRecord,
  QuarantineRecord,
  RequestRecord,
  Sink,
  TelemetryEvent,
} from '../model/sink.js';
import type { IdentityOutcome } from './identity.js';
import type { QuarantineStore } from './quarantine-store.js';

export type QuarantineEvent =
  'canary_failure' | 'canary_blocked' | 'identity_mismatch' | 'fingerprint_change';
export type QuarantineAction = 'block' | 'flag' | 'serve';

export interface QuarantinePolicy {
  on: readonly QuarantineEvent[];
  action: QuarantineAction;
}

export interface QuarantineEntry {
  upstream: string;
  /** The model label (a configured or canaried model, else `other`). */
  model: string;
  reason: QuarantineEvent;
  /** Canary id, when a canary put it here. */
  canary: string | undefined;
  since: Date;
  /** Qualifying events seen since it entered quarantine. */
  events: number;
  action: QuarantineAction;
}

export interface Admission {
  action: QuarantineAction;
  reason: QuarantineEvent;
}

const key = (upstream: string, model: string) => `${upstream}\u0000${model}`;

export class Quarantine implements Sink {
  private readonly entries = new Map<string, QuarantineEntry>();
  /** Where entries and releases are shared with other replicas; none: this process only. */
  private store: QuarantineStore | undefined;

  constructor(
    private readonly policies: ReadonlyMap<string, QuarantinePolicy>,
    /** Bounds a requested model to a label (configured, canaried, else `other`). */
    private readonly label: (upstream: string, requested: string | undefined) => string,
    /** Where quarantine changes are reported (metrics). */
    private readonly out: Sink,
    /** Called on release, to accept the new behaviour (e.g. forget a first-seen identity). */
    private readonly onRelease: (upstream: string, model: string) => void = () => {},
  ) {}

  /** Quarantine never consumes its own records; it reacts to requests and canary runs. */
  record(e: TelemetryEvent): void {
    if (e.kind === 'request') this.fromRequest(e);
    else if (e.kind === 'canary') this.fromCanary(e);
  }

  private fromRequest(e: RequestRecord): void {
    if (!e.identity) return;
    if (e.identity.mismatch) this.enter(e.upstream, e.model, 'identity_mismatch');
    if (e.identity.fingerprintChanged) this.enter(e.upstream, e.model, 'fingerprint_change');
  }

  private fromCanary(e: CanaryRecord): void {
    if (e.result === 'fail') this.enter(e.upstream, e.model, 'canary_failure', e.canary);
    else if (e.result === 'blocked') this.enter(e.upstream, e.model, 'canary_blocked', e.canary);
  }

  private enter(upstream: string, model: string, reason: QuarantineEvent, canary?: string): void {
    const policy = this.policies.get(upstream);
    if (!policy?.on.includes(reason)) return;
    const k = key(upstream, model);
    const existing = this.entries.get(k);
    if (existing) {
      existing.events++;
      return;
    }
    const entry: QuarantineEntry = {
      upstream,
      model,
      reason,
      canary,
      since: new Date(),
      events: 1,
      action: policy.action,
    };
    this.entries.set(k, entry);
    this.store?.entered(entry);
    this.out.record({
      kind: 'quarantine',
      upstream,
      model,
      quarantined: true,
      reason,
      canary,
      by: undefined,
      origin: 'here',
    });
  }

  /** What live traffic for this upstream and requested model must do, if it is quarantined. */
  admit(upstream: string, requested: string | undefined): Admission | undefined {
    if (this.entries.size === 0) return undefined;
    const e = this.entries.get(key(upstream, this.label(upstream, requested)));
    return e && e.action !== 'serve' ? { action: e.action, reason: e.reason } : undefined;
  }

  /**
   * Whether an answer's identity can hold it back on this upstream: the action is `block` and
   * an identity change is among the triggers. Streams then wait for the event naming the model.
   */
  watches(upstream: string): boolean {
    const p = this.policies.get(upstream);
    return (
      p?.action === 'block' &&
      (p.on.includes('identity_mismatch') || p.on.includes('fingerprint_change'))
    );
  }

  /**
   * Why an answer showing `outcome` must not reach the client (it quarantines its model, and
   * the action is `block`), or undefined when it may.
   */
  holds(upstream: string, outcome: IdentityOutcome): QuarantineEvent | undefined {
    const p = this.policies.get(upstream);
    if (p?.action !== 'block') return undefined;
    if (outcome.mismatch && p.on.includes('identity_mismatch')) return 'identity_mismatch';
    if (outcome.fingerprintChanged && p.on.includes('fingerprint_change'))
      return 'fingerprint_change';
    return undefined;
  }

  list(): QuarantineEntry[] {
    return [...this.entries.values()];
  }

  /** Releases a held model; `by` names who did (the admin token's configured name). */
  release(upstream: string, model: string, by?: string): QuarantineEntry | undefined {
    const e = this.remove(upstream, model, by, 'here');
    if (e) this.store?.released(upstream, model, by);
    return e;
  }

  /**
   * Shares this quarantine with other replicas: what it enters or releases goes to `store`, and
   * `store` calls `adopt` and `drop` with what the others (or the stored state) say.
   */
  share(store: QuarantineStore): void {
    this.store = store;
  }

  /**
   * Holds an entry another replica entered (or the stored state holds); no-op if held. The entry
   * comes from outside this process: one this replica could never enter itself (an upstream
   * without a quarantine policy here, a model that is not one of its labels) is ignored, so
   * what is held stays bounded by the configuration however many entries are announced.
   */
  adopt(entry: Omit<QuarantineEntry, 'events' | 'action'> & { action?: QuarantineAction }): void {
    if (!this.policies.has(entry.upstream)) return;
    if (this.label(entry.upstream, entry.model) !== entry.model) return;
    const k = key(entry.upstream, entry.model);
    if (this.entries.has(k)) return;
    const action = this.policies.get(entry.upstream)?.action ?? entry.action ?? 'serve';
    this.entries.set(k, { ...entry, events: 1, action });
    this.out.record({
      kind: 'quarantine',
      upstream: entry.upstream,
      model: entry.model,
      quarantined: true,
      reason: entry.reason,
      canary: entry.canary,
      by: undefined,
      origin: 'shared',
    });
  }

  /** Whether `adopt` would hold this entry, or it is held: what an announcement may change. */
  concerns(upstream: string, model: string): boolean {
    return (
      this.entries.has(key(upstream, model)) ||
      (this.policies.has(upstream) && this.label(upstream, model) === model)
    );
  }

  /** Releases here what another replica released (or the stored state no longer holds). */
  drop(upstream: string, model: string, by?: string): void {
    this.remove(upstream, model, by, 'shared');
  }

  private remove(
    upstream: string,
    model: string,
    by: string | undefined,
    origin: QuarantineRecord['origin'],
  ) {
    const k = key(upstream, model);
    const e = this.entries.get(k);
    if (!e) return undefined;
    this.entries.delete(k);
    this.onRelease(upstream, model);
    this.out.record({
      kind: 'quarantine',
      upstream,
      model,
      quarantined: false,
      reason: e.reason,
      canary: e.canary,
      by,
      origin,
    });
    return e;
  }
}
