/**
 * The incident log: each catalogue event from the record that produces it, with its fields
 * and level; nothing but the documented fields; debug adds lines info does not.
 */
import {
  requestRecord,
  ruleResult,
  verdict,
  canaryRecord,
  quarantineRecord,
} from '../../helpers/records.js';
import { describe, expect, it } from 'vitest';
import { jsonLogger } from '../../../src/log.js';
import type { LogLevel } from '../../../src/model/log.js';
import type { AdminRecord, CanaryRecord, TelemetryEvent } from '../../../src/model/sink.js';
import { IncidentLog } from '../../../src/telemetry/incident-log.js';
import type { LogEventSpec } from '../../../src/telemetry/log-events.js';
import { LOG_EVENTS } from '../../../src/telemetry/log-events.js';

type Line = Record<string, unknown>;

function capture(level: LogLevel = 'debug', access = false) {
  const lines: Line[] = [];
  const raw: string[] = [];
  const log = jsonLogger(level, (l) => {
    raw.push(l);
    lines.push(JSON.parse(l) as Line);
  });
  return { sink: new IncidentLog(log, { access }), lines, raw };
}

const request = requestRecord;
const result = ruleResult;

const canary = (over: Partial<CanaryRecord> = {}): CanaryRecord =>
  canaryRecord({
    result: 'fail',
    previous: 'pass',
    reason: 'expected regex did not match',
    pValue: 0.004,
    tokens: 12,
    durationSeconds: 0.5,
    ...over,
  });

const admin = (over: Partial<AdminRecord> = {}): AdminRecord => ({
  kind: 'admin',
  action: 'auth_failed',
  actor: undefined,
  remote: '10.0.0.7',
  status: 401,
  ...over,
});

interface Case {
  name: string;
  record: TelemetryEvent;
  event: string;
  level: LogLevel;
  fields: Line;
}

const CASES: Case[] = [
  {
    name: 'a canary that starts failing',
    record: canary(),
    event: 'canary_result',
    level: 'warn',
    fields: {
      canary: 'red-planet',
      upstream: 'openai',
      model: 'gpt-4o-mini',
      result: 'fail',
      previous: 'pass',
      p_value: 0.004,
      reason: 'expected regex did not match',
    },
  },
  {
    name: 'a canary first run (a change)',
    record: canary({ result: 'pass', previous: undefined, reason: undefined }),
    event: 'canary_result',
    level: 'info',
    fields: { result: 'pass' },
  },
  {
    name: 'a canary that errors after passing',
    record: canary({ result: 'error', reason: 'upstream_connect_failed' }),
    event: 'canary_result',
    level: 'warn',
    fields: { result: 'error', previous: 'pass' },
  },
  {
    name: 'a canary whose result did not change (debug)',
    record: canary({ result: 'pass', previous: 'pass', reason: undefined }),
    event: 'canary_result',
    level: 'debug',
    fields: { result: 'pass' },
  },
  {
    name: 'a canary an operator policy blocked: an event of its own, not a failure',
    record: canary({ result: 'blocked', reason: 'the answer was blocked by policy "p" rule "r"' }),
    event: 'canary_blocked',
    level: 'warn',
    fields: {
      result: 'blocked',
      previous: 'pass',
      reason: 'the answer was blocked by policy "p" rule "r"',
    },
  },
  {
    name: 'quarantine entered',
    record: quarantineRecord(),
    event: 'quarantine_entered',
    level: 'warn',
    fields: { upstream: 'openai', model: 'gpt-4o-mini', reason: 'canary_failure' },
  },
  {
    name: 'quarantine released by a named token',
    record: quarantineRecord({ quarantined: false, by: 'oncall' }),
    event: 'quarantine_released',
    level: 'info',
    fields: { by: 'oncall', canary: 'red-planet' },
  },
  {
    name: 'quarantine released by no one in particular',
    record: quarantineRecord({
      quarantined: false,
      reason: 'identity_mismatch',
      canary: undefined,
    }),
    event: 'quarantine_released',
    level: 'info',
    fields: { by: 'admin' },
  },
  {
    name: 'an identity mismatch (reported model cut to 120)',
    record: request({
      identity: { mismatch: true, fingerprintChanged: false },
      responseModel: 'x'.repeat(500),
    }),
    event: 'identity_mismatch',
    level: 'warn',
    fields: { upstream: 'openai', model: 'gpt-4o-mini', reported_model: `${'x'.repeat(120)}…` },
  },
  {
    name: 'a fingerprint change',
    record: request({ identity: { mismatch: false, fingerprintChanged: true } }),
    event: 'fingerprint_changed',
    level: 'warn',
    fields: { fingerprint: 'fp_1', request_id: 'req-1' },
  },
  {
    name: 'a policy load at start',
    record: {
      kind: 'policy_reload',
      result: 'success',
      version: 'v2',
      previousVersion: undefined,
      issues: [],
    },
    event: 'policy_reloaded',
    level: 'debug',
    fields: { version: 'v2' },
  },
  {
    name: 'a policy reload',
    record: {
      kind: 'policy_reload',
      result: 'success',
      version: 'v2',
      previousVersion: 'v1',
      issues: [],
    },
    event: 'policy_reloaded',
    level: 'info',
    fields: { version: 'v2', previous_version: 'v1' },
  },
  {
    name: 'a refused reload',
    record: {
      kind: 'policy_reload',
      result: 'failure',
      version: 'v1',
      previousVersion: 'v1',
      issues: ['p.yaml:3:5: unknown check "nope"'],
    },
    event: 'policy_reload_failed',
    level: 'error',
    fields: { result: 'failure', issues: ['p.yaml:3:5: unknown check "nope"'] },
  },
  {
    name: 'an upstream error',
    record: request({ status: 502, upstreamError: 'upstream_connect_failed', output: undefined }),
    event: 'upstream_error',
    level: 'warn',
    fields: { reason: 'upstream_connect_failed', status: 502, request_id: 'req-1' },
  },
  {
    name: 'a refused admin credential',
    record: admin(),
    event: 'admin_auth_failed',
    level: 'warn',
    fields: { remote: '10.0.0.7' },
  },
  {
    name: 'an admin action',
    record: admin({ action: 'POST /admin/reload', actor: 'oncall', status: 200 }),
    event: 'admin_action',
    level: 'info',
    fields: { action: 'POST /admin/reload', actor: 'oncall', status: 200 },
  },
  {
    name: 'a blocked response',
    record: request({
      status: 400,
      errorCode: 'POLICY_BLOCKED',
      verdict: verdict('block', [result({ action: 'block', rule: 'no-exfil' })]),
    }),
    event: 'response_blocked',
    level: 'warn',
    fields: { policy: 'default', rule: 'no-exfil', mode: 'enforce', status: 400 },
  },
  {
    name: 'a redacted response',
    record: request({ verdict: verdict('redact', [result(), result({ choice: 1 })]) }),
    event: 'response_redacted',
    level: 'info',
    fields: { policy: 'default', rule: 'leaked-credentials', request_id: 'req-1' },
  },
  {
    name: 'a shadow-mode rule that would have blocked',
    record: request({
      verdict: verdict('pass', [result({ action: 'block', mode: 'shadow', rule: 'strict' })]),
    }),
    event: 'response_flagged',
    level: 'debug',
    fields: { rule: 'strict', action: 'block', mode: 'shadow' },
  },
  {
    name: 'a check that threw',
    record: request({
      verdict: verdict('pass', [result({ status: 'error', spans: [], detail: 'boom' })]),
    }),
    event: 'check_error',
    level: 'warn',
    fields: { check: 'secrets', rule: 'leaked-credentials' },
  },
  {
    name: 'a stream the client left',
    record: request({ stream: true, status: 499, abortReason: 'client_disconnect' }),
    event: 'stream_aborted',
    level: 'info',
    fields: { reason: 'client_disconnect' },
  },
  {
    name: 'a stream cut by an upstream error',
    record: request({ stream: true, abortReason: 'upstream_error' }),
    event: 'stream_aborted',
    level: 'warn',
    fields: { reason: 'upstream_error' },
  },
  {
    name: 'every request at debug',
    record: request(),
    event: 'request',
    level: 'debug',
    fields: {
      method: 'POST',
      path: '/v1/chat/completions',
      status: 200,
      decision: 'pass',
      duration_ms: 250,
      source: 'live',
    },
  },
];

const documented = (event: string) => (LOG_EVENTS as Record<string, LogEventSpec>)[event];

describe('incident log: each event from its record', () => {
  it.each(CASES)('$name → $event', ({ record, event, level, fields }) => {
    const { sink, lines } = capture('debug');
    sink.record(record);
    const line = lines.find((l) => l['event'] === event);
    expect(line, JSON.stringify(lines)).toMatchObject({ level, event, ...fields });
    for (const l of lines) {
      expect(l['time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      expect(typeof l['msg']).toBe('string');
      const spec = documented(String(l['event']));
      expect(spec, `${String(l['event'])} is in the catalogue`).toBeDefined();
      expect(spec!.levels).toContain(l['level']);
      const extra = Object.keys(l).filter(
        (k) => !['time', 'level', 'event', 'msg'].includes(k) && !(k in spec!.fields),
      );
      expect(extra, `undocumented fields of ${String(l['event'])}`).toEqual([]);
    }
  });

  it('never writes a rule’s detail, and one line per rule however many choices', () => {
    const { sink, lines, raw } = capture('debug');
    sink.record(request({ verdict: verdict('redact', [result(), result({ choice: 1 })]) }));
    expect(lines.filter((l) => l['event'] === 'response_redacted')).toHaveLength(1);
    expect(raw.join('')).not.toContain('DETAIL-MARKER');
  });

  it('a redaction that lost to a block is not logged as a redaction', () => {
    const { sink, lines } = capture('debug');
    sink.record(
      request({ verdict: verdict('block', [result(), result({ action: 'block', rule: 'b' })]) }),
    );
    expect(lines.map((l) => l['event'])).not.toContain('response_redacted');
    expect(lines.map((l) => l['event'])).toContain('response_blocked');
  });

  it('debug adds lines info does not; log.access puts the request line at info', () => {
    const records: TelemetryEvent[] = [
      request({ verdict: verdict('flag', [result({ action: 'flag', rule: 'pii' })]) }),
      canary({ result: 'pass', previous: 'pass', reason: undefined }),
    ];
    const events = (level: LogLevel, access: boolean) => {
      const { sink, lines } = capture(level, access);
      for (const r of records) sink.record(r);
      return lines.map((l) => l['event']);
    };
    expect(events('info', false)).toEqual([]);
    expect(events('info', true)).toEqual(['request']);
    expect(events('debug', false).sort()).toEqual(
      ['canary_result', 'request', 'response_flagged', 'rules_evaluated'].sort(),
    );
  });
});
