import { describe, expect, it } from 'vitest';
import type { BaselineContent } from '../../../src/canary/baseline.js';
import { sealBaseline, verifyBaseline } from '../../../src/canary/baseline.js';
import { canonicalJson } from '../../../src/model/canonical-json.js';

const content: BaselineContent = {
  coalmine_baseline: 1,
  created: '2026-11-25T00:00:00.000Z',
  canaries: {
    fruit: {
      upstream: 'sim',
      model: 'm',
      request_sha256: 'abc',
      max_chars: 20,
      samples: ['Apple', 'Pear'],
    },
    red: {
      upstream: 'sim',
      model: 'm',
      request_sha256: 'def',
      max_chars: 0,
      samples: [],
      logprobs: {
        top_k: 2,
        tokens: 1,
        calls: [
          [
            [
              { token: 'Mars', logprob: -0.2 },
              { token: ' Mars', logprob: -2.1 },
            ],
          ],
        ],
      },
    },
  },
};
const KEY = 'a-baseline-key-0123456789';
const roundTrip = (v: unknown) => JSON.parse(JSON.stringify(v)) as Record<string, unknown>;

describe('baseline files', () => {
  it('canonical JSON sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('a sealed file verifies, with and without a key', () => {
    expect(verifyBaseline(roundTrip(sealBaseline(content, undefined)), undefined)).toMatchObject({
      ok: true,
      content,
    });
    expect(verifyBaseline(roundTrip(sealBaseline(content, KEY)), KEY)).toMatchObject({ ok: true });
  });

  it.each([
    [
      'a changed sample',
      (f: Record<string, unknown>) =>
        ((f.canaries as BaselineContent['canaries']).fruit!.samples[0] = 'Kiwi'),
      undefined,
      'does not match its sha256',
    ],
    ['a removed digest', (f: Record<string, unknown>) => delete f.sha256, undefined, 'no sha256'],
    [
      'a wrong format',
      (f: Record<string, unknown>) => (f.coalmine_baseline = 2),
      undefined,
      'not a Coalmine baseline',
    ],
    [
      'a re-computed digest without the key',
      (f: Record<string, unknown>) => {
        (f.canaries as BaselineContent['canaries']).fruit!.samples[0] = 'Kiwi';
        const { coalmine_baseline, created, canaries } = f as unknown as BaselineContent;
        const { sha256 } = sealBaseline({ coalmine_baseline, created, canaries }, undefined);
        f.sha256 = sha256;
      },
      KEY,
      'HMAC does not verify',
    ],
    [
      'an unsigned file when a key is set',
      (f: Record<string, unknown>) => delete f.hmac_sha256,
      KEY,
      'not signed',
    ],
  ])('refuses %s', (_name, tamper, key, reason) => {
    const f = roundTrip(sealBaseline(content, KEY));
    tamper(f);
    const r = verifyBaseline(f, key);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it.each<[string, unknown]>([
    ['logprobs without calls', { top_k: 2, tokens: 1 }],
    [
      'a logprob that is not a number',
      { top_k: 2, tokens: 1, calls: [[[{ token: 'a', logprob: 'x' }]]] },
    ],
    [
      'a token that is not a string',
      { top_k: 2, tokens: 1, calls: [[[{ token: 1, logprob: -1 }]]] },
    ],
    ['a fractional top_k', { top_k: 2.5, tokens: 1, calls: [] }],
  ])('refuses a sealed entry with %s (malformed)', (_name, logprobs) => {
    const bad = structuredClone(content);
    (bad.canaries['red'] as unknown as Record<string, unknown>)['logprobs'] = logprobs;
    const r = verifyBaseline(roundTrip(sealBaseline(bad, undefined)), undefined);
    expect(r).toEqual({ ok: false, reason: 'baseline entry "red" is malformed' });
  });

  it('a changed logprob is refused', () => {
    const f = roundTrip(sealBaseline(content, undefined));
    (f.canaries as BaselineContent['canaries']).red!.logprobs!.calls[0]![0]![1]!.logprob = -1.9;
    expect(verifyBaseline(f, undefined)).toMatchObject({ ok: false });
  });

  it('a signed file read without a key verifies its digest and warns', () => {
    const r = verifyBaseline(roundTrip(sealBaseline(content, KEY)), undefined);
    expect(r).toMatchObject({ ok: true, warning: expect.stringContaining('no HMAC key') });
  });
});
