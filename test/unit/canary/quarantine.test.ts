import { describe, expect, it } from 'vitest';
import type { QuarantinePolicy } from '../../../src/canary/quarantine.js';
import { Quarantine } from '../../../src/canary/quarantine.js';
import type { RequestRecord, TelemetryEvent } from '../../../src/model/sink.js';
import { canaryRecord } from '../../helpers/records.js';

const label = (_u: string, m: string | undefined) => (m === 'gpt-4o-mini' ? m : 'other');

function setup(policy: QuarantinePolicy) {
  const out: TelemetryEvent[] = [];
  const released: string[] = [];
  const q = new Quarantine(
    new Map([['openai', policy]]),
    label,
    { record: (e) => out.push(e) },
    (u, m) => released.push(`${u}/${m}`),
  );
  return { q, out, released };
}

const request = (
  identity: NonNullable<RequestRecord['identity']> & { model: string },
): RequestRecord => {
  const { model, ...seen } = identity;
  return { kind: 'request', upstream: 'openai', model, identity: seen } as RequestRecord;
};
const canary = (result: 'pass' | 'fail' | 'error' | 'blocked'): TelemetryEvent =>
  canaryRecord({ result });
const mismatch = request({ model: 'gpt-4o-mini', mismatch: true, fingerprintChanged: false });
const fpChange = request({ model: 'gpt-4o-mini', mismatch: false, fingerprintChanged: true });

describe('quarantine', () => {
  it.each([
    ['a failing canary', ['canary_failure'], canary('fail'), true],
    ['a canary that could not run', ['canary_failure'], canary('error'), false],
    ['a passing canary', ['canary_failure'], canary('pass'), false],
    ['a canary an operator policy blocked', ['canary_failure'], canary('blocked'), false],
    ['a blocked canary, canary_blocked configured', ['canary_blocked'], canary('blocked'), true],
    ['an identity mismatch', ['identity_mismatch'], mismatch, true],
    ['an identity mismatch, not configured', ['canary_failure'], mismatch, false],
    ['a fingerprint change, configured', ['fingerprint_change'], fpChange, true],
    ['a fingerprint change, not configured', ['identity_mismatch'], fpChange, false],
  ] as const)('%s', (_n, on, event, held) => {
    const { q, out } = setup({ on, action: 'block' });
    q.record(event);
    expect(q.list().length).toBe(held ? 1 : 0);
    expect(q.admit('openai', 'gpt-4o-mini')?.action).toBe(held ? 'block' : undefined);
    expect(out).toEqual(
      held
        ? [
            {
              kind: 'quarantine',
              upstream: 'openai',
              model: 'gpt-4o-mini',
              quarantined: true,
              reason: expect.any(String),
              canary: event.kind === 'canary' ? 'red-planet' : undefined,
              by: undefined,
              origin: 'here',
            },
          ]
        : [],
    );
  });

  it.each([
    ['block', 'block'],
    ['flag', 'flag'],
    ['serve', undefined],
  ] as const)('action %s: live traffic is told %s', (action, admitted) => {
    const { q } = setup({ on: ['canary_failure'], action });
    q.record(canary('fail'));
    expect(q.admit('openai', 'gpt-4o-mini')?.action).toBe(admitted);
    expect(q.admit('openai', 'another-model')).toBeUndefined();
    expect(q.list()[0]?.action).toBe(action);
  });

  it('counts repeated events once entered, and release accepts the new behaviour', () => {
    const { q, out, released } = setup({
      on: ['identity_mismatch', 'canary_failure'],
      action: 'block',
    });
    q.record(mismatch);
    q.record(mismatch);
    expect(q.list()[0]).toMatchObject({ reason: 'identity_mismatch', events: 2 });
    expect(q.release('openai', 'nope')).toBeUndefined();
    expect(q.release('openai', 'gpt-4o-mini')).toMatchObject({ model: 'gpt-4o-mini' });
    expect(q.admit('openai', 'gpt-4o-mini')).toBeUndefined();
    expect(released).toEqual(['openai/gpt-4o-mini']);
    expect(out.at(-1)).toMatchObject({ quarantined: false, by: undefined });
    q.record(canary('fail'));
    q.release('openai', 'gpt-4o-mini', 'oncall');
    expect(out.at(-1)).toMatchObject({ quarantined: false, by: 'oncall', canary: 'red-planet' });
  });

  it('models outside the configuration share the `other` label', () => {
    const { q } = setup({ on: ['identity_mismatch'], action: 'block' });
    q.record(request({ model: 'other', mismatch: true, fingerprintChanged: false }));
    expect(q.admit('openai', 'random-model-123')?.action).toBe('block');
    expect(q.admit('openai', 'gpt-4o-mini')).toBeUndefined();
  });
});

describe('identity holds (issue 19: nothing from a swapped model reaches a client)', () => {
  const outcome = (mismatch: boolean, fingerprintChanged: boolean) => ({
    mismatch,
    fingerprintChanged,
  });
  it.each([
    [
      'block, mismatch listed',
      ['identity_mismatch'],
      'block',
      outcome(true, false),
      'identity_mismatch',
      true,
    ],
    [
      'block, fingerprint listed',
      ['fingerprint_change'],
      'block',
      outcome(false, true),
      'fingerprint_change',
      true,
    ],
    [
      'block, mismatch not listed',
      ['canary_failure'],
      'block',
      outcome(true, false),
      undefined,
      false,
    ],
    ['flag: served, marked', ['identity_mismatch'], 'flag', outcome(true, false), undefined, false],
    [
      'serve: recorded only',
      ['identity_mismatch'],
      'serve',
      outcome(true, false),
      undefined,
      false,
    ],
    [
      'block, nothing changed',
      ['identity_mismatch'],
      'block',
      outcome(false, false),
      undefined,
      true,
    ],
  ] as const)('%s', (_n, on, action, seen, holds, watches) => {
    const { q } = setup({ on, action });
    expect(q.holds('openai', seen)).toBe(holds);
    expect(q.watches('openai')).toBe(watches);
    expect(q.watches('another-upstream')).toBe(false);
  });
});

describe('quarantine shared through a store', () => {
  const store = () => {
    const calls: string[] = [];
    return {
      calls,
      entered: (e: { upstream: string; model: string; reason: string }) =>
        void calls.push(`enter ${e.upstream}/${e.model} ${e.reason}`),
      released: (u: string, m: string, by: string | undefined) =>
        void calls.push(`release ${u}/${m} by ${by}`),
    };
  };

  it('tells its store what it enters and releases (once per entry)', () => {
    const { q } = setup({ on: ['canary_failure'], action: 'block' });
    const s = store();
    q.share(s);
    q.record(canary('fail'));
    q.record(canary('fail'));
    q.release('openai', 'gpt-4o-mini', 'ops');
    expect(q.release('openai', 'gpt-4o-mini', 'ops')).toBeUndefined();
    expect(s.calls).toEqual([
      'enter openai/gpt-4o-mini canary_failure',
      'release openai/gpt-4o-mini by ops',
    ]);
  });

  it('adopts and drops what other replicas did, with its own action, without echoing them', () => {
    const { q, out, released } = setup({ on: ['identity_mismatch'], action: 'flag' });
    const s = store();
    q.share(s);
    const since = new Date(0);
    const entry = { upstream: 'openai', model: 'gpt-4o-mini', reason: 'canary_failure' } as const;
    q.adopt({ ...entry, canary: 'red-planet', since, action: 'block' });
    q.adopt({ ...entry, canary: 'red-planet', since, action: 'block' });
    expect(q.admit('openai', 'gpt-4o-mini')).toEqual({ action: 'flag', reason: 'canary_failure' });
    expect(q.list()).toEqual([
      { ...entry, canary: 'red-planet', since, events: 1, action: 'flag' },
    ]);
    q.drop('openai', 'gpt-4o-mini', 'ops');
    expect(q.list()).toEqual([]);
    expect(released).toEqual(['openai/gpt-4o-mini']);
    expect(out.map((e) => e.kind === 'quarantine' && e.quarantined)).toEqual([true, false]);
    expect(s.calls).toEqual([]);
  });
});
