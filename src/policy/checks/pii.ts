/**
 * `pii`: personal data in the output — emails (not placeholders), payment cards (Luhn), IBANs
 * (mod-97), US SSNs (SSA validity rules, whole tokens only), phone numbers (libphonenumber,
 * national formats of configurable regions), IPv4/IPv6 addresses (validated by node:net, not
 * versions).
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { CountryCode } from 'libphonenumber-js/max';
import { z } from 'zod';
import { collectSpans, defineCheck, PASS } from './types.js';
import { onSkeleton, skeleton } from './support/ignorable.js';
import { DEFAULT_REGIONS, findPhones, REGIONS } from './support/phone.js';
import { isPlaceholderEmail } from './support/pii-placeholders.js';

export const PII_TYPES = ['email', 'credit_card', 'iban', 'us_ssn', 'phone', 'ip_address'] as const;
export type PiiType = (typeof PII_TYPES)[number];

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function ibanValid(raw: string): boolean {
  const s = raw.replace(/ /g, '');
  if (s.length < 15 || s.length > 34) return false;
  const moved = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (const ch of moved) {
    const v = ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of v) rem = (rem * 10 + Number(d)) % 97;
  }
  return rem === 1;
}

/** How the finders read: the check's params that change what counts. */
export interface PiiOptions {
  /** Regions whose national phone formats are recognised (see support/phone.ts). */
  regions: readonly CountryCode[];
  /** Whether placeholder emails (support/pii-placeholders.ts) are reported too. */
  placeholders: boolean;
}

export const DEFAULT_PII_OPTIONS: PiiOptions = { regions: DEFAULT_REGIONS, placeholders: false };

interface Finder {
  /** A cheap test that must pass for the pattern to have any chance. */
  maybe?: RegExp;
  re: RegExp;
  /** Returns the span to report (relative to the match), or undefined to reject. */
  accept(m: RegExpExecArray, o: PiiOptions): [number, number] | undefined;
}

const whole = (m: RegExpExecArray): [number, number] => [0, m[0].length];

/**
 * Just before an IPv4-shaped run: a version keyword (`version 10.0.0.1`, `v 1.2.3.4`,
 * `firmware: 2.0.1.4`), so the run is a version number.
 */
const VERSION_BEFORE =
  /\b(?:version|ver|release|build|firmware|fw|rev|revision|patch|update|upgrade|v)\.?\s*[:=#]?\s*$/i;

const FINDERS: Record<Exclude<PiiType, 'phone'>, Finder> = {
  email: {
    maybe: /@/,
    re: /(?<![\w.+%-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z][A-Za-z0-9-]{0,61}[A-Za-z0-9](?![\w-])/g,
    accept: (m, o) => (!o.placeholders && isPlaceholderEmail(m[0]) ? undefined : whole(m)),
  },
  credit_card: {
    // Never starts after a digit or `-` (a long digit run would retry at every digit).
    re: /(?<![\d-])\d(?:[ -]?\d){12,18}(?!\d)/g,
    accept(m) {
      const digits = m[0].replace(/[ -]/g, '');
      if (/^(\d)\1+$/.test(digits) || !luhn(digits) || (digits.length === 13 && digits[0] !== '4'))
        return undefined;
      const seps = new Set(m[0].match(/[ -]/g) ?? []);
      return seps.size <= 1 ? whole(m) : undefined;
    },
  },
  iban: {
    re: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g,
    accept: (m) => (ibanValid(m[0]) ? whole(m) : undefined),
  },
  us_ssn: {
    // A whole token: never inside a word, a hex or base64 run (`a3f9123456789bc`, `+/` runs),
    // a path, a decimal or a dotted number.
    re: /(?<![\w+/.-])(\d{3})([- .]?)(\d{2})([- .]?)(\d{4})(?![\w+/-]|\.\d)/g,
    accept(m) {
      const [, area = '', s1, group = '', s2, serial = ''] = m;
      if (s1 && s2 && s1 !== s2) return undefined;
      if (
        area === '000' ||
        area === '666' ||
        area[0] === '9' ||
        group === '00' ||
        serial === '0000'
      )
        return undefined;
      if (`${area}${group}${serial}` === '078051120') return undefined; // the Woolworth wallet card number
      return whole(m);
    },
  },
  ip_address: {
    maybe: /\d\.\d{1,3}\.\d|::|[0-9a-f]:[0-9a-f]{1,4}:/i,
    re: /(?<![\w.:])(?:(?:\d{1,3}\.){3}\d{1,3}(?:\/\d{1,3})?|(?:(?:[0-9A-Fa-f]{0,4}:){2,7}(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?:%[\w.]+)?(?:\/\d{1,3})?)/g,
    accept(m) {
      const [addr = '', prefix] = m[0].split('/');
      const host = addr.split('%')[0] ?? '';
      const after = m.input.slice(m.index + m[0].length, m.index + m[0].length + 2);
      if (/^\w|^\.\d/.test(after)) return undefined;
      if (isIPv4(host)) {
        // A version, not an address: after a version keyword, or with a pre-release or build
        // suffix (`1.2.3.4-rc1`, `2.0.0.1+build`). Longer dotted runs (`1.2.3.4.5`) never match.
        const before = m.input.slice(Math.max(0, m.index - 24), m.index);
        if (prefix === undefined && (VERSION_BEFORE.test(before) || /^[-+][A-Za-z]/.test(after)))
          return undefined;
        return prefix === undefined || Number(prefix) <= 32 ? whole(m) : [0, addr.length];
      }
      if (!host.includes(':') || !isIPv6(host)) return undefined;
      return prefix === undefined || Number(prefix) <= 128 ? whole(m) : [0, addr.length];
    },
  },
};

/**
 * Spans of the given PII types in `text`, read without Default_Ignorable code points (spans
 * cover the original, invisible characters included).
 */
export function findPii(
  text: string,
  types: readonly PiiType[],
  options: PiiOptions = DEFAULT_PII_OPTIONS,
): { type: PiiType; start: number; end: number }[] {
  return onSkeleton(text, (t) => findPiiIn(t, types, options));
}

function findPiiIn(
  text: string,
  types: readonly PiiType[],
  options: PiiOptions,
): { type: PiiType; start: number; end: number }[] {
  const out: { type: PiiType; start: number; end: number }[] = [];
  for (const type of types) {
    if (type === 'phone') {
      for (const [start, end] of findPhones(text, options)) out.push({ type, start, end });
      continue;
    }
    const f = FINDERS[type];
    if (f.maybe && !f.maybe.test(text)) continue;
    f.re.lastIndex = 0;
    for (let m = f.re.exec(text); m; m = f.re.exec(text)) {
      const span = f.accept(m, options);
      if (span) out.push({ type, start: m.index + span[0], end: m.index + span[1] });
    }
  }
  return out;
}

const params = z.strictObject({
  /** Entity types to look for (default: all). */
  types: z
    .array(z.enum(PII_TYPES))
    .min(1)
    .default([...PII_TYPES]),
  /** Exact values never reported (a support address you publish, a documentation IP). */
  allow: z.array(z.string()).default([]),
  /**
   * Regions (ISO 3166 codes libphonenumber knows) whose national phone formats are recognised
   * — numbers written without `+`, e.g. `(415) 555-0132` (US), `020 7946 0958` (GB). Numbers
   * with `+` or an international prefix are found whatever this says. Each region costs one
   * parse per candidate and admits more digit runs: list where your users are.
   */
  regions: z
    .array(z.enum(REGIONS))
    .min(1)
    .default([...DEFAULT_REGIONS]),
  /**
   * Report placeholder emails too (`user@example.com`, `you@yourcompany.com`, `name@domain.com`:
   * reserved and template domains, placeholder mailboxes at webmail domains). Default: no.
   */
  report_placeholders: z.boolean().default(false),
});

export const piiCheck = defineCheck({
  id: 'pii',
  summary:
    'Personal data: email addresses (not placeholders), payment cards (Luhn), IBANs (mod-97), US SSNs (whole tokens), phone numbers (libphonenumber; national formats of configured regions), IPv4/IPv6 addresses (not versions).',
  params,
  actions: ['block', 'redact', 'flag'],
  create(p) {
    const allow = new Set(p.allow);
    const options: PiiOptions = {
      regions: p.regions,
      placeholders: p.report_placeholders,
    };
    return {
      evaluate(input) {
        const { spans, kinds: types } = collectSpans(input, (text) =>
          findPii(text, p.types, options)
            .filter((f) => !allow.has(skeleton(text.slice(f.start, f.end)).text))
            .map((f) => ({ start: f.start, end: f.end, kind: f.type })),
        );
        return spans.length
          ? {
              status: 'fail',
              spans,
              detail: `${spans.length} item(s) of personal data (${[...types].join(', ')})`,
            }
          : PASS;
      },
    };
  },
});
