/**
 * `Pieces` (the gate's text) reads as the string it was pushed, whatever the pieces' sizes
 * (small ones are joined) and whatever was forgotten before the part read.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Pieces } from '../../../src/policy/pieces.js';

describe('Pieces', () => {
  it('slices and reads code units as the whole string would', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ maxLength: 50 }), fc.nat(), fc.nat(), fc.nat()), {
          maxLength: 40,
        }),
        (ops) => {
          const p = new Pieces();
          let whole = '';
          let dropped = 0;
          for (const [s, d, a, b] of ops) {
            p.push(s);
            whole += s;
            expect(p.length).toBe(whole.length);
            // Forget up to some point; what is kept starts at or before it.
            const to = whole.length ? d % (whole.length + 1) : 0;
            if (d % 3 === 0) {
              p.drop(to);
              dropped = Math.max(dropped, to);
            }
            const kept = p.start;
            expect(kept).toBeLessThanOrEqual(dropped);
            const x = kept + (whole.length > kept ? a % (whole.length - kept + 1) : 0);
            const y = x + (whole.length > x ? b % (whole.length - x + 1) : 0);
            expect(p.slice(x, y)).toBe(whole.slice(x, y));
            expect(p.slice(x)).toBe(whole.slice(x));
            if (x < whole.length) expect(p.charCodeAt(x)).toBe(whole.charCodeAt(x));
            expect(p.charCodeAt(whole.length)).toBeNaN();
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
