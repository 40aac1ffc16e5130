/**
 * Every metric Coalmine exports: name, type, labels and meaning, in one place. The Prometheus
 * sink builds its metrics from this table, the README's metric table is generated from it,
 * and the dashboard and alert-rule tests check their queries against it.
 *
 * Label values are bounded: `route` is an adapter id or `passthrough`; `upstream` a
 * configured name (or `none`); `model` a requested model configured under the upstream's
 * `models:` or probed by a canary, every other name `other`; `canary` a configured id;
 * `policy`/`rule`/`check` come from loaded files; `reason`, `code`, `decision`, `result`,
 * `type` and `source` (`live` | `canary`) from fixed sets.
 */
export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricSpec {
  name: string;
  type: MetricType;
  labels: readonly string[];
  help: string;
  /** Histograms: bucket upper bounds, in the metric's unit. */
  buckets?: readonly number[];
}

const LATENCY = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const OVERHEAD = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];
const CHUNK = [0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.005];
const CHECK = [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1];
const CHARS = [0, 16, 64, 256, 1024, 4096, 16384, 65536, 262144];
const TOKENS = [1, 4, 16, 64, 256, 1024, 4096, 16384];

const m = (
  name: string,
  type: MetricType,
  labels: readonly string[],
  help: string,
  buckets?: readonly number[],
): MetricSpec => (buckets ? { name, type, labels, help, buckets } : { name, type, labels, help });

export const CATALOGUE = {
  requests: m(
    'coalmine_requests_total',
    'counter',
    ['route', 'upstream', 'code', 'source', 'decision'],
    'Requests answered, by route, upstream, HTTP status, source (live or canary) and decision (pass, flag, redact, block, quarantined; what `x-coalmine-decision` says, or would have said: a block mid-stream is counted as block with the status 200 it was sent with).',
  ),
  inflightRequests: m(
    'coalmine_inflight_requests',
    'gauge',
    [],
    'Requests being proxied now (live and canary), from arrival until the response ends.',
  ),
  requestsRefused: m(
    'coalmine_requests_refused_total',
    'counter',
    ['reason'],
    'Requests refused before their body was read: too_large (over limits.request_body, 413), budget (limits.request_bytes_in_flight exhausted, 503) or body_timeout (the body stopped arriving for 10 s, 408).',
  ),
  requestBytesInFlight: m(
    'coalmine_request_bytes_in_flight',
    'gauge',
    [],
    'Request body bytes held in memory now, all requests together (capped by limits.request_bytes_in_flight).',
  ),
  requestDuration: m(
    'coalmine_request_duration_seconds',
    'histogram',
    ['route', 'upstream', 'source'],
    'Time from request arrival to the end of the response, by source (live or canary).',
    LATENCY,
  ),
  upstreamTtfb: m(
    'coalmine_upstream_ttfb_seconds',
    'histogram',
    ['upstream'],
    'Time from dispatching the upstream request to its response headers.',
    LATENCY,
  ),
  upstreamDuration: m(
    'coalmine_upstream_duration_seconds',
    'histogram',
    ['upstream'],
    'Time the upstream call took, dispatch to last byte.',
    LATENCY,
  ),
  upstreamErrors: m(
    'coalmine_upstream_errors_total',
    'counter',
    ['upstream', 'reason'],
    'Upstream calls that failed: connect, timeout, malformed or broken body (error code), or a 5xx status (upstream_5xx).',
  ),
  overhead: m(
    'coalmine_overhead_seconds',
    'histogram',
    ['route'],
    "Time Coalmine added before the client's first byte, upstream waiting excluded.",
    OVERHEAD,
  ),
  streamAborts: m(
    'coalmine_stream_aborts_total',
    'counter',
    ['reason'],
    'Streams ended early, by reason (client_disconnect, upstream_error, policy_block, quarantined, timeout, too_large, internal).',
  ),
  streamChunkOverhead: m(
    'coalmine_stream_chunk_overhead_seconds',
    'histogram',
    [],
    'Time Coalmine spent on one upstream stream chunk (parse, streaming checks, write).',
    CHUNK,
  ),
  tokens: m(
    'coalmine_tokens_total',
    'counter',
    ['upstream', 'model', 'type'],
    'Tokens the upstream reported, by type (input, output); live and canary traffic.',
  ),
  outputChars: m(
    'coalmine_output_chars',
    'histogram',
    ['upstream', 'model'],
    'Live traffic: characters of output per response (all choices and tool-call arguments).',
    CHARS,
  ),
  outputTokens: m(
    'coalmine_output_tokens',
    'histogram',
    ['upstream', 'model'],
    'Live traffic: output tokens per response, as the upstream reported them.',
    TOKENS,
  ),
  refusals: m(
    'coalmine_refusals_total',
    'counter',
    ['upstream', 'model'],
    'Live traffic: responses in which the model refused (refusal markers or finish reason).',
  ),
  finishReasons: m(
    'coalmine_finish_reasons_total',
    'counter',
    ['upstream', 'model', 'reason'],
    'Live traffic: choices by finish reason (stop, length, tool_calls, content_filter, …; others: other).',
  ),
  decisions: m(
    'coalmine_decisions_total',
    'counter',
    ['upstream', 'model', 'decision'],
    'Live traffic: model responses by policy decision (pass, flag, redact, block).',
  ),
  verdicts: m(
    'coalmine_verdicts_total',
    'counter',
    ['policy', 'rule', 'check', 'action', 'mode'],
    'Rules that fired, by policy, rule, check, action (done, or in shadow mode would have been done) and mode.',
  ),
  responsesEvaluated: m(
    'coalmine_responses_evaluated_total',
    'counter',
    ['decision'],
    'Responses evaluated by at least one policy, by decision.',
  ),
  checkErrors: m(
    'coalmine_check_errors_total',
    'counter',
    ['check'],
    'Checks that threw: internal errors, governed by on_error (overruns and over-long output are not errors).',
  ),
  checkDuration: m(
    'coalmine_check_duration_seconds',
    'histogram',
    ['check'],
    'Time one check took on one choice.',
    CHECK,
  ),
  identityMismatches: m(
    'coalmine_model_identity_mismatches_total',
    'counter',
    ['upstream', 'model'],
    'Responses whose reported model differs from the pin (or the first one seen).',
  ),
  fingerprintChanges: m(
    'coalmine_model_fingerprint_changes_total',
    'counter',
    ['upstream', 'model'],
    'Responses whose system fingerprint is not pinned, or changed from the last one seen.',
  ),
  quarantined: m(
    'coalmine_quarantined',
    'gauge',
    ['upstream', 'model'],
    'Whether the model on the upstream is in quarantine (1) or not (0).',
  ),
  stateBackendUp: m(
    'coalmine_state_backend_up',
    'gauge',
    ['backend'],
    'Whether the shared state backend (`state.backend: redis`) is connected (1) or not (0: the replica serves its last known state and retries); absent with `state.backend: memory`.',
  ),
  canaryLeaseHeld: m(
    'coalmine_canary_lease_held',
    'gauge',
    [],
    "Whether this replica runs the canary schedule (1) or another replica holds the canary lease (0); with `state.backend: redis` only. Every replica that cannot reach Redis for a lease's time runs the canaries itself (1).",
  ),
  canaryRuns: m(
    'coalmine_canary_runs_total',
    'counter',
    ['canary', 'result'],
    'Canary runs, by canary and result (pass, fail, error, blocked: an operator policy blocked its answer, so the model could not be judged).',
  ),
  canaryUp: m(
    'coalmine_canary_up',
    'gauge',
    ['canary'],
    'Whether the last judged run of the canary passed (1) or not (0); a run whose answer a policy blocked leaves it as it was.',
  ),
  canaryBlocked: m(
    'coalmine_canary_blocked',
    'gauge',
    ['canary'],
    "Whether the canary's last run was blocked by an operator policy (1): the canary cannot judge the model until the policy or the canary changes.",
  ),
  canaryLastSuccess: m(
    'coalmine_canary_last_success_timestamp_seconds',
    'gauge',
    ['canary'],
    'Unix time of the last passing run of the canary.',
  ),
  canaryLastRun: m(
    'coalmine_canary_last_run_timestamp_seconds',
    'gauge',
    ['canary'],
    'Unix time of the last run of the canary, whatever its result.',
  ),
  canaryInterval: m(
    'coalmine_canary_interval_seconds',
    'gauge',
    ['canary'],
    'The configured interval between runs of the canary (before jitter).',
  ),
  canaryPvalue: m(
    'coalmine_canary_pvalue',
    'gauge',
    ['canary'],
    'Distribution and logprob canaries: p-value of the last two-sample test against the baseline.',
  ),
  canaryEvidence: m(
    'coalmine_canary_evidence',
    'gauge',
    ['canary'],
    'Sequential distribution canaries: the running evidence that the model changed (a test martingale: 1 at the start, carried across runs and restarts); the canary fails when it reaches coalmine_canary_evidence_threshold.',
  ),
  canaryEvidenceThreshold: m(
    'coalmine_canary_evidence_threshold',
    'gauge',
    ['canary'],
    'Sequential distribution canaries: the evidence at which the canary fails (1/alpha, stricter after each restart of monitoring).',
  ),
  canaryTokens: m(
    'coalmine_canary_tokens_total',
    'counter',
    ['canary'],
    'Tokens canary runs cost (input and output, as the upstream reported them).',
  ),
  canaryDuration: m(
    'coalmine_canary_duration_seconds',
    'histogram',
    ['canary'],
    'Time one canary run took (all of its calls).',
    LATENCY,
  ),
  auditRecords: m(
    'coalmine_audit_records_total',
    'counter',
    [],
    'Records written to the audit log (audit.path), its own gap records included.',
  ),
  auditDropped: m(
    'coalmine_audit_dropped_total',
    'counter',
    [],
    'Audit events lost: the queue was full or a write failed. Each loss is also recorded in the chain as a gap record with its count.',
  ),
  auditWriteFailures: m(
    'coalmine_audit_write_failures_total',
    'counter',
    [],
    'Writes to the audit file that failed (disk full, permissions); their records count as dropped.',
  ),
  auditQueueDepth: m(
    'coalmine_audit_queue_depth',
    'gauge',
    [],
    'Audit events waiting to be written (bounded; past the bound they are dropped).',
  ),
  policyReloads: m(
    'coalmine_policy_reloads_total',
    'counter',
    ['result'],
    'Policy set loads (at start and on reload), by result: success, failure (invalid, refused), file_removed (refused: it would drop a file the serving set was loaded from).',
  ),
  policyLastReload: m(
    'coalmine_policy_last_reload_success',
    'gauge',
    [],
    'Whether the last policy load or reload succeeded (1) or was refused (0).',
  ),
  policyInfo: m(
    'coalmine_policy_info',
    'gauge',
    ['version'],
    'The policy set version serving; always 1.',
  ),
  buildInfo: m(
    'coalmine_build_info',
    'gauge',
    ['version', 'nodejs'],
    'Build information; always 1.',
  ),
} as const satisfies Record<string, MetricSpec>;

export type MetricKey = keyof typeof CATALOGUE;

/** Metric names by key. */
export const METRIC = Object.fromEntries(
  Object.entries(CATALOGUE).map(([k, v]) => [k, v.name]),
) as { [K in MetricKey]: (typeof CATALOGUE)[K]['name'] };

/** The README's metric table (markdown). */
export function metricsTable(): string {
  const rows = Object.values(CATALOGUE).map(
    (s: MetricSpec) =>
      `| \`${s.name}\` | ${s.type} | ${s.labels.map((l) => `\`${l}\``).join(', ') || '–'} | ${s.help.replace(/\|/g, '\\|')} |`,
  );
  return ['| name | type | labels | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** Known finish reasons across providers; anything else is counted as `other`. */
export const FINISH_REASONS: ReadonlySet<string> = new Set([
  'stop',
  'length',
  'tool_calls',
  'function_call',
  'content_filter',
  'end_turn',
  'max_tokens',
  'stop_sequence',
  'tool_use',
  'refusal',
  'pause_turn',
]);
