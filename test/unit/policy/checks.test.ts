import { describe, expect, it } from 'vitest';
import { checks, getCheck } from '../../../src/policy/checks/registry.js';
import { input } from '../../helpers/check-input.js';

function run(id: string, params: unknown, text: string) {
  const def = getCheck(id)!;
  return def.create(def.params.parse(params)).evaluate(input(text));
}

describe('regex check', () => {
  it.each([
    [{ pattern: 'LAUNCH-[0-9]{4}' }, 'code LAUNCH-1234 now', [[5, 16]]],
    [{ pattern: 'launch-[0-9]{4}' }, 'code LAUNCH-1234 now', []],
    [
      { pattern: 'launch-[0-9]{4}', flags: 'i' },
      'LAUNCH-1234 LAUNCH-5678',
      [
        [0, 11],
        [12, 23],
      ],
    ],
    [{ pattern: 'x*' }, 'abc', []],
    [{ pattern: '^secret$', flags: 'm' }, 'a\nsecret\nb', [[2, 8]]],
    [{ pattern: '\\p{Emoji_Presentation}', flags: 'u' }, 'hi 🚀', [[3, 5]]],
  ])('%j on %j → %j', (params, text, spans) => {
    const out = run('regex', params, text);
    expect(out.status === 'fail' ? out.spans.map((s) => [s.start, s.end]) : []).toEqual(spans);
  });

  it.each([
    [{ pattern: '(a+)+$' }, /exponential/],
    [{ pattern: '^(\\w+\\s?)*$' }, /exponential/],
    [{ pattern: '(a|a)*b' }, /exponential/],
    [{ pattern: '([a-' }, /invalid regular expression/],
    [{ pattern: 'a', flags: 'g' }, /flags may contain only/],
  ])('rejects %j at load', (params, message) => {
    const r = getCheck('regex')!.params.safeParse(params);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(message);
  });

  it('stops at max_matches', () => {
    const out = run('regex', { pattern: 'a', max_matches: 3 }, 'aaaaaa');
    expect(out.status === 'fail' && out.spans).toHaveLength(3);
  });

  it('never quotes the match in its detail', () => {
    const out = run('regex', { pattern: 'SECRET-[0-9]+' }, 'SECRET-42');
    expect(out.status === 'fail' && out.detail).not.toContain('SECRET');
  });
});

describe('contains check', () => {
  it.each([
    [{ words: ['badger'] }, 'A Badger appeared', [[2, 8]]],
    [{ words: ['badger'] }, 'badgers are not a badger', [[18, 24]]],
    [{ words: ['badger'], whole_words: false }, 'badgers', [[0, 6]]],
    [{ words: ['badger'], case_sensitive: true }, 'Badger badger', [[7, 13]]],
    [
      { words: ['honey badger', 'honey'] },
      'a honey badger and honey',
      [
        [2, 14],
        [19, 24],
      ],
    ],
    [{ words: ['a.b'] }, 'axb a.b', [[4, 7]]],
    [{ words: ['café'] }, 'cafés café', [[6, 10]]],
    [{ words: ['rm -rf'] }, 'run rm -rf / now', [[4, 10]]],
  ])('%j on %j → %j', (params, text, spans) => {
    const out = run('contains', params, text);
    expect(out.status === 'fail' ? out.spans.map((s) => [s.start, s.end]) : []).toEqual(spans);
  });
});

describe('check registry', () => {
  it('has unique ids, a summary and valid actions for every check', () => {
    const ids = checks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of checks) {
      expect(c.summary.length).toBeGreaterThan(10);
      expect(c.actions.every((a) => ['block', 'redact', 'flag'].includes(a))).toBe(true);
    }
  });
});
