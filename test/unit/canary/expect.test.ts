import { describe, expect, it } from 'vitest';
import { expectationSchema, normalise } from '../../../src/canary/expect.js';
import { REQUEST as request } from '../../helpers/check-input.js';
const holds = (spec: unknown, text: string) => {
  const e = expectationSchema().parse(spec);
  return e({ text, finishReason: 'stop', request }).ok;
};

describe('canary expectation forms', () => {
  it.each([
    ['equals, tolerant of case and punctuation', { equals: 'Paris' }, ' paris. ', true],
    ['equals, a different answer', { equals: 'Paris' }, 'Lyon', false],
    ['equals, the right word inside a sentence', { equals: 'Paris' }, 'It is Paris.', false],
    [
      'one_of, any listed shape',
      { one_of: ['Pacific', 'The Pacific Ocean'] },
      'The Pacific Ocean.',
      true,
    ],
    ['one_of, none', { one_of: ['Pacific'] }, 'Atlantic', false],
    ['regex with flags', { regex: { pattern: '^\\s*mars\\W*$', flags: 'i' } }, 'MARS!', true],
    ['regex as a string', { regex: '^Au$' }, 'Ag', false],
    ['number, words around it', { number: { equals: 51 } }, 'The answer is 51.', true],
    ['number, thousands separators', { number: { equals: 1234567 } }, '1,234,567', true],
    ['number, within tolerance', { number: { equals: 3.14, tolerance: 0.01 } }, '3.141', true],
    ['number, outside tolerance', { number: { equals: 51 } }, '61', false],
    ['number, none in the answer', { number: { equals: 51 } }, 'fifty-one', false],
    ['json-schema, valid', { 'json-schema': { type: 'object', required: ['a'] } }, '{"a":1}', true],
    ['json-schema, prose', { 'json-schema': { type: 'object' } }, 'Sure: {"a":1}', false],
    ['refusal: true, refused', { refusal: true }, "I can't help with that.", true],
    ['refusal: true, complied', { refusal: true }, 'Sure, step 1…', false],
    ['refusal: false, answered', { refusal: false }, 'Use kill -9.', true],
    ['check from the catalogue, passes', { check: 'secrets' }, 'nothing secret', true],
    [
      'check from the catalogue with params, fails',
      { check: 'length', params: { max_chars: 5 } },
      'far too long',
      false,
    ],
  ])('%s', (_name, spec, text, ok) => {
    expect(holds(spec, text)).toBe(ok);
  });

  it.each([
    ['no form', {}, 'exactly one of'],
    ['two forms', { equals: 'a', regex: 'a' }, 'exactly one of'],
    ['unknown key', { equal: 'a' }, 'equal'],
    ['params without check', { equals: 'a', params: {} }, 'params go with check'],
    ['unknown check', { check: 'nope' }, 'unknown check'],
    ['bad check params', { check: 'length', params: { max_chars: -1 } }, ''],
    ['catastrophic regex', { regex: '(a+)+$' }, 'catastrophic'],
    ['negative tolerance', { number: { equals: 1, tolerance: -1 } }, ''],
  ])('rejects %s', (_name, spec, message) => {
    const r = expectationSchema().safeParse(spec);
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues.map((i) => i.message).join('\n')).toContain(message);
  });

  it('a failure quotes at most the first 40 characters of the answer', () => {
    const e = expectationSchema().parse({ equals: 'x' });
    const r = e({ text: 'y'.repeat(500), finishReason: 'stop', request });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason.length).toBeLessThan(80);
  });

  it('normalises NFKC, case, punctuation and spaces', () => {
    expect(normalise('  Ｐａｒｉｓ!!  is\tNICE ')).toBe('paris is nice');
  });
});
