/** Every metric name Coalmine exports, in one place (docs and the dashboard test read this). */
export const METRIC = {
  requests: 'coalmine_requests_total',
  requestDuration: 'coalmine_request_duration_seconds',
  upstreamTtfb: 'coalmine_upstream_ttfb_seconds',
  upstreamDuration: 'coalmine_upstream_duration_seconds',
  overhead: 'coalmine_overhead_seconds',
  streamAborts: 'coalmine_stream_aborts_total',
  streamChunkOverhead: 'coalmine_stream_chunk_overhead_seconds',
  identityMismatches: 'coalmine_model_identity_mismatches_total',
  fingerprintChanges: 'coalmine_model_fingerprint_changes_total',
  tokens: 'coalmine_tokens_total',
  buildInfo: 'coalmine_build_info',
  verdicts: 'coalmine_verdicts_total',
  responsesEvaluated: 'coalmine_responses_evaluated_total',
  checkErrors: 'coalmine_check_errors_total',
  checkDuration: 'coalmine_check_duration_seconds',
  policyReloads: 'coalmine_policy_reloads_total',
  policyInfo: 'coalmine_policy_info',
  canaryRuns: 'coalmine_canary_runs_total',
  canaryUp: 'coalmine_canary_up',
  canaryLastSuccess: 'coalmine_canary_last_success_timestamp_seconds',
  canaryPvalue: 'coalmine_canary_pvalue',
  canaryTokens: 'coalmine_canary_tokens_total',
  canaryDuration: 'coalmine_canary_duration_seconds',
  quarantined: 'coalmine_quarantined',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];
