/**
 * `confusable-hosts` and `hostRisk` (issue 14, item 5): look-alike hosts — skeletons of known
 * domains, mixed-script labels, whole-script homographs, punycode decoded — flagged; legitimate
 * internationalised names passed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findLookalikeHosts } from '../../../src/policy/checks/confusable-hosts.js';
import { getCheck } from '../../../src/policy/checks/registry.js';
import { hostRisk, knownDomains } from '../../../src/policy/checks/support/confusable-hosts.js';
import { WELL_KNOWN_DOMAINS } from '../../../src/policy/checks/support/confusable-known.js';
import { isMixedScript } from '../../../src/policy/checks/support/confusable-scripts.js';
import { skeleton } from '../../../src/policy/checks/support/confusable-skeleton.js';
import { gateRules } from '../../../src/policy/gate-rules.js';
import { redactText } from '../../../src/policy/redact.js';
import { input } from '../../helpers/check-input.js';
import { expectLinear } from '../../helpers/linear.js';
import { streamThroughGate } from '../../helpers/choice-gate.js';
import { policySetFrom } from '../../helpers/policy.js';

const known = knownDomains([...WELL_KNOWN_DOMAINS, 'intranet.example.com']);
/** Cyrillic а, о, і and Greek ο, for readable test names. */
const [A, O, I, OMICRON] = ['\u0430', '\u043e', '\u0456', '\u03bf'];

describe('skeleton (UTS #39 prototypes, lower-cased, without marks)', () => {
  it.each([
    [`p${A}ypal.com`, 'paypal.corn'],
    [`g${OMICRON}ogle`, 'google'],
    ['paypa1', 'paypal'],
    ['göogle', 'google'],
    ['microsoft', 'rnicrosoft'],
  ])('%s → %s', (s, k) => {
    expect(skeleton(s)).toBe(k);
  });
});

describe('isMixedScript (UTS #39 Highly Restrictive)', () => {
  it.each([
    [`p${A}ypal`, true],
    [`g${OMICRON}ogle`, true],
    ['münchen', false],
    ['日本', false],
    ['abcマート', false],
    ['ソニー', false],
    ['한국abc', false],
    ['пример', false],
    ['ελληνικά', false],
    [`${A}bc한`, true],
    ['paypal-2024', false],
  ])('%s → %s', (label, mixed) => {
    expect(isMixedScript(label)).toBe(mixed);
  });
});

describe('hostRisk', () => {
  it.each([
    [`p${A}ypal.com`, { kind: 'confusable', like: 'paypal.com' }],
    ['xn--pypal-4ve.com', { kind: 'confusable', like: 'paypal.com' }],
    [`login.micr${O}softonline.com`, { kind: 'confusable', like: 'microsoftonline.com' }],
    ['paypa1.com', { kind: 'confusable', like: 'paypal.com' }],
    ['rnicrosoft.com', { kind: 'confusable', like: 'microsoft.com' }],
    ['göogle.com', { kind: 'confusable', like: 'google.com' }],
    [`github.c${O}m`, { kind: 'confusable', like: 'github.com' }],
    [`intr${A}net.example.com`, { kind: 'confusable', like: 'intranet.example.com' }],
    [`ebay-${A}ccount.com`, { kind: 'mixed_script' }],
    ['xn--80ak6aa92e.com', { kind: 'whole_script' }],
    [`${I}${O}${A}.net`, { kind: 'whole_script' }],
    ['paypal.com', undefined],
    ['www.paypal.com', undefined],
    ['GOOGLE.com', undefined],
    ['\uff47\uff4f\uff4f\uff47\uff4c\uff45.com', undefined],
    ['münchen.de', undefined],
    ['xn--mnchen-3ya.de', undefined],
    ['日本.jp', undefined],
    ['пример.рф', undefined],
    [`с${O}с${O}.рф`, undefined],
    ['ελληνικά.gr', undefined],
    ['example.com', undefined],
    ['xn--zz.com', undefined],
    ['', undefined],
  ])('%s → %j', (host, risk) => {
    expect(hostRisk(host, known)).toEqual(risk);
  });
});

function run(params: unknown, text: string) {
  const def = getCheck('confusable-hosts')!;
  return def.create(def.params.parse(params)).evaluate(input(text));
}

describe('confusable-hosts finds hosts in text', () => {
  it.each([
    ['a link', `Sign in at https://p${A}ypal.com/login now.`, [[19, 29]]],
    ['a bare domain at the end of a sentence', `Visit micr${O}soft.com.`, [[6, 19]]],
    ['an email domain', 'Write to help@xn--80ak6aa92e.com today', [[14, 32]]],
    ['an ideographic full stop', `p${A}ypal\u3002com`, [[0, 10]]],
    [
      'two hosts',
      `${A}pple.com and g${O}${O}gle.com`,
      [
        [0, 9],
        [14, 24],
      ],
    ],
    ['legitimate IDNs', 'https://münchen.de, 日本.jp, пример.рф', []],
    ['prose with non-ASCII letters', 'Привет.Как дела? Größe.Farbe, naïve.façade', []],
    ['ASCII only', 'paypa1.com is a typo squat but ASCII', []],
  ])('%s', (_n, text, spans) => {
    const out = run({}, text);
    expect(out.status === 'fail' ? out.spans.map((s) => [s.start, s.end]) : []).toEqual(spans);
  });

  it('takes params: kinds, known domains, the built-in list, allow', () => {
    const spoof = `Log in at intr${A}net.corp.test`;
    expect(run({}, spoof).status).toBe('fail'); // mixed script
    expect(run({ kinds: ['confusable'] }, spoof).status).toBe('pass');
    expect(
      run({ kinds: ['confusable'], known_domains: ['intranet.corp.test'] }, spoof),
    ).toMatchObject({
      status: 'fail',
      detail: '1 look-alike host(s) (confusable)',
    });
    expect(run({ kinds: ['confusable'], builtin_known: false }, `p${A}ypal.com`).status).toBe(
      'pass',
    );
    expect(run({ allow: [`P${A}YPAL.com`] }, `p${A}ypal.com`).status).toBe('pass');
    expect(() => getCheck('confusable-hosts')!.params.parse({ kinds: ['nope'] })).toThrow();
  });

  it('redacts the host, and its detail quotes nothing', () => {
    const text = `Go to https://g${O}${O}gle.com/x`;
    const out = run({}, text);
    expect(out.status === 'fail' && out.detail).not.toContain('gle');
    if (out.status !== 'fail') throw new Error('expected a finding');
    expect(
      redactText(
        text,
        out.spans.map((s) => ({ ...s, rule: 'r' })),
      ),
    ).toBe('Go to https://[REDACTED:r]/x');
  });

  it('reads tool-call arguments', () => {
    const def = getCheck('confusable-hosts')!;
    const out = def.create(def.params.parse({})).evaluate({
      ...input('ok'),
      toolCalls: [{ id: 'c', name: 'fetch', arguments: `{"url":"https://p${A}ypal.com"}` }],
    });
    expect(out).toMatchObject({ status: 'fail', spans: [{ toolCall: 0 }] });
  });
});

/**
 * A host may begin before the character that makes it suspicious, and what came before that
 * character may be out already (no trigger had arrived): the gate holds from the trigger on, and
 * redaction covers whatever of the host is still held, so the look-alike never reaches the
 * client whole — at most an ASCII head of it (`login.p`), before the marker.
 */
describe('the stream gate never releases a look-alike host', () => {
  const rules = gateRules(
    policySetFrom({
      'p.yaml': 'name: p\nrules:\n  - id: r\n    check: confusable-hosts\n    action: redact\n',
    }).policies,
  );
  function stream(pieces: readonly string[]): { out: string; seen: string[] } {
    const { seen } = streamThroughGate(rules, pieces);
    return { out: seen[seen.length - 1]!, seen: seen.slice(0, -1) };
  }
  it.each([
    ['a mixed-script host', `See https://login.p${A}ypal.com/x for more.`, A],
    ['a punycode host', 'See https://login.xn--pypal-4ve.com/x for more.', 'xn--'],
  ])('%s, however the stream is cut', (_n, text, trigger) => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 5 }),
        (at) => {
          const cuts = [...new Set(at)].sort((x, y) => x - y);
          const pieces: string[] = [];
          let i = 0;
          for (const a of cuts) {
            pieces.push(text.slice(i, a));
            i = a;
          }
          pieces.push(text.slice(i));
          const { out, seen } = stream(pieces.filter(Boolean));
          expect(out).toMatch(/^See https:\/\/[a-z.]*\[REDACTED:r\]\/x for more\.$/);
          for (const s of seen) expect(s).not.toContain(trigger);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('confusable-hosts never throws and stays linear', () => {
  const def = getCheck('confusable-hosts')!;
  const check = def.create(def.params.parse({ known_domains: ['xn--', '', '*.example.com'] }));
  const piece = fc.constantFrom(
    '.',
    'xn--',
    'xn--zz',
    A,
    O,
    'a',
    '日',
    '\u3002',
    '-',
    ' ',
    '\ud800',
    'é',
    '.com',
    '👩‍💻',
  );
  it('on arbitrary text and host fragments', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.array(piece).map((x) => x.join('')),
        ),
        (t) => {
          const out = check.evaluate(input(t));
          expect(['pass', 'fail']).toContain(out.status);
          if (out.status === 'fail')
            for (const s of out.spans) expect(s.start < s.end && s.end <= t.length).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });

  it.each([
    ['one long mixed label', (n: number) => `${`a${A}`.repeat(n / 2)}.com`],
    ['many short hosts', (n: number) => `x${A}.com `.repeat(n / 7)],
    ['dots', (n: number) => `${A}.`.repeat(n / 2)],
    ['accented prose', (n: number) => 'déjà vu. '.repeat(n / 9)],
    ['punycode runs', (n: number) => 'xn--'.repeat(n / 4)],
  ])('%s', (_n, gen) => {
    expectLinear(
      (n) => {
        const i = input(gen(n));
        return () => check.evaluate(i);
      },
      25_000,
      { maxMs: 400 },
    );
  });
});

it('finds hosts with the default list through findLookalikeHosts', () => {
  expect(findLookalikeHosts(`x g${O}${O}gle.com y`, known, new Set())).toEqual([
    { start: 2, end: 12, kind: 'confusable' },
  ]);
});
