/**
 * What of Coalmine's telemetry goes into the audit log: every security-relevant event, as one
 * record, in the order it happened. Records name policies, rules, models and actors; they never
 * carry prompts, outputs or credentials: a matched span appears only as its SHA-256
 * (`RuleResult.matched`), upstream-reported strings are bounded.
 *
 * | type | when |
 * |---|---|
 * | `decision` | a live response was not simply passed: block, redact, flag, a quarantine hold, or a shadow-mode rule that failed; a canary's answer that was blocked or redacted |
 * | `identity_mismatch`, `fingerprint_changed` | an upstream reported another model or fingerprint than pinned or last seen (once per change) |
 * | `canary_result` | a canary's result changed (its first run included) |
 * | `quarantine_entered`, `quarantine_released` | a model entered quarantine, or someone released it (`by`); `origin`: `here` or `shared` (another replica) |
 * | `policy_reload` | a policy set was loaded or a reload refused (`version`, `result`) |
 * | `admin_action`, `admin_auth_failed` | an authorised state-changing admin call, a refused credential |
 * | `started`, `stopped` | the process began or ended writing (`version`) |
 *
 * The log itself adds `gap` (events lost, with their count) and `recovered` (a torn last line).
 */
import { ellipsis } from '../model/text.js';
import { LRUCache } from 'lru-cache';
import type { RequestRecord, Sink, TelemetryEvent } from '../model/sink.js';
import type { RuleResult } from '../model/verdict.js';
import type { AuditWriter } from './log.js';

/** Upstream-reported strings (model names, fingerprints) are cut to this many characters. */
const MAX_REPORTED = 256;

const bounded = (s: string | undefined) => (s === undefined ? s : ellipsis(s, MAX_REPORTED));

function rule(r: RuleResult) {
  return {
    policy: r.policy,
    rule: r.rule,
    check: r.check,
    action: r.action,
    mode: r.mode,
    status: r.status,
    severity: r.severity,
    choice: r.choice,
    matched_sha256: r.matched ?? [],
  };
}

export class AuditSink implements Sink {
  /** The last identity recorded per upstream and model label: a swapped model is one record. */
  private readonly identities = new LRUCache<string, string>({ max: 10_000 });

  constructor(private readonly out: AuditWriter) {}

  record(e: TelemetryEvent): void {
    switch (e.kind) {
      case 'request':
        this.request(e);
        return;
      case 'canary':
        if (e.previous === e.result) return;
        this.out.append({
          type: 'canary_result',
          canary: e.canary,
          upstream: e.upstream,
          model: e.model,
          result: e.result,
          previous: e.previous ?? null,
          p_value: e.pValue ?? null,
          evidence: e.evidence?.value ?? null,
          reason: e.reason ?? null,
        });
        return;
      case 'quarantine':
        this.out.append({
          type: e.quarantined ? 'quarantine_entered' : 'quarantine_released',
          upstream: e.upstream,
          model: e.model,
          reason: e.reason ?? null,
          canary: e.canary ?? null,
          ...(e.quarantined ? {} : { by: e.by ?? null }),
          origin: e.origin,
        });
        if (!e.quarantined) this.forgetIdentity(e.upstream, e.model);
        return;
      case 'policy_reload':
        this.out.append({
          type: 'policy_reload',
          result: e.result,
          version: e.version,
          previous_version: e.previousVersion ?? null,
          issues: e.issues.slice(0, 20),
        });
        return;
      case 'admin':
        this.out.append(
          e.action === 'auth_failed'
            ? { type: 'admin_auth_failed', remote: e.remote ?? null }
            : {
                type: 'admin_action',
                action: e.action,
                actor: e.actor ?? null,
                remote: e.remote ?? null,
                status: e.status,
              },
        );
    }
  }

  private request(e: RequestRecord): void {
    const base = {
      request_id: e.requestId,
      source: e.source,
      upstream: e.upstream,
      model: e.model,
    };
    if (e.identity?.mismatch || e.identity?.fingerprintChanged) this.identity(e, base);
    const failed = e.verdict?.results.filter((r) => r.status !== 'pass') ?? [];
    const held = e.errorCode === 'MODEL_QUARANTINED';
    const decision = held ? 'quarantined' : (e.verdict?.decision ?? 'pass');
    if (decision === 'pass' && failed.length === 0) return;
    // Canaries' own answers are expected to trip flags (refusal probes): their verdicts are
    // recorded when they changed the answer; the canary's result is recorded either way.
    if (e.source === 'canary' && decision !== 'block' && decision !== 'redact') return;
    this.out.append({
      type: 'decision',
      ...base,
      decision,
      status: e.status,
      policy_version: e.verdict?.policyVersion ?? null,
      blocked_by: e.verdict?.blockedBy
        ? `${e.verdict.blockedBy.policy}/${e.verdict.blockedBy.rule}`
        : null,
      rules: failed.map(rule),
    });
  }

  /** One record per change of what an upstream reports for a model label. */
  private identity(e: RequestRecord, base: Record<string, unknown>): void {
    const reported = {
      model: bounded(e.responseModel),
      fingerprint: bounded(e.responseFingerprint),
    };
    const key = `${e.upstream}\u0000${e.model}`;
    const now = JSON.stringify(reported);
    if (this.identities.get(key) === now) return;
    this.identities.set(key, now);
    const fields = {
      ...base,
      reported_model: reported.model ?? null,
      reported_fingerprint: reported.fingerprint ?? null,
    };
    if (e.identity?.mismatch) this.out.append({ type: 'identity_mismatch', ...fields });
    if (e.identity?.fingerprintChanged) this.out.append({ type: 'fingerprint_changed', ...fields });
  }

  private forgetIdentity(upstream: string, model: string): void {
    this.identities.delete(`${upstream}\u0000${model}`);
  }
}
