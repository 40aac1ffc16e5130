import { describe, expect, it } from 'vitest';
import {
  bounded,
  IdentityTracker,
  MAX_KEPT_CHARS,
  memoryIdentityStore,
} from '../../../src/canary/identity.js';

const pins = new Map([
  ['openai', { 'gpt-4o-mini': { expect_model: 'gpt-4o-mini-2024-07-18', fingerprints: ['fp_a'] } }],
]);
const obs = (
  requested: string,
  model: string | undefined,
  fingerprint: string | undefined,
  upstream = 'openai',
) => ({ upstream, requested, model, fingerprint });

describe('model identity', () => {
  it.each([
    [
      'pinned model and fingerprint',
      obs('gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'fp_a'),
      { mismatch: false, fingerprintChanged: false },
    ],
    [
      'another model than the pin',
      obs('gpt-4o-mini', 'gpt-4o-mini-2025-01-01', 'fp_a'),
      { mismatch: true, fingerprintChanged: false },
    ],
    [
      'an unpinned fingerprint',
      obs('gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'fp_b'),
      { mismatch: false, fingerprintChanged: true },
    ],
    [
      'no identity reported',
      obs('gpt-4o-mini', undefined, undefined),
      { mismatch: false, fingerprintChanged: false },
    ],
  ])('%s', (_n, o, expected) => {
    expect(new IdentityTracker(pins).observe(o)).toEqual(expected);
    // `check` concludes the same (a stream's first event decides with it).
    expect(new IdentityTracker(pins).check(o)).toEqual(expected);
  });

  it('check concludes without remembering: the unpinned reference is set by observe only', () => {
    const t = new IdentityTracker(pins);
    expect(t.check(obs('llama', 'llama-3', 'fp_1', 'vllm'))).toEqual({
      mismatch: false,
      fingerprintChanged: false,
    });
    // Nothing was recorded by check: another model is still the first one seen.
    expect(t.observe(obs('llama', 'impostor', 'fp_9', 'vllm')).mismatch).toBe(false);
    expect(t.check(obs('llama', 'llama-3', 'fp_9', 'vllm'))).toEqual({
      mismatch: true,
      fingerprintChanged: false,
    });
  });

  it('unpinned: the first model seen is the reference, fingerprint changes are counted once each', () => {
    const t = new IdentityTracker(pins);
    expect(t.observe(obs('llama', 'llama-3', 'fp_1', 'vllm'))).toEqual({
      mismatch: false,
      fingerprintChanged: false,
    });
    expect(t.observe(obs('llama', 'llama-3', 'fp_1', 'vllm'))).toEqual({
      mismatch: false,
      fingerprintChanged: false,
    });
    expect(t.observe(obs('llama', 'llama-3', 'fp_2', 'vllm'))).toEqual({
      mismatch: false,
      fingerprintChanged: true,
    });
    expect(t.observe(obs('llama', 'llama-3', 'fp_2', 'vllm'))).toEqual({
      mismatch: false,
      fingerprintChanged: false,
    });
    expect(t.observe(obs('llama', 'mistral-7b', 'fp_2', 'vllm'))).toEqual({
      mismatch: true,
      fingerprintChanged: false,
    });
  });

  it('labels only configured models; a flood of random names collapses to other', () => {
    const t = new IdentityTracker(pins);
    expect(t.label('openai', 'gpt-4o-mini')).toBe('gpt-4o-mini');
    const labels = new Set(Array.from({ length: 500 }, (_, i) => t.label('openai', `random-${i}`)));
    expect([...labels]).toEqual(['other']);
  });

  it('labels and pins only own keys: prototype names are unpinned models', () => {
    const t = new IdentityTracker(pins);
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty'])
      expect(t.label('openai', name)).toBe('other');
    const o = obs('constructor', 'gpt-4o-mini-2024-07-18', 'fp_z');
    expect(t.observe(o)).toEqual({ mismatch: false, fingerprintChanged: false });
  });

  it('forgets a pinned label or every unpinned model (other), nothing else', () => {
    const canaried = new Map([['u', { c: {} }]]);
    const t = new IdentityTracker(canaried);
    const seen = (requested: string) => obs(requested, `${requested}-1`, 'fp', 'u');
    t.observe(seen('c'));
    t.observe(seen('free'));
    t.forget('u', 'other');
    expect(t.observe({ ...seen('free'), model: 'x' }).mismatch).toBe(false);
    expect(t.observe({ ...seen('c'), model: 'x' }).mismatch).toBe(true);
    t.forget('u', 'c');
    expect(t.observe({ ...seen('c'), model: 'y' }).mismatch).toBe(false);
  });
});

describe('what is shared with other replicas', () => {
  const sharing = () => {
    const seen: string[] = [];
    const t = new IdentityTracker(
      new Map([
        ['openai', { pinned: { expect_model: 'm1', fingerprints: ['fp_a'] }, canaried: {} }],
      ]),
    );
    t.share({
      seen: (_u, pinned, name, v) =>
        void seen.push(`${pinned ? 'p' : 'o'}:${name}:${v.model}:${v.fingerprint}`),
    });
    return { t, seen };
  };

  it.each([
    ['an unpinned first sight', [obs('client', 'm1', 'fp_a')], ['o:client:m1:fp_a']],
    [
      'the same identity again: nothing',
      [obs('client', 'm1', 'fp_a'), obs('client', 'm1', 'fp_a')],
      ['o:client:m1:fp_a'],
    ],
    [
      'a new fingerprint: the last one travels, the first model stays',
      [obs('client', 'm1', 'fp_a'), obs('client', 'm2', 'fp_b')],
      ['o:client:m1:fp_a', 'o:client:m1:fp_b'],
    ],
    [
      'a canaried model (no pin values) is shared',
      [obs('canaried', 'm1', undefined)],
      ['p:canaried:m1:undefined'],
    ],
    [
      'a fully pinned model: compared with its pin, never shared',
      [obs('pinned', 'm1', 'fp_a'), obs('pinned', 'm1', 'fp_b'), obs('pinned', 'm9', 'fp_a')],
      [],
    ],
  ])('%s', (_n, observations, expected) => {
    const { t, seen } = sharing();
    for (const o of observations) t.observe(o);
    expect(seen).toEqual(expected);
  });

  it('adopts what another replica saw, and ignores what this one could not have kept', () => {
    const { t } = sharing();
    t.adopt('openai', false, 'client', { model: 'm1', fingerprint: undefined });
    expect(t.check(obs('client', 'm2', undefined)).mismatch).toBe(true);
    t.adopt('openai', false, 'long', {
      model: 'x'.repeat(MAX_KEPT_CHARS + 1),
      fingerprint: undefined,
    });
    t.adopt('openai', true, 'not-pinned', { model: 'm1', fingerprint: undefined });
    t.adopt('openai', false, 'canaried', { model: 'm1', fingerprint: undefined });
    expect(t.check(obs('long', 'm2', undefined)).mismatch).toBe(false);
    expect(t.check(obs('not-pinned', 'm2', undefined)).mismatch).toBe(false);
    expect(t.check(obs('canaried', 'm2', undefined)).mismatch).toBe(false);
  });
});

describe('observed identity (for the status page)', () => {
  it('keeps the latest report of pinned and canaried models, never of unpinned ones', () => {
    const t = new IdentityTracker(
      new Map([['openai', { 'gpt-4o-mini': { expect_model: 'gpt-4o-mini-2024-07-18' } }]]),
    );
    expect(t.observed('openai', 'gpt-4o-mini')).toBeUndefined();
    t.observe(obs('gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'fp_a'));
    expect(t.observed('openai', 'gpt-4o-mini')).toMatchObject({
      model: 'gpt-4o-mini-2024-07-18',
      fingerprint: 'fp_a',
      mismatch: false,
    });
    t.observe(obs('gpt-4o-mini', 'impostor', 'fp_b'));
    expect(t.observed('openai', 'gpt-4o-mini')).toMatchObject({
      model: 'impostor',
      fingerprint: 'fp_b',
      mismatch: true,
    });
    // Unpinned: client-chosen names, remembered for comparison but never shown.
    t.observe(obs('client-junk', 'whatever', 'fp_c'));
    expect(t.observed('openai', 'client-junk')).toBeUndefined();
    expect(t.observed('openai', 'other')).toBeUndefined();
    expect(t.observed('nope', 'gpt-4o-mini')).toBeUndefined();
    // Hostile reports are kept bounded, like every remembered string.
    t.observe(obs('gpt-4o-mini', 'x'.repeat(MAX_KEPT_CHARS + 1), undefined));
    expect(t.observed('openai', 'gpt-4o-mini')!.model).toBe(
      bounded('x'.repeat(MAX_KEPT_CHARS + 1)),
    );
    expect(t.pin('openai', 'gpt-4o-mini')).toEqual({ expect_model: 'gpt-4o-mini-2024-07-18' });
    expect(t.pin('openai', 'client-junk')).toBeUndefined();
  });
});

describe('bounded identity strings', () => {
  it('keeps short strings, digests long ones and anything posing as a digest', () => {
    expect(bounded('gpt-4o-mini')).toBe('gpt-4o-mini');
    expect(bounded(undefined)).toBeUndefined();
    const long = 'x'.repeat(MAX_KEPT_CHARS + 1);
    expect(bounded(long)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(bounded(long)).toBe(bounded(long));
    expect(bounded(`${long}y`)).not.toBe(bounded(long));
    const forged = bounded(long);
    expect(bounded(forged)).not.toBe(forged);
  });
});

describe('memory identity store', () => {
  const v = (model: string) => ({ model, fingerprint: undefined });

  it('evicts the least recently seen new key first', () => {
    const s = memoryIdentityStore({ probation: 2, established: 2 });
    s.set('a', v('a'));
    s.set('b', v('b'));
    s.set('a', v('a'));
    s.set('c', v('c'));
    expect([...s.keys()].sort()).toEqual(['a', 'c']);
  });

  it('establishes a key seen often enough; overflow demotes the oldest, it is not dropped', () => {
    const s = memoryIdentityStore({ probation: 2, established: 1, establishAfter: 2 });
    s.set('a', v('a'));
    s.set('a', v('a'));
    for (const k of ['x', 'y', 'z']) s.set(k, v(k));
    expect(s.get('a')).toEqual(v('a'));
    s.set('b', v('b'));
    s.set('b', v('b'));
    // b took the established place; a went back to probation, as its most recent entry.
    expect([...s.keys()]).toEqual(['b', 'z', 'a']);
    s.set('a', v('a2'));
    expect(s.get('a')).toEqual(v('a2'));
    expect([...s.keys()][0]).toBe('a');
  });
});
