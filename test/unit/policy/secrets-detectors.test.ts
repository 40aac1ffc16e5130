/**
 * Every credential detector, table-driven: a text it must find and texts it must not
 * (test/fixtures/secrets/cases.ts), and the contract each one keeps (keywords, a documented
 * provider, at least 120 services).
 */
import { describe, expect, it } from 'vitest';
import { findSecrets } from '../../../src/policy/checks/secrets.js';
import { detectors } from '../../../src/policy/checks/secrets/detectors.js';
import type { Case } from '../../fixtures/secrets/cases.js';
import { GENERATED, HAND } from '../../fixtures/secrets/cases.js';

const byId = new Map(detectors.map((d) => [d.id, d]));
const CASES: readonly Case[] = [...GENERATED, ...HAND];
const found = (id: string, text: string) => findSecrets(text, [byId.get(id)!], new Set());

describe('every detector finds its format', () => {
  it.each(CASES.map(([id, text]) => [id, text] as const))('%s: %j', (id, text) => {
    const f = found(id, text);
    expect(f.length).toBeGreaterThan(0);
    // The span is the value, without the quotes or separators around it (the service-account
    // detector flags the file's `"type": "service_account"` marker itself).
    if (id !== 'gcp-service-account')
      for (const x of f) expect(text.slice(x.start, x.end)).not.toMatch(/^[\s"'=:`]|[\s"'`]$/);
  });
});

describe('and not its near misses (shortened, masked, placeholders, ids, other names)', () => {
  it.each(CASES.flatMap(([id, , negatives]) => negatives.map((n) => [id, n] as const)))(
    '%s: %j',
    (id, text) => {
      expect(found(id, text)).toEqual([]);
    },
  );
});

describe('the detector contract', () => {
  it('every detector has cases, positive and negative', () => {
    const seen = new Map<string, [number, number]>();
    for (const [id, , neg] of CASES) {
      const [p, n] = seen.get(id) ?? [0, 0];
      seen.set(id, [p + 1, n + neg.length]);
    }
    for (const d of detectors) {
      const [p, n] = seen.get(d.id) ?? [0, 0];
      expect(p, d.id).toBeGreaterThan(0);
      expect(n, d.id).toBeGreaterThan(0);
    }
    for (const id of seen.keys()) expect(byId.has(id), id).toBe(true);
  });

  it('covers at least 120 services', () => {
    expect(new Set(detectors.map((d) => d.provider)).size).toBeGreaterThanOrEqual(120);
  });

  it.each(detectors.map((d) => [d.id, d] as const))(
    '%s: keywords, regex and a match hold a keyword',
    (_id, d) => {
      expect(new Set(detectors.map((x) => x.id)).size).toBe(detectors.length);
      expect(d.keywords.length).toBeGreaterThan(0);
      for (const k of d.keywords) {
        expect(k).toBe(k.toLowerCase());
        expect(k.length).toBeGreaterThanOrEqual(2);
      }
      expect(d.re.global).toBe(true);
      // Every match contains a keyword (the check runs a detector only when one occurs).
      for (const [id, text] of CASES) {
        if (id !== d.id) continue;
        d.re.lastIndex = 0;
        for (let m = d.re.exec(text); m; m = d.re.exec(text))
          expect(
            d.keywords.some((k) => m[0].toLowerCase().includes(k)),
            m[0],
          ).toBe(true);
      }
    },
  );
});

// Attack review (issue 14): a token whose format may hold a `.` was missed when a sentence's
// full stop followed it (`Your Vault token is hvs.….`): the lookahead after the value
// refused any `.`, not just one that continues the token.
describe('a full stop after the value does not hide it', () => {
  it.each(
    CASES.filter(([, text]) => !/[:\s]$/.test(text)).map(([id, text]) => [id, text] as const),
  )('%s: %j.', (id, text) => {
    expect(found(id, `Here it is:\n${text}.\nKeep it safe.`).length).toBeGreaterThan(0);
  });
  it.each(
    CASES.filter(([id]) =>
      ['azure-ad-client-secret', 'vault-token', 'typeform-token', 'planetscale-token'].includes(id),
    ).map(([id, text]) => [id, text] as const),
  )('%s: %j. in a sentence, and not when the dot continues the token', (id, text) => {
    expect(found(id, `The key is ${text}. Keep it safe.`).length).toBeGreaterThan(0);
    // A PlanetScale token may hold dots: `….x9` is a longer one.
    if (id !== 'planetscale-token') expect(found(id, `The key is ${text}.x9`)).toEqual([]);
  });
});

// Attack review (issue 14): a `name=value` secret followed by another query parameter was
// missed (`&` is a password character, so the value ran on into `&useSSL=true` and failed).
describe('a secret in a query string, before another parameter', () => {
  it.each([
    [
      'jdbc:mysql://db.example.com/app?user=admin&password=Zk9vT3mXc5Hb8Lp2&useSSL=true',
      'Zk9vT3mXc5Hb8Lp2',
    ],
    [
      'https://api.example.com/v1/data?api_key=q8Wm3Zt7Lx2Rv9Kp4Nb6Yc1H&format=json',
      'q8Wm3Zt7Lx2Rv9Kp4Nb6Yc1H',
    ],
    ['GET /export?token=Tq3mZ8xK2vLp9RwN4sQ7&page=2 HTTP/1.1', 'Tq3mZ8xK2vLp9RwN4sQ7'],
    ['DB_PASSWORD=Xk9#mP2$vL&7q', 'Xk9#mP2$vL&7q'],
  ])('%s', (text, value) => {
    const f = found('generic-secret', text);
    expect(f.map((x) => text.slice(x.start, x.end))).toEqual([value]);
  });
});
