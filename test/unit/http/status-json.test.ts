/**
 * `GET /status.json`: its shape and content from real identity, quarantine and decision
 * state, and what it must never show (client-chosen model names, canary reasons, URLs).
 */
import { describe, expect, it } from 'vitest';
import { IdentityTracker } from '../../../src/canary/identity.js';
import { Quarantine } from '../../../src/canary/quarantine.js';
import type { CanaryResult } from '../../../src/canary/runner.js';
import type { StatusSources } from '../../../src/http/status-json.js';
import { MAX_SHOWN_CHARS, shown, statusJson } from '../../../src/http/status-json.js';
import { noopSink } from '../../../src/model/sink.js';
import type { RequestRecord } from '../../../src/model/sink.js';
import { RecentDecisions } from '../../../src/telemetry/recent-decisions.js';

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

const CANARIES = [
  { id: 'passes', upstream: 'openai', model: 'gpt-4o-mini', everyMs: 600_000 },
  { id: 'fails', upstream: 'openai', model: 'gpt-4o-mini', everyMs: 60_000 },
  { id: 'errs', upstream: 'local', model: 'llama3', everyMs: 3_600_000 },
  { id: 'never-ran', upstream: 'local', model: 'llama3', everyMs: 300_000 },
];

const result = (over: Partial<CanaryResult>): CanaryResult =>
  ({
    result: 'pass',
    reasons: ['the answer was "SECRET ANSWER TEXT"'],
    pValue: undefined,
    evidence: undefined,
    finishedAt: NOW - 5000,
    ...over,
  }) as CanaryResult;

function sources() {
  const identity = new IdentityTracker(
    new Map([
      [
        'openai',
        { 'gpt-4o-mini': { expect_model: 'gpt-4o-mini-2024-07-18', fingerprints: ['fp_a'] } },
      ],
      ['local', { llama3: {} }],
    ]),
  );
  const quarantine = new Quarantine(
    new Map([
      [
        'openai',
        { on: ['canary_failure', 'identity_mismatch'] as const, action: 'block' as const },
      ],
      ['local', { on: ['identity_mismatch'] as const, action: 'flag' as const }],
    ]),
    (u, m) => identity.label(u, m),
    noopSink,
  );
  const results = new Map<string, CanaryResult>([
    [
      'passes',
      result({
        result: 'pass',
        finishedAt: NOW - 5000,
        evidence: { value: 3.5, threshold: 164.5, completions: 40, epoch: 0, alarmed: false },
      }),
    ],
    ['fails', result({ result: 'fail', pValue: 0.0004, finishedAt: NOW - 1000 })],
    ['errs', result({ result: 'error', finishedAt: NOW - 2000 })],
  ]);
  const decisions = new RecentDecisions(() => NOW);
  const src: StatusSources = {
    version: '9.9.9',
    upstreams: ['openai', 'local'],
    identity,
    quarantine,
    canaries: {
      canaries: CANARIES as unknown as StatusSources['canaries']['canaries'],
      lastResult: (id) => results.get(id),
      nextRun: (id) => (id === 'passes' ? NOW + 30_000 : undefined),
    },
    policies: {
      current: { version: 'abc123' } as StatusSources['policies']['current'],
      lastReload: {
        at: new Date(NOW - 60_000),
        ok: false,
        result: 'failure',
        version: 'abc123',
        issues: [{ file: '/etc/secret/policies.yaml', line: 1, col: 1, message: 'bad' }],
      },
    },
    decisions,
    now: () => NOW,
  };
  return { src, identity, quarantine, decisions };
}

describe('GET /status.json', () => {
  it('shows upstreams, identity, quarantine, canaries, the policy set and decisions', () => {
    const { src, identity, quarantine, decisions } = sources();
    identity.observe({
      upstream: 'openai',
      requested: 'gpt-4o-mini',
      model: 'gpt-4o-mini-2025-01-01',
      fingerprint: 'fp_b',
    });
    quarantine.record({
      kind: 'canary',
      canary: 'fails',
      upstream: 'openai',
      model: 'gpt-4o-mini',
      previous: undefined,
      reason: undefined,
      result: 'fail',
      pValue: 0.0004,
      evidence: undefined,
      tokens: 1,
      durationSeconds: 1,
      finishedAt: NOW,
    });
    const live = (decision: 'block' | 'redact' | 'flag' | undefined) =>
      ({
        kind: 'request',
        source: 'live',
        verdict: decision && { decision, policyVersion: 'v', results: [], blockedBy: undefined },
      }) as RequestRecord;
    for (const d of ['block', 'block', 'redact', 'flag', undefined] as const)
      decisions.record(live(d));

    const s = statusJson(src);
    const since = quarantine.list()[0]!.since.toISOString();
    expect(s).toEqual({
      version: '9.9.9',
      generated_at: iso(NOW),
      upstreams: [
        {
          name: 'openai',
          models: [
            {
              model: 'gpt-4o-mini',
              pinned_model: 'gpt-4o-mini-2024-07-18',
              pinned_fingerprints: ['fp_a'],
              observed_model: 'gpt-4o-mini-2025-01-01',
              observed_fingerprint: 'fp_b',
              observed_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as string,
              identity_mismatch: true,
              quarantine: {
                reason: 'canary_failure',
                canary: 'fails',
                action: 'block',
                since,
                events: 1,
              },
            },
          ],
        },
        {
          name: 'local',
          models: [
            {
              model: 'llama3',
              pinned_model: null,
              pinned_fingerprints: [],
              observed_model: null,
              observed_fingerprint: null,
              observed_at: null,
              identity_mismatch: false,
              quarantine: null,
            },
          ],
        },
      ],
      canaries: [
        {
          id: 'passes',
          upstream: 'openai',
          model: 'gpt-4o-mini',
          every_seconds: 600,
          result: 'pass',
          p_value: null,
          evidence: 3.5,
          evidence_threshold: 164.5,
          last_run_at: iso(NOW - 5000),
          next_run_at: iso(NOW + 30_000),
        },
        {
          id: 'fails',
          upstream: 'openai',
          model: 'gpt-4o-mini',
          every_seconds: 60,
          result: 'fail',
          p_value: 0.0004,
          evidence: null,
          evidence_threshold: null,
          last_run_at: iso(NOW - 1000),
          next_run_at: null,
        },
        {
          id: 'errs',
          upstream: 'local',
          model: 'llama3',
          every_seconds: 3600,
          result: 'error',
          p_value: null,
          evidence: null,
          evidence_threshold: null,
          last_run_at: iso(NOW - 2000),
          next_run_at: null,
        },
        {
          id: 'never-ran',
          upstream: 'local',
          model: 'llama3',
          every_seconds: 300,
          result: null,
          p_value: null,
          evidence: null,
          evidence_threshold: null,
          last_run_at: null,
          next_run_at: null,
        },
      ],
      policies: {
        version: 'abc123',
        last_reload: { result: 'failure', ok: false, at: iso(NOW - 60_000) },
      },
      decisions: {
        window_seconds: 3600,
        blocked: 2,
        redacted: 1,
        flagged: 1,
        quarantined: 0,
        passed: 1,
      },
    });
  });

  it('never shows client-chosen model names, canary reasons or policy file paths', () => {
    const { src, identity, quarantine } = sources();
    const junk = 'junk-<script>-model-from-a-client';
    identity.observe({
      upstream: 'openai',
      requested: junk,
      model: 'first-reported-for-junk',
      fingerprint: 'f1',
    });
    // A second answer for the junk name with another model: `other` goes into quarantine.
    const outcome = identity.observe({
      upstream: 'openai',
      requested: junk,
      model: 'reported-for-junk',
      fingerprint: 'f1',
    });
    quarantine.record({
      kind: 'request',
      upstream: 'openai',
      model: identity.label('openai', junk),
      identity: outcome,
    } as RequestRecord);
    expect(identity.observed('openai', junk)).toBeUndefined();

    const s = statusJson(src);
    const openai = s.upstreams.find((u) => u.name === 'openai')!;
    expect(openai.models.map((m) => m.model)).toEqual(['gpt-4o-mini', 'other']);
    expect(openai.models[1]).toMatchObject({
      model: 'other',
      observed_model: null,
      observed_fingerprint: null,
      quarantine: { reason: 'identity_mismatch', action: 'block' },
    });
    const text = JSON.stringify(s);
    for (const hidden of [
      junk,
      'reported-for-junk',
      'first-reported-for-junk',
      'SECRET ANSWER TEXT',
      '/etc/secret',
    ])
      expect(text).not.toContain(hidden);
  });

  it.each([
    ['a short name', 'gpt-4o-mini-2024-07-18', 'gpt-4o-mini-2024-07-18'],
    ['exactly the limit', 'a'.repeat(MAX_SHOWN_CHARS), 'a'.repeat(MAX_SHOWN_CHARS)],
    ['one over the limit', 'a'.repeat(MAX_SHOWN_CHARS + 1), `${'a'.repeat(MAX_SHOWN_CHARS - 1)}…`],
    ['a huge name (kept as its digest)', 'x'.repeat(10_000), undefined],
    [
      'a surrogate pair across the cut',
      `${'a'.repeat(MAX_SHOWN_CHARS - 2)}😀tail`,
      `${'a'.repeat(MAX_SHOWN_CHARS - 2)}…`,
    ],
  ])('an observed model: %s', (_name, reported, expected) => {
    const { src, identity } = sources();
    identity.observe({
      upstream: 'local',
      requested: 'llama3',
      model: reported,
      fingerprint: undefined,
    });
    const m = statusJson(src).upstreams[1]!.models[0]!;
    expect(m.observed_model!.length).toBeLessThanOrEqual(MAX_SHOWN_CHARS);
    if (expected === undefined) expect(m.observed_model).toMatch(/^sha256:[0-9a-f]{64}$/);
    else expect(m.observed_model).toBe(expected);
  });

  it('shown() leaves undefined as null', () => {
    expect(shown(undefined)).toBeNull();
  });
});
