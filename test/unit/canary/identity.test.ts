import { describe, expect, it } from 'vitest';
import { IdentityTracker } from '../../../src/canary/identity.js';

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
});
