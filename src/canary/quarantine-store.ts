/**
 * Where a quarantine is shared between replicas. The Quarantine tells its store what it
 * entered or released; the store tells the Quarantine (`adopt`, `drop`) what other replicas
 * did and what the stored state holds. Without a store (the default, `state.backend: memory`)
 * a quarantine lives in this process only. The Redis store is `state/redis-quarantine.ts`.
 */
import type { QuarantineEntry } from './quarantine.js';

export interface QuarantineStore {
  /** This replica put a model in quarantine: store it and tell the others. Never throws. */
  entered(entry: QuarantineEntry): void;
  /** This replica released a model: store it and tell the others. Never throws. */
  released(upstream: string, model: string, by: string | undefined): void;
}
