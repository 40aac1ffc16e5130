/**
 * `GET /status.json` on the admin listener, the data behind the status page (`GET /`). Open,
 * like `/metrics`, so it shows nothing `/metrics` does not already reveal — upstream names,
 * model labels (configured or canaried), canary ids, results and p-values, quarantine, the
 * policy version, decision counts — plus, for pinned and canaried models only, the pin and
 * what the upstream last reported. Never upstream URLs, keys, file paths, prompts, canary
 * answers or reasons (they may quote model output), nor any client-requested model name.
 * Upstream-reported strings are cut to `MAX_SHOWN_CHARS`; the page renders them as text.
 *
 * snake_case keys and RFC 3339 times like the rest of the admin API; `null` where a value is
 * not known yet (a canary that has not run, a model no response has reported).
 */
import { ellipsis } from '../model/text.js';
import type { CanaryOutcome } from '../canary/runner.js';
import type { IdentityTracker } from '../canary/identity.js';
import type { Quarantine, QuarantineAction, QuarantineEvent } from '../canary/quarantine.js';
import type { CanaryService } from '../canary/service.js';
import type { PolicyReloadResult } from '../model/sink.js';
import type { PolicyStore } from '../policy/store.js';
import type { RecentDecisions } from '../telemetry/recent-decisions.js';

/** Upstream-reported strings (model names, fingerprints) are shown up to this many characters. */
export const MAX_SHOWN_CHARS = 120;

export interface StatusQuarantineJson {
  reason: QuarantineEvent;
  canary: string | null;
  action: QuarantineAction;
  since: string;
  events: number;
}

export interface StatusModelJson {
  /** The model label: a configured or canaried model, or `other` (only when quarantined). */
  model: string;
  /** `expect_model` under `upstreams[].models`, when pinned. */
  pinned_model: string | null;
  pinned_fingerprints: string[];
  /** What the upstream last reported for this model (cut to MAX_SHOWN_CHARS). */
  observed_model: string | null;
  observed_fingerprint: string | null;
  observed_at: string | null;
  /** The last response reported another model than the pin (or than the first one seen). */
  identity_mismatch: boolean;
  quarantine: StatusQuarantineJson | null;
}

export interface StatusCanaryJson {
  id: string;
  upstream: string;
  model: string;
  every_seconds: number;
  /** The last run's result (`blocked`: an operator policy blocked its answer); null until it has run. */
  result: CanaryOutcome | null;
  p_value: number | null;
  last_run_at: string | null;
  /**
   * When the scheduler runs it next; with replicas, on a replica that does not hold the canary
   * lease, when it is due on the holder (one interval after its last run, ± its jitter; in the
   * past when overdue). Null when unscheduled or running now.
   */
  next_run_at: string | null;
}

export interface StatusJson {
  version: string;
  generated_at: string;
  upstreams: { name: string; models: StatusModelJson[] }[];
  canaries: StatusCanaryJson[];
  policies: {
    version: string;
    last_reload: { result: PolicyReloadResult; ok: boolean; at: string };
  };
  /** Live responses in the last hour (per-minute buckets), by decision. */
  decisions: {
    window_seconds: number;
    blocked: number;
    redacted: number;
    flagged: number;
    quarantined: number;
    passed: number;
  };
}

export interface StatusSources {
  version: string;
  upstreams: readonly string[];
  identity: Pick<IdentityTracker, 'models' | 'observed' | 'pin'>;
  quarantine: Pick<Quarantine, 'list'>;
  canaries: Pick<CanaryService, 'canaries' | 'lastResult' | 'nextRun'>;
  policies: Pick<PolicyStore, 'current' | 'lastReload'>;
  decisions: Pick<RecentDecisions, 'counts' | 'windowSeconds'>;
  now?: () => number;
}

/** `s` cut to `MAX_SHOWN_CHARS` (an ellipsis marks the cut; no half surrogate pair left). */
export function shown(s: string): string;
export function shown(s: string | undefined): string | null;
export function shown(s: string | undefined): string | null {
  if (s === undefined) return null;
  return s.length <= MAX_SHOWN_CHARS ? s : ellipsis(s, MAX_SHOWN_CHARS - 1);
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export function statusJson(src: StatusSources): StatusJson {
  const now = src.now?.() ?? Date.now();
  const held = src.quarantine.list();
  const n = src.decisions.counts();
  return {
    version: src.version,
    generated_at: new Date(now).toISOString(),
    upstreams: src.upstreams.map((name) => {
      const mine = held.filter((q) => q.upstream === name);
      const labels = [...src.identity.models(name)];
      // A quarantined `other` (unpinned traffic) gets a row; its names stay unshown.
      for (const q of mine) if (!labels.includes(q.model)) labels.push(q.model);
      return {
        name,
        models: labels.map((model) => {
          const pin = src.identity.pin(name, model);
          const seen = src.identity.observed(name, model);
          const q = mine.find((e) => e.model === model);
          return {
            model,
            pinned_model: shown(pin?.expect_model),
            pinned_fingerprints: (pin?.fingerprints ?? []).map((f) => shown(f)),
            observed_model: shown(seen?.model),
            observed_fingerprint: shown(seen?.fingerprint),
            observed_at: iso(seen?.at),
            identity_mismatch: seen?.mismatch ?? false,
            quarantine: q
              ? {
                  reason: q.reason,
                  canary: q.canary ?? null,
                  action: q.action,
                  since: q.since.toISOString(),
                  events: q.events,
                }
              : null,
          };
        }),
      };
    }),
    canaries: src.canaries.canaries.map((c) => {
      const r = src.canaries.lastResult(c.id);
      return {
        id: c.id,
        upstream: c.upstream,
        model: c.model,
        every_seconds: c.everyMs / 1000,
        result: r?.result ?? null,
        p_value: r?.pValue ?? null,
        evidence: r?.evidence?.value ?? null,
        evidence_threshold: r?.evidence?.threshold ?? null,
        last_run_at: iso(r?.finishedAt),
        next_run_at: iso(src.canaries.nextRun(c.id)),
      };
    }),
    policies: {
      version: src.policies.current.version,
      last_reload: {
        result: src.policies.lastReload.result,
        ok: src.policies.lastReload.ok,
        at: src.policies.lastReload.at.toISOString(),
      },
    },
    decisions: {
      window_seconds: src.decisions.windowSeconds,
      blocked: n.block,
      redacted: n.redact,
      flagged: n.flag,
      quarantined: n.quarantined,
      passed: n.pass,
    },
  };
}
