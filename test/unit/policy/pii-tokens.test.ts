/**
 * `pii` precision (issue 14, item 4): SSNs only as whole tokens (never inside hex or base64
 * runs), IPv4 addresses but not versions, emails but not placeholders.
 */
import { describe, expect, it } from 'vitest';
import type { PiiType } from '../../../src/policy/checks/pii.js';
import { findPii } from '../../../src/policy/checks/pii.js';
import { getCheck } from '../../../src/policy/checks/registry.js';
import { isPlaceholderEmail } from '../../../src/policy/checks/support/pii-placeholders.js';
import { input } from '../../helpers/check-input.js';

const found = (type: PiiType, text: string) =>
  findPii(text, [type]).map((f) => text.slice(f.start, f.end));

describe('us_ssn: whole tokens only', () => {
  it.each([
    ['dashed', 'SSN 536-22-8726.', ['536-22-8726']],
    ['spaced', 'SSN: 536 22 8726', ['536 22 8726']],
    ['dotted', 'SSN 501.42.7788 on file', ['501.42.7788']],
    ['bare', 'ssn=536228726', ['536228726']],
    ['quoted', 'ssn: "342-18-5570"', ['342-18-5570']],
    ['inside a hex run', 'commit a3f9123456789bc', []],
    ['after hex letters', 'object deadbeef123456789cafe', []],
    ['before hex letters', 'id 123456789abcdef', []],
    ['inside base64', 'data QUJD123456789+/xyz=', []],
    ['between base64 slashes', 'key AAAA/123456789/BBBB', []],
    ['inside an identifier', 'file_123456789.png', []],
    ['after a letter', 'a123-45-6789', []],
    ['a decimal', 'ratio 3.123456789', []],
    ['a longer run', '123-45-6789-0', []],
    ['a longer leading group', '1123-45-6789', []],
    ['invalid area 666', 'SSN 666-05-1123', []],
  ])('%s', (_n, text, expected) => {
    expect(found('us_ssn', text)).toEqual(expected);
  });
});

describe('ip_address: not versions', () => {
  it.each([
    ['an address', 'server 10.1.2.3', ['10.1.2.3']],
    ['an address after ssh user@', 'ssh admin@192.168.0.14', ['192.168.0.14']],
    ['an address with a port', 'connect to 172.16.254.1:8080', ['172.16.254.1']],
    ['a CIDR block', 'allow 203.0.113.7/32', ['203.0.113.7/32']],
    ['a range', 'range 10.0.0.1-10.0.0.255', ['10.0.0.1', '10.0.0.255']],
    ['after "version"', 'version 1.2.3.4', []],
    ['after "Version:"', 'Version: 5.4.3.2', []],
    ['after "ver."', 'updated to ver. 2.1.0.0', []],
    ['after "build"', 'build 4.5.2.1 is out', []],
    ['after "firmware:"', 'firmware: 1.0.12.3', []],
    ['with a pre-release suffix', 'upgrade to 3.1.4.1-beta', []],
    ['with build metadata', 'pkg 1.2.3.4+build5', []],
    ['prefixed with v', 'v10.0.0.1-rc', []],
    ['a longer dotted run', '1.2.3.4.5', []],
    ['an OID', 'OID 1.3.6.1.4.1.311', []],
  ])('%s', (_n, text, expected) => {
    expect(found('ip_address', text)).toEqual(expected);
  });
});

describe('email: not placeholders', () => {
  it.each([
    ['user@example.com', true],
    ['admin@example.org', true],
    ['alice@mail.example.com', true],
    ['user@host.invalid', true],
    ['dev@app.test', true],
    ['name@domain.com', true],
    ['you@yourcompany.com', true],
    ['you@your-company.com', true],
    ['email@yourdomain.com', true],
    ['foo@bar.com', true],
    ['jane@acme.com', true],
    ['test@test.com', true],
    ['username@gmail.com', true],
    ['yourname@gmail.com', true],
    ['first.last@company.com', true],
    ['jane.smith@gmail.com', false],
    ['r.kumar@infosys.co.in', false],
    ['support@acme-corp.de', false],
    ['user@xn--80ak6aa92e.com', false],
    ['bob@examples.com', false],
  ])('%s → placeholder %s', (address, placeholder) => {
    expect(isPlaceholderEmail(address)).toBe(placeholder);
    expect(found('email', `write to ${address} now`)).toEqual(placeholder ? [] : [address]);
  });

  it('reports placeholders too with report_placeholders', () => {
    const def = getCheck('pii')!;
    const check = def.create(def.params.parse({ types: ['email'], report_placeholders: true }));
    expect(check.evaluate(input('e.g. user@example.com')).status).toBe('fail');
  });
});
