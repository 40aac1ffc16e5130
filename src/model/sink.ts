/**
 * The one way the core reports what happened. Telemetry backends (Prometheus, OpenTelemetry,
 * audit logs) implement `Sink` and are wired in `core.ts`; the core only knows this interface.
 * Records never carry prompt or completion text.
 */
import type { Usage } from './exchange.js';
import type { Verdict } from './verdict.js';

export type TrafficSource = 'live' | 'canary';

/** Why a stream ended before the upstream finished it. */
export type StreamAbortReason =
  | 'client_disconnect'
  | 'upstream_error'
  | 'policy_block'
  /** The model showed an identity that quarantines it (upstream `quarantine.action: block`). */
  | 'quarantined'
  | 'timeout'
  /** The decoded stream passed `limits.response_body`. */
  | 'too_large'
  /** An unexpected fault in the proxy while relaying (logged with the request id). */
  | 'internal';

export interface RequestRecord {
  kind: 'request';
  requestId: string;
  source: TrafficSource;
  /** The HTTP method (at most 16 characters). */
  method: string;
  /**
   * The path for logs: after the upstream prefix, no query, client-chosen segments (ids,
   * names, anything but letters or a version like `v1`) as `*`, at most 8 segments.
   */
  path: string;
  /** Adapter id (`openai.chat`, …) or `passthrough`; bounded. */
  route: string;
  /** Configured upstream name, or `none` when no upstream matched. */
  upstream: string;
  status: number;
  stream: boolean;
  /** Requested model (client-controlled; telemetry must bound it). */
  requestModel: string | undefined;
  /** The requested model as a bounded label: configured or canaried, else `other`. */
  model: string;
  responseModel: string | undefined;
  finishReasons: string[];
  usage: Usage | undefined;
  durationSeconds: number;
  /** Time from dispatching the upstream request to its response headers. */
  upstreamTtfbSeconds: number | undefined;
  /** Time the upstream call took, first byte to last. */
  upstreamDurationSeconds: number | undefined;
  /** Time the proxy itself added before the client's first byte. */
  overheadSeconds: number | undefined;
  /** Stable error code when the proxy answered with an error of its own. */
  errorCode: string | undefined;
  abortReason: StreamAbortReason | undefined;
  /** The policy verdict, when any policy applied to the response. */
  verdict: Verdict | undefined;
  /**
   * Streams: the time the proxy spent on each upstream chunk (parse, checks, write), for the
   * first chunks of the stream (at most 1,000 samples).
   */
  chunkSeconds: number[];
  /** What the model produced, when a response was parsed (drift signals). */
  output: { chars: number; refused: boolean } | undefined;
  /** Why the upstream call failed (a lower-cased error code, or `upstream_5xx`), if it did. */
  upstreamError: string | undefined;
  /** Model identity: what the upstream reported, against the pin for `model`. */
  identity: { mismatch: boolean; fingerprintChanged: boolean } | undefined;
  /** The system fingerprint the upstream reported (upstream-controlled; consumers bound it). */
  responseFingerprint: string | undefined;
}

/**
 * How a policy load ended: `success` (the set serves), `failure` (invalid; the old set keeps
 * serving), `file_removed` (valid, but it would drop a file the serving set was loaded from;
 * refused, the old set keeps serving).
 */
export type PolicyReloadResult = 'success' | 'failure' | 'file_removed';

/** A policy set was loaded (at start or on reload) or a reload was refused. */
export interface PolicyReloadRecord {
  kind: 'policy_reload';
  result: PolicyReloadResult;
  /** The version now serving. */
  version: string;
  previousVersion: string | undefined;
  /** Why a load failed or was refused, as `file:line:col: message` (operator files, no content). */
  issues: string[];
}

/** A canary run ended. */
export interface CanaryRecord {
  kind: 'canary';
  canary: string;
  upstream: string;
  /** The canary's model (configured, hence bounded). */
  model: string;
  result: 'pass' | 'fail' | 'error' | 'blocked';
  /** The result of this canary's previous run in this process; undefined for its first run. */
  previous: 'pass' | 'fail' | 'error' | 'blocked' | undefined;
  /** Why it failed or errored, without any quoted answer text (`publicReason`). */
  reason: string | undefined;
  /** Distribution probes: the permutation p-value. */
  pValue: number | undefined;
  /** Sequential distribution probes: the running evidence and the value at which it alarms. */
  evidence: { value: number; threshold: number } | undefined;
  tokens: number;
  durationSeconds: number;
  /** Unix time (ms) the run ended. */
  finishedAt: number;
}

/** A model entered or left quarantine. */
export interface QuarantineRecord {
  kind: 'quarantine';
  upstream: string;
  model: string;
  quarantined: boolean;
  reason: string | undefined;
  /** The canary that put it there, when one did. */
  canary: string | undefined;
  /** Who released it: the admin token's configured name (release only). */
  by: string | undefined;
  /**
   * `here`: this replica entered or released it; `shared`: another replica did (or the shared
   * state says so, `state.backend: redis`) and this replica now holds or serves it too.
   */
  origin: 'here' | 'shared';
}

/**
 * Something happened on the admin API: a refused credential (`auth_failed`), or an authorised
 * call that changes state (`POST` routes), named by its route pattern, never its raw path.
 */
export interface AdminRecord {
  kind: 'admin';
  /** `auth_failed`, or the route: `POST /admin/quarantine/release`, … */
  action: string;
  /** The admin token's configured name; undefined when no token matched. */
  actor: string | undefined;
  /** The peer's address. */
  remote: string | undefined;
  status: number;
}

/**
 * The decision a request's answer carried: the verdict's, `quarantined` for a quarantine
 * refusal, else `pass` (errors included, as in `x-coalmine-decision`).
 */
export function decisionOf(e: RequestRecord): string {
  if (e.verdict) return e.verdict.decision;
  return e.errorCode === 'MODEL_QUARANTINED' ? 'quarantined' : 'pass';
}

export type TelemetryEvent =
  RequestRecord | PolicyReloadRecord | CanaryRecord | QuarantineRecord | AdminRecord;

export interface Sink {
  record(event: TelemetryEvent): void;
  /**
   * A request entered the pipeline (live or canary). Every call is followed by exactly one
   * `record` of that request's `RequestRecord`, when it is over: together they give the
   * requests in flight.
   */
  requestStarted?(source: TrafficSource): void;
}

export const noopSink: Sink = { record() {} };

export function fanout(sinks: readonly Sink[]): Sink {
  if (sinks.length === 1 && sinks[0]) return sinks[0];
  return {
    record(event) {
      for (const s of sinks) s.record(event);
    },
    requestStarted(source) {
      for (const s of sinks) s.requestStarted?.(source);
    },
  };
}
