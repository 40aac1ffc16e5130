import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/model/canonical-json.js';
import { hashRecord } from '../../../src/audit/record.js';

describe('canonicalJson', () => {
  it.each([
    ['sorted keys', { b: 1, a: 2 }, '{"a":2,"b":1}'],
    ['nested sort', { z: { y: 1, x: [{ b: 1, a: 0 }] } }, '{"z":{"x":[{"a":0,"b":1}],"y":1}}'],
    ['no whitespace', { a: [1, 2, 'x y'] }, '{"a":[1,2,"x y"]}'],
    ['undefined member omitted', { a: undefined, b: null }, '{"b":null}'],
    ['undefined in array is null', [undefined, 1], '[null,1]'],
    ['non-finite number is null', { a: Infinity }, '{"a":null}'],
    ['escapes', { 'k"': 'é\n\u2028' }, '{"k\\"":"é\\n\u2028"}'],
    [
      'toJSON honoured',
      { d: new Date('2026-01-01T00:00:00Z') },
      '{"d":"2026-01-01T00:00:00.000Z"}',
    ],
    ['top-level undefined', undefined, 'null'],
  ])('%s', (_name, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('is stable under key order and a JSON round trip', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const c = canonicalJson(v);
        expect(canonicalJson(JSON.parse(c))).toBe(c);
        expect(canonicalJson(JSON.parse(JSON.stringify(v)))).toBe(c);
      }),
    );
  });

  it('gives the same hash whatever the key order', () => {
    const a = { seq: 0, type: 't', prev: '0', time: 'x', f: { b: 1, a: 2 } };
    const b = { f: { a: 2, b: 1 }, time: 'x', prev: '0', type: 't', seq: 0 };
    expect(hashRecord(a)).toBe(hashRecord(b));
    expect(hashRecord({ ...a, hash: 'ignored' })).toBe(hashRecord(a));
    expect(hashRecord(a, Buffer.from('k'))).not.toBe(hashRecord(a));
  });
});
