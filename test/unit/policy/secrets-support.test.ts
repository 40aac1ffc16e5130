/**
 * The pieces the secret detectors share: the keyword scanner (Aho–Corasick), key-name words,
 * the checksums formats document, and the placeholder test.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bech32Ok, stellarSeedOk } from '../../../src/policy/checks/secrets/checksums.js';
import { realPassword } from '../../../src/policy/checks/secrets/connection.js';
import type { Detector } from '../../../src/policy/checks/secrets/detector.js';
import { detectors } from '../../../src/policy/checks/secrets/detectors.js';
import { plausibleValue } from '../../../src/policy/checks/secrets/generic.js';
import { keywordScanner } from '../../../src/policy/checks/secrets/keywords.js';
import { nameWords, secretName } from '../../../src/policy/checks/secrets/names.js';
import { isPlaceholder } from '../../../src/policy/checks/secrets/placeholder.js';

describe('keywordScanner', () => {
  const naive = (active: readonly Detector[], text: string) =>
    new Set(active.filter((d) => d.keywords.some((k) => text.toLowerCase().includes(k))));

  it('finds the same detectors as a case-insensitive substring search', () => {
    const scan = keywordScanner(detectors);
    const words = fc.constantFrom(
      ...detectors.flatMap((d) => d.keywords),
      'é',
      ' ',
      'xy',
      '🚀',
      'AKIA',
      'Sk_',
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(words, fc.string({ maxLength: 4 })), { maxLength: 12 }),
        (parts) => {
          const text = parts.join('');
          expect(new Set(scan(text))).toEqual(naive(detectors, text));
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([
    ['overlapping keywords', 'xoxapp-1', ['slack-token']],
    ['upper case', 'GHP_', ['github-token']],
    ['a keyword split by a non-ASCII character', 'gh\u00e9p_', []],
    ['nothing', 'the canary sings', []],
  ])('%s', (_n, text, ids) => {
    const active = detectors.filter((d) => ['slack-token', 'github-token'].includes(d.id));
    expect([...keywordScanner(active)(text)].map((d) => d.id).sort()).toEqual(ids);
  });
});

describe('key names', () => {
  it.each([
    ['DB_PASSWORD', ['db', 'password'], true],
    ['apiKey', ['api', 'key'], true],
    ['x-api-key', ['x', 'api', 'key'], true],
    ['client.secret', ['client', 'secret'], true],
    ['APIKey', ['api', 'key'], true],
    ['AUTH_TOKEN', ['auth', 'token'], true],
    ['basic_auth', ['basic', 'auth'], true],
    ['passphrase', ['passphrase'], true],
    ['token_count', ['token', 'count'], false],
    ['max_tokens', ['max', 'tokens'], false],
    ['public_key', ['public', 'key'], false],
    ['cache_key', ['cache', 'key'], false],
    ['keyPair', ['key', 'pair'], false],
    ['AuthSource', ['auth', 'source'], false],
    ['monkey', ['monkey'], false],
    ['bypass', ['bypass'], false],
    ['secretName', ['secret', 'name'], false],
    ['password_hash', ['password', 'hash'], false],
    ['HEROKU_APP_ID', ['heroku', 'app', 'id'], false],
  ])('%s', (name, words, secret) => {
    expect(nameWords(name)).toEqual(words);
    expect(secretName(name)).toBe(secret);
  });

  it('in prose, a secret word anywhere names the value (loose)', () => {
    expect(secretName('Here is the Datadog API key you asked for: ', true)).toBe(true);
    expect(secretName('Here is the Datadog API key you asked for: ')).toBe(false);
    expect(secretName('The Snyk org id is ', true)).toBe(false);
  });
});

describe('values of the generic rule', () => {
  it.each([
    ['Zx8Qw2Lm9Rt4Vb7Nk3Pj', false, true],
    ['6da89121079f83b2eb6acccf8219ea982c3d', false, true],
    ['UMGHXTSEuxlcPgHIRdDBxUpeZHAVPCu', false, true],
    ['Xk9#mP2$vL7q', true, true],
    ['hunter2-Very-Secret-Value', true, true],
    ['settings.OPENAI_API_KEY', false, false],
    ['MY_GITHUB_TOKEN', false, false],
    ['getAccessToken2', false, false],
    ['AbstractSingletonProxyFactoryBean', false, false],
    ['1.2.3-beta.4', false, false],
    ['/etc/ssl/private/server.key', false, false],
    ['sm02915.int.contoso.com', false, false],
    ['jane.doe@example.com', false, false],
    ['DOC_Vector_5_32', false, false],
    ['chain_Anvil2_Key', false, false],
    ['combination.', true, false],
    ['${DB_PASSWORD}', true, false],
    ['%(db_password)s', true, false],
    ['12345678901', false, false],
  ])('%s (password name: %s) → %s', (v, password, expected) => {
    expect(plausibleValue(v, password)).toBe(expected);
  });
});

describe('URL passwords', () => {
  it.each([
    ['N7vq2LzX9pRm4KtW', 'app', true],
    ['s3cr3tPa55', 'app', true],
    ['password', 'user', false],
    ['changeme', 'admin', false],
    ['admin', 'admin', false],
    ['${DB_PASSWORD}', 'app', false],
    ['<password>', 'app', false],
    ['****', 'app', false],
    ['5432', 'db', false],
    ['[PASSWORD]', 'neo4j', false],
    ['$PASS', 'u', false],
  ])('%s (user %s) → %s', (pw, user, expected) => {
    expect(realPassword(pw, user)).toBe(expected);
  });
});

describe('checksums', () => {
  it.each([
    ['AGE-SECRET-KEY-1QG8L4V59VAMNMRD6GGNU8PPJTE9CSJL68LSRQFP8F2XVXYLF3K0SFWZ62V', true],
    ['AGE-SECRET-KEY-1QG8L4V59VAMNMRD6GGNU8PPJTE9CSJL68LSRQFP8F2XVXYLF3K0SFWZ62Q', false],
    ['AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ', false],
    // BIP-173's test vectors.
    ['A12UEL5L', true],
    ['abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw', true],
    ['a12uel5l', true],
    ['A12uEL5L', false],
    ['abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxx', false],
  ])('bech32 %s → %s', (s, ok) => {
    expect(bech32Ok(s)).toBe(ok);
  });

  it.each([
    // SEP-0023's example seed.
    ['SBU2RRGLXH3E5CQHTD3ODLDF2BWDCYUSSBLLZ5GNW7JXHDIYKXZWHOKR', true],
    ['SBU2RRGLXH3E5CQHTD3ODLDF2BWDCYUSSBLLZ5GNW7JXHDIYKXZWHOKS', false],
    ['GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ', false],
  ])('Stellar seed %s → %s', (s, ok) => {
    expect(stellarSeedOk(s)).toBe(ok);
  });
});

describe('placeholders', () => {
  it.each([
    ['sk-xxxxxxxxxxxxxxxxxxxxxxxx', true],
    ['<your-token>', true],
    ['YOUR_API_KEY', true],
    ['${TOKEN}', true],
    ['********', true],
    ['replace-me-with-a-real-secret', true],
    ['AKIAIOSFODNN7EXAMPLE', true],
    ['%s', true],
    ['zS%S4bvNG%HZKwyt', false],
    ['q8Wm3Zt7Lx2Rv9Kp4Nb6Yc1H', false],
  ])('%s → %s', (v, expected) => {
    expect(isPlaceholder(v)).toBe(expected);
  });
});
