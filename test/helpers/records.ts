/** Telemetry records for sink tests: a complete value of each, overridden per case. */
import type { CanaryRecord, QuarantineRecord, RequestRecord } from '../../src/model/sink.js';
import type { RuleResult, Verdict } from '../../src/model/verdict.js';

export const requestRecord = (over: Partial<RequestRecord> = {}): RequestRecord => ({
  kind: 'request',
  requestId: 'req-1',
  source: 'live',
  method: 'POST',
  path: '/v1/chat/completions',
  route: 'openai.chat',
  upstream: 'openai',
  status: 200,
  stream: false,
  requestModel: 'gpt-4o-mini',
  model: 'gpt-4o-mini',
  responseModel: 'gpt-4o-mini-2024-07-18',
  finishReasons: ['stop'],
  usage: undefined,
  durationSeconds: 0.25,
  upstreamTtfbSeconds: 0.1,
  upstreamDurationSeconds: 0.2,
  overheadSeconds: 0.001,
  errorCode: undefined,
  abortReason: undefined,
  verdict: undefined,
  chunkSeconds: [],
  output: { chars: 10, refused: false },
  upstreamError: undefined,
  identity: { mismatch: false, fingerprintChanged: false },
  responseFingerprint: 'fp_1',
  ...over,
});

export const ruleResult = (over: Partial<RuleResult> = {}): RuleResult => ({
  policy: 'default',
  rule: 'leaked-credentials',
  check: 'secrets',
  action: 'redact',
  severity: 'critical',
  mode: 'enforce',
  status: 'fail',
  choice: 0,
  spans: [{ start: 0, end: 4 }],
  detail: 'found an AWS key DETAIL-MARKER',
  durationSeconds: 0.001,
  ...over,
});

export const verdict = (decision: Verdict['decision'], results: RuleResult[]): Verdict => ({
  decision,
  policyVersion: 'v1',
  results,
  blockedBy: decision === 'block' ? results.find((r) => r.action === 'block') : undefined,
});

export const canaryRecord = (over: Partial<CanaryRecord> = {}): CanaryRecord => ({
  kind: 'canary',
  canary: 'red-planet',
  upstream: 'openai',
  model: 'gpt-4o-mini',
  result: 'pass',
  previous: undefined,
  reason: undefined,
  pValue: undefined,
  evidence: undefined,
  tokens: 0,
  durationSeconds: 0,
  finishedAt: 0,
  ...over,
});

/** A model entering quarantine (`quarantined: false` with `by`: a release). */
export const quarantineRecord = (over: Partial<QuarantineRecord> = {}): QuarantineRecord => ({
  kind: 'quarantine',
  upstream: 'openai',
  model: 'gpt-4o-mini',
  quarantined: true,
  reason: 'canary_failure',
  canary: 'red-planet',
  by: undefined,
  origin: 'here',
  ...over,
});
