/** What of the telemetry becomes an audit record, and what it may say (issue 16, item 2). */
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/audit/record.js';
import { AuditSink } from '../../../src/audit/sink.js';
import type { RequestRecord, TelemetryEvent } from '../../../src/model/sink.js';
import type { RuleResult } from '../../../src/model/verdict.js';
import { canaryRecord, quarantineRecord, requestRecord, verdict } from '../../helpers/records.js';

const rule = (over: Partial<RuleResult> = {}): RuleResult => ({
  policy: 'secrets',
  rule: 'aws-key',
  check: 'secrets',
  action: 'block',
  severity: 'high',
  mode: 'enforce',
  status: 'fail',
  choice: 0,
  spans: [{ start: 3, end: 23 }],
  matched: ['ab'.repeat(32)],
  detail: 'an AWS access key id',
  durationSeconds: 0.001,
  ...over,
});

const request = (over: Partial<RequestRecord> = {}): RequestRecord =>
  requestRecord({ identity: undefined, ...over });

const swapped = (model: string, fp = 'fp_1') =>
  request({
    responseModel: model,
    responseFingerprint: fp,
    identity: { mismatch: true, fingerprintChanged: fp !== 'fp_1' },
  });

function recorded(...events: TelemetryEvent[]): AuditEvent[] {
  const out: AuditEvent[] = [];
  const sink = new AuditSink({ append: (e) => out.push(e) });
  for (const e of events) sink.record(e);
  return out;
}

const canary = (result: 'pass' | 'fail' | 'error', previous?: 'pass' | 'fail' | 'error') =>
  canaryRecord({
    result,
    previous,
    reason: result === 'pass' ? undefined : 'expected "…", got "…"',
    tokens: 10,
    durationSeconds: 0.2,
  });

describe('audit sink', () => {
  it.each<[string, TelemetryEvent[], AuditEvent[]]>([
    ['a passed response: nothing', [request()], []],
    [
      'a block: policy, rule, action, mode and the digest of what matched',
      [
        request({
          status: 400,
          verdict: verdict('block', [rule(), rule({ status: 'pass', rule: 'ok', matched: [] })]),
        }),
      ],
      [
        {
          type: 'decision',
          request_id: 'req-1',
          source: 'live',
          upstream: 'openai',
          model: 'gpt-4o-mini',
          decision: 'block',
          status: 400,
          policy_version: 'v1',
          blocked_by: 'secrets/aws-key',
          rules: [
            {
              policy: 'secrets',
              rule: 'aws-key',
              check: 'secrets',
              action: 'block',
              mode: 'enforce',
              status: 'fail',
              severity: 'high',
              choice: 0,
              matched_sha256: ['ab'.repeat(32)],
            },
          ],
        },
      ],
    ],
    [
      'a shadow rule that failed on a passed response is recorded',
      [request({ verdict: verdict('pass', [rule({ mode: 'shadow' })]) })],
      [
        expect.objectContaining({
          type: 'decision',
          decision: 'pass',
          rules: [expect.objectContaining({ mode: 'shadow' })],
        }),
      ],
    ],
    [
      'a quarantine hold',
      [request({ status: 423, errorCode: 'MODEL_QUARANTINED' })],
      [expect.objectContaining({ type: 'decision', decision: 'quarantined', rules: [] })],
    ],
    [
      "a canary's flagged answer is not a decision to record; its blocked answer is",
      [
        request({ source: 'canary', verdict: verdict('flag', [rule({ action: 'flag' })]) }),
        request({ source: 'canary', verdict: verdict('block', [rule()]) }),
      ],
      [expect.objectContaining({ type: 'decision', source: 'canary', decision: 'block' })],
    ],
    [
      'a swapped model: one record per change of what is reported, not per response',
      [swapped('impostor-1'), swapped('impostor-1'), swapped('impostor-2', 'fp_2')],
      [
        expect.objectContaining({
          type: 'identity_mismatch',
          reported_model: 'impostor-1',
          reported_fingerprint: 'fp_1',
        }),
        expect.objectContaining({ type: 'identity_mismatch', reported_model: 'impostor-2' }),
        expect.objectContaining({ type: 'fingerprint_changed', reported_fingerprint: 'fp_2' }),
      ],
    ],
    [
      'upstream-reported strings are bounded',
      [swapped('x'.repeat(5000))],
      [expect.objectContaining({ reported_model: `${'x'.repeat(256)}…` })],
    ],
    [
      'canary results: only changes of state (the first run counts)',
      [canary('pass'), canary('pass', 'pass'), canary('fail', 'pass'), canary('fail', 'fail')],
      [
        expect.objectContaining({ type: 'canary_result', result: 'pass', previous: null }),
        expect.objectContaining({
          type: 'canary_result',
          result: 'fail',
          previous: 'pass',
          reason: 'expected "…", got "…"',
        }),
      ],
    ],
    [
      'quarantine and release, with who released it and where it started',
      [
        quarantineRecord(),
        quarantineRecord({ quarantined: false, by: 'oncall' }),
        quarantineRecord({ origin: 'shared' }),
      ],
      [
        {
          type: 'quarantine_entered',
          upstream: 'openai',
          model: 'gpt-4o-mini',
          reason: 'canary_failure',
          canary: 'red-planet',
          origin: 'here',
        },
        {
          type: 'quarantine_released',
          upstream: 'openai',
          model: 'gpt-4o-mini',
          reason: 'canary_failure',
          canary: 'red-planet',
          by: 'oncall',
          origin: 'here',
        },
        {
          type: 'quarantine_entered',
          upstream: 'openai',
          model: 'gpt-4o-mini',
          reason: 'canary_failure',
          canary: 'red-planet',
          origin: 'shared',
        },
      ],
    ],
    [
      'policy reloads with the version',
      [
        {
          kind: 'policy_reload',
          result: 'failure',
          version: 'v1',
          previousVersion: 'v1',
          issues: ['p.yaml:3:5: unknown check'],
        },
      ],
      [
        {
          type: 'policy_reload',
          result: 'failure',
          version: 'v1',
          previous_version: 'v1',
          issues: ['p.yaml:3:5: unknown check'],
        },
      ],
    ],
    [
      'admin actions and refused credentials',
      [
        {
          kind: 'admin',
          action: 'POST /admin/reload',
          actor: 'oncall',
          remote: '10.0.0.2',
          status: 200,
        },
        { kind: 'admin', action: 'auth_failed', actor: undefined, remote: '10.0.0.9', status: 401 },
      ],
      [
        {
          type: 'admin_action',
          action: 'POST /admin/reload',
          actor: 'oncall',
          remote: '10.0.0.2',
          status: 200,
        },
        { type: 'admin_auth_failed', remote: '10.0.0.9' },
      ],
    ],
  ])('%s', (_name, events, expected) => {
    expect(recorded(...events)).toEqual(expected);
  });

  it('a release forgets the reported identity: the same impostor after it is recorded again', () => {
    const release = quarantineRecord({
      quarantined: false,
      reason: 'identity_mismatch',
      canary: undefined,
      by: 'admin',
    });
    const types = recorded(swapped('impostor'), release, swapped('impostor')).map((e) => e.type);
    expect(types).toEqual(['identity_mismatch', 'quarantine_released', 'identity_mismatch']);
  });

  it('never carries the detail text or the spans of a result', () => {
    const [e] = recorded(
      request({ verdict: verdict('redact', [rule({ action: 'redact', detail: 'DETAIL-TEXT' })]) }),
    );
    expect(JSON.stringify(e)).not.toMatch(/DETAIL-TEXT|"start"|"end"/);
  });
});
