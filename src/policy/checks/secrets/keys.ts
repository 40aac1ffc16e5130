/**
 * Key material in standard formats: PEM private keys (RFC 7468: PKCS#1/#8, EC, OpenSSH,
 * encrypted, PGP armour), PuTTY key files, age identities, Nostr secret keys, Stellar secret
 * seeds, JSON Web Tokens.
 */
import { bech32Ok, stellarSeedOk } from './checksums.js';
import type { Detector } from './detector.js';
import { near } from './shapes.js';

const family = 'keys';

/** The base64 runs of a PEM block or key file, without its labels. */
const base64Runs = (s: string): string =>
  (s.replace(/-----[A-Z0-9 _]{0,120}-----/g, ' ').match(/[A-Za-z0-9+/=]{20,}/g) ?? []).join(' ');

/** Key material, not a header's worth: 32 base64 characters in a row (PKCS headers are 16–26). */
const keyBody = (s: string): boolean => /[A-Za-z0-9+/]{32,}/.test(base64Runs(s));

const b64urlJson = (part: string): boolean => {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null;
  } catch {
    return false;
  }
};

const BEGIN = '-----BEGIN[ A-Z0-9_]{0,100}PRIVATE KEY(?: BLOCK)?-----';
const END = '-----END[ A-Z0-9_]{0,100}PRIVATE KEY(?: BLOCK)?-----';
/** A line break inside a key: real, or escaped in a JSON/code string. */
const NL = String.raw`(?:\s|\\[rn])`;
/** A line of base64 that ends there (a word of prose after a cut-short key is not one). */
const LINE = String.raw`[A-Za-z0-9+/=]{4,100}(?=[\r\n"'\\]|$)`;

export const keys: readonly Detector[] = [
  // https://www.rfc-editor.org/rfc/rfc7468: `-----BEGIN … PRIVATE KEY-----`, optional
  // headers (`Proc-Type:`, `DEK-Info:`, PGP `Version:`), base64 lines, `-----END …-----`.
  // A key cut short (a truncated answer) has no END line: its header and base64 lines are
  // still a key. Labels have no `-`: a label that could run across `-----` into the next
  // header made a run of headers cost a hundred steps each.
  {
    id: 'private-key',
    provider: 'PEM',
    family,
    keywords: ['-----begin'],
    maxSpan: 33000,
    settle: /-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/,
    re: new RegExp(
      `${BEGIN}(?:(?:[^-]|-(?!----)){16,32768}${END}|(?:${NL}{1,8}[A-Za-z][A-Za-z-]{1,30}:[^\\r\\n\\\\]{1,200}){0,8}${NL}{1,8}${LINE}(?:${NL}{1,8}${LINE}){0,600})`,
      'g',
    ),
    validate: keyBody,
    inspect: base64Runs,
  },
  // https://the.earth.li/~sgtatham/putty/0.78/htmldoc/AppendixC.html: PuTTY `.ppk` files,
  // `Private-Lines: N` then the private key's base64 lines.
  {
    id: 'putty-private-key',
    provider: 'PuTTY',
    family,
    keywords: ['private-lines:'],
    maxSpan: 8000,
    settle: /Private-MAC:/,
    re: /Private-Lines: ?\d{1,3}(?:\r?\n[A-Za-z0-9+/=]{4,100}){1,100}/g,
    validate: keyBody,
    inspect: base64Runs,
  },
  // https://age-encryption.org/v1: identities `AGE-SECRET-KEY-1` + Bech32 (BIP-173 checksum).
  {
    id: 'age-secret-key',
    provider: 'age',
    family,
    keywords: ['age-secret-key-1'],
    re: /\bAGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}\b/g,
    prefix: 16,
    validate: bech32Ok,
  },
  // https://github.com/nostr-protocol/nips/blob/master/19.md: secret keys `nsec1` + Bech32.
  {
    id: 'nostr-secret-key',
    provider: 'Nostr',
    family,
    keywords: ['nsec1'],
    re: /\bnsec1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58}\b/g,
    prefix: 5,
    validate: bech32Ok,
  },
  // https://github.com/stellar/stellar-protocol/blob/master/ecosystem/sep-0023.md: secret seeds
  // `S…` (56 base32, version byte 18 << 3, CRC16-XModem). `S` + base32 is common text, so
  // the name Stellar must be near.
  near({
    id: 'stellar-secret-seed',
    provider: 'Stellar',
    family,
    names: ['stellar', 'secret_seed', 'secretseed'],
    value: 'S[A-D][A-Z2-7]{54}',
    maxValue: 56,
    validate: stellarSeedOk,
    anyName: true,
  }),
  // https://www.rfc-editor.org/rfc/rfc7519: base64url JSON header `eyJ…`, payload, signature.
  {
    id: 'jwt',
    provider: 'JWT',
    family,
    keywords: ['eyj'],
    maxSpan: 8192,
    // Never starts inside a run of token characters (`eyJ-eyJ-…` would rescan the run from
    // every `eyJ`: quadratic).
    re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,8192}={0,2}\.eyJ[A-Za-z0-9_-]{8,8192}={0,2}(?:\.[A-Za-z0-9_-]{8,8192}={0,2})?/g,
    validate: (s) => b64urlJson(s.split('.')[0]!.replace(/=+$/, '')),
  },
];
