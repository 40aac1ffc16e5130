/**
 * Phone numbers in `pii` (issue 14, item 4): libphonenumber validation, national formats of
 * the configured regions, and no dates, versions, amounts, identifiers or code.
 */
import { describe, expect, it } from 'vitest';
import { findPii } from '../../../src/policy/checks/pii.js';
import { getCheck } from '../../../src/policy/checks/registry.js';
import { notPhoneShape, PHONE_RUN } from '../../../src/policy/checks/support/phone-shape.js';
import { findPhones } from '../../../src/policy/checks/support/phone.js';
import { input } from '../../helpers/check-input.js';
import { expectLinear } from '../../helpers/linear.js';

const phones = (text: string) => findPii(text, ['phone']).map((f) => text.slice(f.start, f.end));

describe('phone numbers found', () => {
  it.each([
    ['US', 'call (415) 555-0132 today', '(415) 555-0132'],
    ['US with dots', 'fax 415.555.0132.', '415.555.0132'],
    ['US with the trunk 1', 'dial 1-800-555-0199', '1-800-555-0199'],
    ['Canada through the North American plan', 'Toronto (416) 555-0139', '(416) 555-0139'],
    ['GB', 'Ring 020 7946 0958 now', '020 7946 0958'],
    ['GB with the area code in parentheses', 'Tel (0161) 496 0234', '(0161) 496 0234'],
    ['DE', 'Telefon 030 12345678', '030 12345678'],
    ['DE with a slash', 'Stuttgart 0711 / 1234567', '0711 / 1234567'],
    ['FR', 'Appelez le 01 42 68 53 00.', '01 42 68 53 00'],
    ['FR with dots', 'Portable 06.98.76.54.32', '06.98.76.54.32'],
    ['IN', 'Delhi 011 2345 6789', '011 2345 6789'],
    ['IN mobile without the trunk 0', 'Mobile 98765 43210', '98765 43210'],
    ['international', 'Paris +33 1 42 68 53 00', '+33 1 42 68 53 00'],
    ['international with (0)', 'London +44 (0)20 7946 0321', '+44 (0)20 7946 0321'],
    ['international prefix 00', 'From Germany 0044 20 7946 0958', '0044 20 7946 0958'],
    ['a tel: URI', 'tel:+14155550132', '+14155550132'],
    ['a bare run the text calls a phone', 'phone: 3055550167', '3055550167'],
    ['a bare Indian mobile the text calls a phone', 'phone 9876543210', '9876543210'],
    ['in a list', 'call 415-555-0132, 24/7', '415-555-0132'],
  ])('%s', (_n, text, found) => {
    expect(phones(text)).toEqual([found]);
  });
});

describe('not phone numbers', () => {
  it.each([
    ['an ISO date', 'released 2023-10-05'],
    ['a German date', 'am 05.10.2023'],
    ['a timestamp', '2024-01-15 14:30:00 UTC'],
    ['a year range', 'active 2019-2023'],
    ['a four-part version', 'upgrade to 10.0.19041.1'],
    ['an IPv4 address', 'gateway 192.168.1.10'],
    ['an amount in thousands', 'costs 1 234 567 €'],
    ['an amount after a currency sign', 'total $ 4155550132'],
    ['an order number', 'your order 234-567-8901 shipped'],
    ['an order number after "number"', 'my order number 4155550132'],
    ['an ISBN', 'ISBN 978-3-16-148410-0'],
    ['a bare run without a phone word', 'id = 4155550132'],
    ['a hex run', 'commit a3f94155550132'],
    ['a decimal', 'pi 3.14159265358979'],
    ['a US SSN shape', 'SSN 078-05-1123'],
    ['a card number', '4111 1111 1111 1111'],
    ['a placeholder', 'format 123-456-7890'],
    ['single digits', 'x = 1 2 3 4 5 6 7 8'],
    ['a region not configured', 'Madrid 912 345 678'],
  ])('%s', (_n, text) => {
    expect(phones(text)).toEqual([]);
  });
});

describe('regions', () => {
  const run = (params: unknown, text: string) => {
    const def = getCheck('pii')!;
    return def
      .create(def.params.parse({ types: ['phone'], ...(params as object) }))
      .evaluate(input(text));
  };

  it('finds a national format only for a configured region', () => {
    expect(run({}, 'Madrid 912 345 678').status).toBe('pass');
    expect(run({ regions: ['ES'] }, 'Madrid 912 345 678').status).toBe('fail');
    expect(run({ regions: ['ES'] }, 'Paris 01 42 68 53 00').status).toBe('pass');
  });

  it('finds international numbers whatever the regions', () => {
    expect(run({ regions: ['ES'] }, 'Paris +33 1 42 68 53 00').status).toBe('fail');
  });

  it('rejects a region libphonenumber does not know', () => {
    expect(getCheck('pii')!.params.safeParse({ regions: ['XX'] }).success).toBe(false);
    expect(getCheck('pii')!.params.safeParse({ regions: [] }).success).toBe(false);
  });
});

describe('cost', () => {
  it('judges runs by shape once the validation budget is spent', () => {
    const text = Array.from({ length: 20 }, (_, i) => `(415) 555-01${10 + i}`).join(', ');
    expect(findPhones(text, { regions: ['US'], budget: 0 })).toHaveLength(20);
    expect(findPhones('(123) 456-7890', { regions: ['US'], budget: 0 })).toHaveLength(1);
    expect(findPhones('(123) 456-7890', { regions: ['US'] })).toHaveLength(0);
  });

  it('takes each run once: a long run of digits and separators is one candidate', () => {
    const runs = (t: string) => [...t.matchAll(PHONE_RUN)].length;
    expect(runs(`${'1 '.repeat(10_000)}`)).toBe(0);
    expect(runs('1234567890'.repeat(1000))).toBe(0);
    expect(runs('a 415-555-0132 b 020 7946 0958 c')).toBe(2);
  });

  it.each([
    [
      'distinct phone-shaped runs',
      (n: number) =>
        Array.from(
          { length: n / 16 },
          (_, i) => `(415) 555-${String(i % 10000).padStart(4, '0')} `,
        ).join(''),
    ],
    ['digits and spaces', (n: number) => '12 34 56 78 9 '.repeat(n / 14)],
    ['dates', (n: number) => '2023-10-05 '.repeat(n / 11)],
  ])('stays linear on %s', (_n, gen) => {
    expectLinear(
      (n) => {
        const t = gen(n);
        return () => findPii(t, ['phone']);
      },
      25_000,
      { maxMs: 400 },
    );
  });
});

describe('notPhoneShape', () => {
  it.each([
    ['2023-10-05', 'date'],
    ['05.10.2023', 'date'],
    ['10/05/2023', 'date'],
    ['2019-2023', 'years'],
    ['1 234 567', 'amount'],
    ['12.345.678', 'amount'],
    ['078-05-1123', 'ssn'],
    ['3.14159265', 'decimal'],
    ['192.168.1.10', 'address'],
    ['10.0.19041.1', 'version'],
    ['1 2 3 4 5 6 7', 'single digits'],
    ['(415) 555-0132', undefined],
    ['01.42.68.53.00', undefined],
    ['030 12345678', undefined],
  ])('%s → %s', (run, why) => {
    expect(notPhoneShape(run)).toBe(why);
  });
});
