import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NormalisedResponse, RequestInfo } from '../../../src/model/exchange.js';
import type { Check } from '../../../src/policy/checks/types.js';
import { blockMessage, evaluate } from '../../../src/policy/engine.js';
import { handPolicy, policySetFrom } from '../../helpers/policy.js';

const LIMITS = { maxScanChars: 10_000, budgetMs: 50 };
const request = (model = 'gpt-4o-mini'): RequestInfo => ({
  operation: 'chat',
  model,
  stream: false,
  systemPrompt: undefined,
  tools: [],
  responseSchema: undefined,
  choices: 1,
});
const response = (...texts: string[]): NormalisedResponse => ({
  id: undefined,
  model: undefined,
  fingerprint: undefined,
  usage: undefined,
  choices: texts.map((text, index) => ({ index, text, toolCalls: [], finishReason: 'stop' })),
});

const policy = (action: string, extra = '') => `name: p
${extra}
rules:
  - id: launch
    check: regex
    params: { pattern: "LAUNCH-[0-9]{4}" }
    action: ${action}
  - id: words
    check: contains
    params: { words: [badger] }
    action: flag
`;

describe('policy engine', () => {
  it.each([
    ['block', 'nothing to see', 'pass'],
    ['block', 'a badger', 'flag'],
    ['redact', 'code LAUNCH-1234', 'redact'],
    ['block', 'code LAUNCH-1234 and a badger', 'block'],
    ['flag', 'code LAUNCH-1234', 'flag'],
  ])('action %s on %j decides %s (strongest wins)', (action, text, decision) => {
    const v = evaluate(
      policySetFrom({ 'p.yaml': policy(action) }),
      { upstream: 'u', request: request(), response: response(text) },
      LIMITS,
    );
    expect(v.decision).toBe(decision);
  });

  it('evaluates every choice and names the choice of each result', () => {
    const v = evaluate(
      policySetFrom({ 'p.yaml': policy('redact') }),
      { upstream: 'u', request: request(), response: response('fine', 'LAUNCH-0001') },
      LIMITS,
    );
    expect(v.results.filter((r) => r.status === 'fail').map((r) => [r.rule, r.choice])).toEqual([
      ['launch', 1],
    ]);
    expect(v.results.find((r) => r.status === 'fail')?.spans).toEqual([{ start: 0, end: 11 }]);
  });

  it('checks tool-call arguments', () => {
    const res = response('');
    res.choices[0]!.toolCalls.push({ id: 'c', name: 'f', arguments: '{"code":"LAUNCH-9999"}' });
    const v = evaluate(
      policySetFrom({ 'p.yaml': policy('block') }),
      { upstream: 'u', request: request(), response: res },
      LIMITS,
    );
    expect(v.decision).toBe('block');
    expect(v.blockedBy?.spans).toEqual([{ start: 9, end: 20, toolCall: 0 }]);
  });

  it('names what each failing rule matched by SHA-256 of its text, in content, fields and tool calls', () => {
    const sha = (t: string) => createHash('sha256').update(t).digest('hex');
    const res = response('one LAUNCH-1111 then LAUNCH-2222');
    res.choices[0]!.toolCalls.push({ id: 'c', name: 'f', arguments: '{"code":"LAUNCH-3333"}' });
    res.choices[0]!.reasoning = 'thinking of LAUNCH-4444';
    const v = evaluate(
      policySetFrom({ 'p.yaml': policy('redact') }),
      { upstream: 'u', request: request(), response: res },
      LIMITS,
    );
    const launch = v.results.find((r) => r.rule === 'launch');
    expect(launch?.matched).toEqual(
      ['LAUNCH-1111', 'LAUNCH-2222', 'LAUNCH-3333', 'LAUNCH-4444'].map(sha),
    );
    expect(v.results.find((r) => r.rule === 'words')?.matched).toBeUndefined();
    expect(JSON.stringify(v)).not.toContain('LAUNCH-1111');
  });

  it('records shadow policies without enforcing them', () => {
    const v = evaluate(
      policySetFrom({ 'p.yaml': policy('block', 'mode: shadow') }),
      { upstream: 'u', request: request(), response: response('LAUNCH-1234') },
      LIMITS,
    );
    expect(v.decision).toBe('pass');
    expect(v.results.find((r) => r.status === 'fail')).toMatchObject({
      mode: 'shadow',
      action: 'block',
      rule: 'launch',
    });
  });

  it.each([
    ['upstreams: [u]', 'u', 'gpt-4o', true],
    ['upstreams: [u]', 'v', 'gpt-4o', false],
    ['models: ["gpt-4o*"]', 'u', 'gpt-4o-mini', true],
    ['models: ["gpt-4o*"]', 'u', 'claude-3', false],
    ['{ upstreams: [u], models: ["gpt-?o"] }', 'u', 'gpt-4o', true],
  ])('match %s selects upstream %s model %s: %s', (match, upstream, model, selected) => {
    const set = policySetFrom({
      'p.yaml': policy('block', `match: ${match.startsWith('{') ? match : `{ ${match} }`}`),
    });
    const v = evaluate(
      set,
      { upstream, request: request(model), response: response('LAUNCH-1234') },
      LIMITS,
    );
    expect(v.results.length > 0).toBe(selected);
  });

  const throws: Check = {
    evaluate() {
      throw new TypeError('secret output AKIA... leaked into an exception');
    },
  };
  const slow: Check = {
    evaluate() {
      const end = performance.now() + 80;
      while (performance.now() < end);
      return { status: 'pass' };
    },
  };

  it.each([
    ['open', 'pass'],
    ['closed', 'block'],
  ] as const)('on_error %s turns a throwing check into %s, never a crash', (onError, decision) => {
    const set = handPolicy({ onError, rules: [{ id: 'x', action: 'flag', instance: throws }] });
    const v = evaluate(
      set,
      { upstream: 'u', request: request(), response: response('hi') },
      LIMITS,
    );
    expect(v.decision).toBe(decision);
    expect(v.results[0]?.status).toBe('error');
    expect(v.results[0]?.detail).not.toContain('AKIA');
  });

  it('keeps the result of a check that overruns its budget, marked overBudget', () => {
    const set = handPolicy({ rules: [{ id: 'x', action: 'flag', instance: slow }] });
    const v = evaluate(
      set,
      { upstream: 'u', request: request(), response: response('hi') },
      LIMITS,
    );
    expect(v.decision).toBe('pass');
    expect(v.results[0]).toMatchObject({ status: 'pass', overBudget: true });
  });

  it('scans an output over the limit up to it; the remainder fails with the rule action', () => {
    const set = policySetFrom({ 'p.yaml': policy('block') });
    const v = evaluate(
      set,
      { upstream: 'u', request: request(), response: response('x'.repeat(20_000)) },
      LIMITS,
    );
    expect(v.decision).toBe('block');
    expect(v.results[0]).toMatchObject({ status: 'fail', rule: 'launch' });
    expect(v.results[0]?.detail).toContain('scan limit');
    expect(v.results[1]).toMatchObject({ status: 'fail', rule: 'words', action: 'flag' });
  });

  it('block messages name policy and rule, never the matched text', () => {
    const v = evaluate(
      policySetFrom({ 'p.yaml': policy('block') }),
      { upstream: 'u', request: request(), response: response('LAUNCH-4242') },
      LIMITS,
    );
    const msg = blockMessage(v.blockedBy!);
    expect(msg).toContain('"p"');
    expect(msg).toContain('"launch"');
    expect(msg).not.toContain('4242');
  });
});
