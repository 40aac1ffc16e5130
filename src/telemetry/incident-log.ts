/**
 * The incident log: a sink that turns what the core records into the catalogue's events
 * (`log-events.ts`) on the process logger. Only bounded values are written: configured names,
 * model labels, codes from fixed sets, request ids, and upstream-reported identities cut to
 * 120 characters. Never a prompt, an output, a rule's detail or a credential.
 */
import { ellipsis } from '../model/text.js';
import type { LogFields, Logger, LogLevel } from '../model/log.js';
import type {
  AdminRecord,
  CanaryRecord,
  PolicyReloadRecord,
  QuarantineRecord,
  RequestRecord,
  Sink,
  StreamAbortReason,
  TelemetryEvent,
} from '../model/sink.js';
import { decisionOf } from '../model/sink.js';
import type { RuleResult, Verdict } from '../model/verdict.js';
import type { LogEventName } from './log-events.js';

export interface IncidentLogOptions {
  /** `log.access`: one `request` line per request at info (at debug they are written anyway). */
  access: boolean;
}

/** Upstream-controlled strings (a reported model, a fingerprint) are cut to this. */
const UPSTREAM_TEXT = 120;
/** Rules listed in one `rules_evaluated` line. */
const MAX_RULES = 50;
const QUIET_ABORTS: ReadonlySet<StreamAbortReason> = new Set(['client_disconnect', 'policy_block']);

const cut = (s: string | undefined) => (s === undefined ? s : ellipsis(s, UPSTREAM_TEXT));

export class IncidentLog implements Sink {
  constructor(
    private readonly log: Logger,
    private readonly opts: IncidentLogOptions,
  ) {}

  record(e: TelemetryEvent): void {
    switch (e.kind) {
      case 'request':
        return this.request(e);
      case 'canary':
        return this.canary(e);
      case 'quarantine':
        return this.quarantine(e);
      case 'policy_reload':
        return this.policyReload(e);
      case 'admin':
        return this.admin(e);
    }
  }

  private emit(level: LogLevel, event: LogEventName, msg: string, fields: LogFields): void {
    this.log.write(level, event, msg, fields);
  }

  private request(r: RequestRecord): void {
    const at = { request_id: r.requestId, upstream: r.upstream, model: r.model };
    if (r.identity?.mismatch)
      this.emit('warn', 'identity_mismatch', 'the upstream reported another model', {
        ...at,
        reported_model: cut(r.responseModel),
        source: r.source,
      });
    if (r.identity?.fingerprintChanged)
      this.emit('warn', 'fingerprint_changed', 'the system fingerprint changed', {
        ...at,
        fingerprint: cut(r.responseFingerprint),
        source: r.source,
      });
    if (r.upstreamError)
      this.emit('warn', 'upstream_error', `upstream call failed: ${r.upstreamError}`, {
        ...at,
        reason: r.upstreamError,
        status: r.status,
        source: r.source,
      });
    if (r.verdict) this.verdict(r, r.verdict);
    if (r.abortReason)
      this.emit(
        QUIET_ABORTS.has(r.abortReason) ? 'info' : 'warn',
        'stream_aborted',
        `stream ended early: ${r.abortReason}`,
        { ...at, reason: r.abortReason, source: r.source },
      );
    const accessLevel = this.opts.access ? 'info' : 'debug';
    if (this.log.enabled(accessLevel))
      this.emit(accessLevel, 'request', `${r.method} ${r.path} ${r.status}`, {
        ...at,
        method: r.method,
        path: r.path,
        route: r.route,
        status: r.status,
        decision: decisionOf(r),
        duration_ms: Math.round(r.durationSeconds * 1e4) / 10,
        stream: r.stream,
        source: r.source,
        error_code: r.errorCode,
      });
  }

  private verdict(r: RequestRecord, v: Verdict): void {
    const at = { request_id: r.requestId, upstream: r.upstream, model: r.model };
    const rule = (x: RuleResult) => ({
      ...at,
      policy: x.policy,
      rule: x.rule,
      check: x.check,
      mode: x.mode,
      source: r.source,
    });
    // One line per rule, not per choice or per span.
    const seen = new Set<string>();
    const once = (x: RuleResult, kind: string) => {
      const k = `${kind}\u0000${x.policy}\u0000${x.rule}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    };
    if (v.decision === 'block' && v.blockedBy)
      this.emit(
        'warn',
        'response_blocked',
        `response blocked by ${v.blockedBy.policy}/${v.blockedBy.rule}`,
        { ...rule(v.blockedBy), status: r.status },
      );
    // Flags and shadow findings are debug lines: not built when debug is off (every request).
    const debug = this.log.enabled('debug');
    for (const x of v.results) {
      if (x.status === 'error' && once(x, 'error'))
        this.emit('warn', 'check_error', `check ${x.check} failed to evaluate`, rule(x));
      if (x.status !== 'fail') continue;
      const enforced = x.mode === 'enforce';
      if (v.decision === 'redact' && enforced && x.action === 'redact' && once(x, 'redact'))
        this.emit(
          'info',
          'response_redacted',
          `response redacted by ${x.policy}/${x.rule}`,
          rule(x),
        );
      else if (debug && (!enforced || x.action === 'flag') && once(x, 'flag'))
        this.emit('debug', 'response_flagged', `response flagged by ${x.policy}/${x.rule}`, {
          ...rule(x),
          action: x.action,
        });
    }
    if (debug)
      this.emit('debug', 'rules_evaluated', `policies decided ${v.decision}`, {
        request_id: r.requestId,
        policy_version: v.policyVersion,
        decision: v.decision,
        rules: v.results.slice(0, MAX_RULES).map((x) => `${x.policy}/${x.rule}=${x.status}`),
      });
  }

  private canary(c: CanaryRecord): void {
    const changed = c.previous !== c.result;
    const level: LogLevel = !changed ? 'debug' : c.result === 'pass' ? 'info' : 'warn';
    const what =
      c.previous === undefined
        ? `first run: ${c.result}`
        : changed
          ? `${c.previous} → ${c.result}`
          : `still ${c.result}`;
    const fields = {
      canary: c.canary,
      upstream: c.upstream,
      model: c.model,
      result: c.result,
      previous: c.previous,
      p_value: c.pValue,
      evidence: c.evidence?.value,
      reason: c.reason,
      tokens: c.tokens,
      duration_ms: Math.round(c.durationSeconds * 1000),
    };
    // A run an operator policy blocked did not judge the model: an event of its own.
    if (c.result === 'blocked')
      this.emit(
        level,
        'canary_blocked',
        `canary ${c.canary}: its answer was blocked by a Coalmine policy; the model was not judged`,
        fields,
      );
    else this.emit(level, 'canary_result', `canary ${c.canary}: ${what}`, fields);
  }

  private quarantine(q: QuarantineRecord): void {
    const at = {
      upstream: q.upstream,
      model: q.model,
      reason: q.reason,
      canary: q.canary,
      origin: q.origin,
    };
    if (q.quarantined)
      this.emit('warn', 'quarantine_entered', `${q.upstream}/${q.model} quarantined`, at);
    else
      this.emit('info', 'quarantine_released', `${q.upstream}/${q.model} released`, {
        ...at,
        by: q.by ?? (q.origin === 'here' ? 'admin' : 'unknown'),
      });
  }

  private policyReload(p: PolicyReloadRecord): void {
    // The first load is at debug: the `listening` line that follows carries its version, and a
    // start that fails (an address in use) stays one line.
    if (p.result === 'success')
      this.emit(
        p.previousVersion === undefined ? 'debug' : 'info',
        'policy_reloaded',
        p.previousVersion === undefined ? 'policy set loaded' : 'policy set reloaded',
        { version: p.version, previous_version: p.previousVersion },
      );
    else
      this.emit(
        'error',
        'policy_reload_failed',
        'policy reload refused; the previous set keeps serving',
        { version: p.version, result: p.result, issues: p.issues },
      );
  }

  private admin(a: AdminRecord): void {
    if (a.action === 'auth_failed')
      this.emit('warn', 'admin_auth_failed', 'admin call refused: missing or wrong token', {
        remote: a.remote,
      });
    else
      this.emit('info', 'admin_action', `${a.action} by ${a.actor ?? 'unknown'}`, {
        action: a.action,
        actor: a.actor,
        remote: a.remote,
        status: a.status,
      });
  }
}
