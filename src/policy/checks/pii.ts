/**
 * `pii`: personal data in the output — emails, payment cards (Luhn), IBANs (mod-97), US SSNs
 * (SSA validity rules), phone numbers, IPv4/IPv6 addresses (validated by node:net).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';
import { collectSpans, defineCheck, PASS } from './types.js';
import { onSkeleton, skeleton } from './support/ignorable.js';

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

interface Finder {
  /** A cheap test that must pass for the pattern to have any chance. */
  maybe?: RegExp;
  re: RegExp;
  /** Returns the span to report (relative to the match), or undefined to reject. */
  accept(m: RegExpExecArray): [number, number] | undefined;
}

const whole = (m: RegExpExecArray): [number, number] => [0, m[0].length];

const FINDERS: Record<PiiType, Finder> = {
  email: {
    maybe: /@/,
    re: /(?<![\w.+%-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z][A-Za-z0-9-]{0,61}[A-Za-z0-9](?![\w-])/g,
    accept: whole,
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
    re: /(?<![\d-])(\d{3})([- .]?)(\d{2})([- .]?)(\d{4})(?![\d-])/g,
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
  phone: {
    re: /(?<![\w+])(?:\+\d{1,3}(?:[ .-]?\(?\d{1,5}\)?){2,5}|(?:\(\d{2,4}\)[ .-]?|\d{2,4}[.-]|\d{3} )?\d{3,5}[ .-]?\d{4})(?![\w])/g,
    accept(m) {
      const digits = m[0].replace(/\D/g, '');
      if (digits.length < 9 || digits.length > 15 || /^(\d)\1+$/.test(digits)) return undefined;
      return /[ .()+-]/.test(m[0]) ? whole(m) : undefined;
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
): { type: PiiType; start: number; end: number }[] {
  return onSkeleton(text, (t) => findPiiIn(t, types));
}

function findPiiIn(
  text: string,
  types: readonly PiiType[],
): { type: PiiType; start: number; end: number }[] {
  const out: { type: PiiType; start: number; end: number }[] = [];
  for (const type of types) {
    const f = FINDERS[type];
    if (f.maybe && !f.maybe.test(text)) continue;
    f.re.lastIndex = 0;
    for (let m = f.re.exec(text); m; m = f.re.exec(text)) {
      const span = f.accept(m);
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
});

export const piiCheck = defineCheck({
  id: 'pii',
  summary:
    'Personal data: email addresses, payment cards (Luhn), IBANs (mod-97), US SSNs, phone numbers, IPv4/IPv6 addresses.',
  params,
  actions: ['block', 'redact', 'flag'],
  create(p) {
    const allow = new Set(p.allow);
    return {
      evaluate(input) {
        const { spans, kinds: types } = collectSpans(input, (text) =>
          findPii(text, p.types)
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
