import { describe, expect, it } from 'vitest';
import type { BaselineLogprobs } from '../../../src/canary/baseline.js';
import { compareLogprobs, logprobTrace } from '../../../src/canary/logprob-canary.js';
import type { LogprobSpec } from '../../../src/canary/schema.js';

const SPEC: LogprobSpec = {
  top_k: 2,
  tokens: 1,
  samples: 5,
  baseline_samples: 10,
  alpha: 0.001,
  permutations: 2000,
  min_shift: 0,
  concurrency: 4,
};

/** Calls whose alternative " Mars" sits at `alt` nats, with a little noise by index. */
const calls = (n: number, alt: number) =>
  Array.from({ length: n }, (_, i) => [
    [
      { token: 'Mars', logprob: -0.2 + i * 1e-4 },
      { token: ' Mars', logprob: alt - i * 1e-4 },
    ],
  ]);
const base: BaselineLogprobs = { top_k: 2, tokens: 1, calls: calls(10, -2) };

describe('compareLogprobs', () => {
  it.each<[string, Partial<LogprobSpec>, number, boolean | 'error', RegExp | undefined]>([
    ['unchanged', {}, -2, true, undefined],
    ['moved 0.05 nats', {}, -1.95, false, /position 1 " Mars" \+0\.050/],
    ['moved 0.05 nats, min_shift 0.1', { min_shift: 0.1 }, -1.95, true, undefined],
    ['moved 0.3 nats, min_shift 0.1', { min_shift: 0.1 }, -1.7, false, /p = 0\.000333 < alpha/],
    ['another top_k than recorded', { top_k: 3 }, -2, 'error', /re-record it/],
  ])('%s', (_name, over, alt, want, reason) => {
    const v = compareLogprobs({ ...SPEC, ...over }, base, calls(5, alt), 1);
    if (want === 'error') expect(v.pValue).toBeUndefined();
    else expect(v.ok).toBe(want);
    if (reason) expect(v.reasons.join()).toMatch(reason);
  });

  it('a baseline too small for alpha cannot judge', () => {
    const v = compareLogprobs(SPEC, { ...base, calls: calls(2, -2) }, calls(2, -2), 1);
    expect(v).toMatchObject({ ok: false, pValue: undefined });
    expect(v.reasons[0]).toMatch(/too few/);
  });

  it('the chosen token joins its alternatives when the upstream left it out', () => {
    const t = logprobTrace(
      [
        { token: 'A', logprob: -3, top: [{ token: 'B', logprob: -0.1 }] },
        { token: 'x', logprob: -1, top: [] },
      ],
      1,
      5,
    );
    expect(t).toEqual([
      [
        { token: 'B', logprob: -0.1 },
        { token: 'A', logprob: -3 },
      ],
    ]);
  });

  it('keeps at most top_k alternatives per position, each token once, finite values only', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => ({
      token: `t${i}`,
      logprob: -1 - i / 1000,
    }));
    const [pos] = logprobTrace(
      [
        {
          token: 'A',
          logprob: -0.5,
          top: [
            { token: 'dup', logprob: -0.2 },
            { token: 'dup', logprob: -0.2 },
            { token: 'nan', logprob: Number.NaN },
            ...many,
          ],
        },
      ],
      1,
      3,
    );
    expect(pos!.map((t) => t.token)).toEqual(['dup', 't0', 't1', 'A']);
  });
});
