import { describe, expect, it } from 'vitest';
import { auditConfigSchema, auditLogOptions } from '../../../src/audit/config.js';

describe('audit config', () => {
  it.each([
    [{ path: 'a.log' }, { path: 'a.log', max_bytes: 10 * 1024 ** 2, keep: 5 }],
    [
      { path: 'a.log', max_bytes: '1mb', keep: 2 },
      { path: 'a.log', max_bytes: 1024 ** 2, keep: 2 },
    ],
    [
      { path: 'a.log', max_bytes: 8192 },
      { path: 'a.log', max_bytes: 8192, keep: 5 },
    ],
  ])('parses %j', (input, expected) => {
    expect(auditConfigSchema.parse(input)).toEqual(expected);
  });

  it.each([
    ['no path', {}],
    ['unknown key', { path: 'a', extra: 1 }],
    ['size without a known unit', { path: 'a', max_bytes: '10 parsecs' }],
    ['size too small', { path: 'a', max_bytes: '1kb' }],
    ['short key', { path: 'a', hmac_key: 'short' }],
    ['negative keep', { path: 'a', keep: -1 }],
  ])('rejects %s', (_name, input) => {
    expect(auditConfigSchema.safeParse(input).success).toBe(false);
  });

  it('turns the key into bytes', () => {
    const cfg = auditConfigSchema.parse({ path: 'a', hmac_key: 'sixteen-chars-ok' });
    expect(auditLogOptions(cfg).key?.toString('utf8')).toBe('sixteen-chars-ok');
    expect('key' in auditLogOptions(auditConfigSchema.parse({ path: 'a' }))).toBe(false);
  });
});
