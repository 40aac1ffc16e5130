import { describe, expect, it } from 'vitest';
import type { RequestRecord, TelemetryEvent } from '../../../src/model/sink.js';
import type { Decision } from '../../../src/model/verdict.js';
import { RecentDecisions } from '../../../src/telemetry/recent-decisions.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

const request = (decision: Decision | 'quarantined', over: Partial<RequestRecord> = {}) =>
  ({
    kind: 'request',
    source: 'live',
    upstream: 'openai',
    model: 'gpt-4o-mini',
    status: decision === 'quarantined' ? 423 : 200,
    errorCode: decision === 'quarantined' ? 'MODEL_QUARANTINED' : undefined,
    verdict:
      decision === 'quarantined' || decision === 'pass'
        ? undefined
        : { decision, policyVersion: 'v', results: [], blockedBy: undefined },
    ...over,
  }) as RequestRecord;

function recent() {
  let now = T0;
  const w = new RecentDecisions(() => now);
  return {
    w,
    at: (ms: number) => (now = T0 + ms),
    add: (e: TelemetryEvent, n = 1) => {
      for (let i = 0; i < n; i++) w.record(e);
    },
  };
}

describe('recent decisions (last hour, per-minute buckets)', () => {
  it.each([
    ['pass', { pass: 1, flag: 0, redact: 0, block: 0, quarantined: 0 }],
    ['flag', { pass: 0, flag: 1, redact: 0, block: 0, quarantined: 0 }],
    ['redact', { pass: 0, flag: 0, redact: 1, block: 0, quarantined: 0 }],
    ['block', { pass: 0, flag: 0, redact: 0, block: 1, quarantined: 0 }],
    ['quarantined', { pass: 0, flag: 0, redact: 0, block: 0, quarantined: 1 }],
  ] as const)('counts a live %s', (decision, counts) => {
    const { w, add } = recent();
    add(request(decision));
    expect(w.counts()).toEqual(counts);
  });

  it('ignores canary traffic and every other kind of record', () => {
    const { w, add } = recent();
    add(request('block', { source: 'canary' }));
    add({
      kind: 'policy_reload',
      result: 'success',
      version: 'v',
      previousVersion: undefined,
      issues: [],
    });
    add({
      kind: 'quarantine',
      upstream: 'openai',
      model: 'gpt-4o-mini',
      quarantined: true,
      reason: 'canary_failure',
      canary: undefined,
      by: undefined,
      origin: 'here',
    });
    expect(w.counts()).toEqual({ pass: 0, flag: 0, redact: 0, block: 0, quarantined: 0 });
  });

  it.each([
    ['the same minute', 30_000, 3],
    ['59 minutes later', 59 * MIN, 3],
    ['59 min 59 s later', 60 * MIN - 1000, 3],
    ['60 minutes later', 60 * MIN, 0],
    ['two hours later', 120 * MIN, 0],
  ])('three blocks are counted %s: %i ms → %i', (_name, later, expected) => {
    const { w, at, add } = recent();
    add(request('block'), 3);
    at(later);
    expect(w.counts().block).toBe(expected);
  });

  it('slides: old minutes drop out as new ones come in, over several hours', () => {
    const { w, at, add } = recent();
    // One block a minute for three hours: the window always holds the last 60.
    for (let m = 0; m < 180; m++) {
      at(m * MIN + 5000);
      add(request('block'));
      expect(w.counts().block).toBe(Math.min(m + 1, 60));
    }
    at(180 * MIN + 30 * MIN);
    expect(w.counts().block).toBe(29); // minutes 151–179 of 151–210
  });

  it('a bucket reused an hour later starts from zero', () => {
    const { w, at, add } = recent();
    add(request('redact'), 5);
    at(60 * MIN); // same bucket index, next hour
    add(request('redact'));
    expect(w.counts().redact).toBe(1);
  });

  it('is a one-hour window', () => {
    expect(new RecentDecisions().windowSeconds).toBe(3600);
  });
});
