/**
 * The linear-time assertion itself: it must pass linear work and fail quadratic work, retries
 * included (a retry that hid a quadratic scan would make every linearity test unable to fail).
 */
import { describe, expect, it } from 'vitest';
import { expectLinear } from '../../helpers/linear.js';

/** Work proportional to n (one pass) or to n² (every pair), over a real array. */
const linear = (n: number) => {
  const a = new Float64Array(n).map((_, i) => i);
  return () => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i]!;
    if (s < 0) throw new Error('unreachable');
  };
};
const quadratic = (n: number) => {
  const a = new Float64Array(n).map((_, i) => i);
  return () => {
    let s = 0;
    for (let i = 0; i < a.length; i++) for (let j = 0; j < i; j++) s += a[j]!;
    if (s < 0) throw new Error('unreachable');
  };
};

describe('expectLinear', () => {
  it.each([
    ['linear work passes', linear, 4_000_000, true],
    ['quadratic work fails', quadratic, 3_000, false],
  ] as const)('%s', (_name, make, n, passes) => {
    const assert = () => expectLinear(make, n, { slackMs: 1 });
    if (passes) assert();
    else expect(assert).toThrow(/t\(3000\) = [\d.]+ ms, t\(12000\) = [\d.]+ ms/);
  });
});
