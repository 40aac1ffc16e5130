/**
 * Phone numbers in text, validated by libphonenumber-js (Google's libphonenumber metadata, the
 * `max` set: number ranges per region, not only lengths). International numbers (`+44 …`,
 * `0044 …`) are found whatever the regions; numbers written the national way (`(415) 555-0132`,
 * `020 7946 0958`, `030 12345678`, `01 42 68 53 00`, `098765 43210`) for the configured regions.
 *
 * libphonenumber's own text search is slow (it walks the whole text, a second per ~100 KB) and,
 * on its lenient default, takes dates and versions for German numbers: candidates come from
 * the cheap `PHONE_RUN` scan and shape rules (support/phone-shape.ts), and a national number
 * must be written as that region writes it (with its trunk prefix, or in the same grouping
 * without it), which turns away `2023-10-05` as a number of Wuppertal.
 */
import { createRequire } from 'node:module';
import type { CountryCode, PhoneNumber } from 'libphonenumber-js/max';
import type * as PhoneLibModule from 'libphonenumber-js/max';
import { balanced, CURRENCY_BEFORE, groupsOf, notPhoneShape, PHONE_RUN } from './phone-shape.js';

/**
 * Default regions for national formats: the largest sources of English-language traffic (US —
 * with it the whole North American plan, Canada included —, GB, IN) and the two largest EU
 * economies (DE, FR). Each region costs one parse per candidate run and widens what a run of
 * digits may be; German numbering, the most permissive, is why the shape rules exist.
 */
export const DEFAULT_REGIONS: readonly CountryCode[] = ['US', 'GB', 'DE', 'FR', 'IN'];

export { REGIONS } from './phone-regions.js';

type PhoneLib = typeof PhoneLibModule;
let lib: PhoneLib | undefined;
/**
 * libphonenumber-js, loaded at the first candidate run rather than at start (~4 MB resident
 * that a deployment whose answers hold no numbers never needs).
 */
const phoneLib = (): PhoneLib =>
  (lib ??= createRequire(import.meta.url)('libphonenumber-js/max') as PhoneLib);

/** Words that say a number is something else: an order, an account, a reference. */
const OTHER =
  'order|invoice|ticket|case|ref(?:erence)?|id|tracking|serial|sku|isbn|issn|account|acct|iban|routing|transaction|txn|confirmation|booking|policy|customer|member|patient|pnr|po|version|build|bestell(?:nummer)?|kunden(?:nummer)?|rechnung(?:snummer)?|commande|facture|zip|postal|postcode';
const OTHER_WORDS = new RegExp(String.raw`\b(?:${OTHER})\b`, 'giu');

/**
 * Words that say a number is a phone number (English, German, French) within the 40
 * characters before it; they admit a run without separators. "Number" only as someone's
 * number (`my US number`, `your phone number`), not `order number`.
 */
const PHONE_WORDS = new RegExp(
  String.raw`\b(?:phone|telephone|tel|mobile|cell(?:phone)?|call(?:ing)?|dial|fax|sms|whats ?app|hotline|helpline|contact|reach|ring|telefon(?:nummer)?|handy|rufnummer|anruf|t[ée]l[ée]phone|t[ée]l|portable|num[ée]ro|appel(?:ez|er)?|mobil)\b|\b(?:my|your|his|her|our|their)\s+(?!(?:${OTHER})\b)(?:[\p{L}.-]+\s+)?(?:number|no\.)`,
  'giu',
);

/** Index after the last match of `re` (global) in `s`, or -1. */
function lastMatchEnd(re: RegExp, s: string): number {
  let end = -1;
  re.lastIndex = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) end = m.index + m[0].length;
  return end;
}

/**
 * The context before a run: `phone` when a phone word is the nearer of the two kinds, `other`
 * when an identifier word is, else undefined.
 */
function contextOf(before: string): 'phone' | 'other' | undefined {
  const p = lastMatchEnd(PHONE_WORDS, before);
  const o = lastMatchEnd(OTHER_WORDS, before);
  if (p < 0 && o < 0) return undefined;
  return p > o ? 'phone' : 'other';
}

const IDD = new Set(['00', '011', '010', '0011', '001', '000']);

/** Whether `digits` (with `(0)` removed) write `n` as its region or the world writes it. */
function writtenAsNumber(n: PhoneNumber, digits: string, run: string): boolean {
  const e164 = n.number.slice(1);
  if (digits === e164) return true;
  if (digits.endsWith(e164) && IDD.has(digits.slice(0, digits.length - e164.length))) return true;
  const national = n.formatNational();
  const natDigits = national.replace(/\D/g, '');
  if (digits === natDigits) return true;
  // Trunk prefix left out (`98765 43210` for `098765 43210`): only in the national grouping,
  // or as a bare run (which the text has already called a phone number).
  if (digits !== n.nationalNumber || !natDigits.endsWith(digits)) return false;
  if (!/\D/.test(run)) return true;
  const want = groupsOf(national);
  const trunk = natDigits.length - digits.length;
  want[0] = want[0]!.slice(trunk);
  if (!want[0]) want.shift();
  return want.join(' ') === groupsOf(run).join(' ');
}

export interface PhoneOptions {
  regions: readonly CountryCode[];
  /**
   * Candidate runs validated with libphonenumber per text; past it, a run is judged by its
   * shape alone (separators, 9–15 digits), so a text of a hundred thousand digit runs costs
   * a bounded time and still cannot hide a formatted number.
   */
  budget?: number;
}

export const DEFAULT_BUDGET = 2048;

/** Spans of phone numbers in `text`. Linear: one bounded regex pass, bounded work per run. */
export function findPhones(text: string, opts: PhoneOptions): [number, number][] {
  const out: [number, number][] = [];
  let budget = opts.budget ?? DEFAULT_BUDGET;
  const seen = new Map<string, boolean>();
  PHONE_RUN.lastIndex = 0;
  for (let m = PHONE_RUN.exec(text); m; m = PHONE_RUN.exec(text)) {
    const run = m[0];
    const before = text.slice(Math.max(0, m.index - 40), m.index);
    const ok = judge(run, before, opts.regions, () => budget-- > 0, seen);
    if (ok) out.push([m.index, m.index + run.length]);
  }
  return out;
}

function judge(
  run: string,
  before: string,
  regions: readonly CountryCode[],
  spend: () => boolean,
  seen: Map<string, boolean>,
): boolean {
  const plain = run.replace(/\(0\)/g, '');
  const digits = plain.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15 || /^(\d)\1+$/.test(digits)) return false;
  if (!balanced(run) || notPhoneShape(run) !== undefined) return false;
  if (CURRENCY_BEFORE.test(before)) return false;
  const context = contextOf(before);
  if (context === 'other') return false;
  const formatted = /[^\d]/.test(run);
  // A bare run of digits is an id, a count or a timestamp unless the text says phone.
  if (!formatted && context !== 'phone') return false;
  const key = `${context ?? ''}|${run}`;
  const known = seen.get(key);
  if (known !== undefined) return known;
  if (!spend()) return digits.length >= 9 && formatted;
  let ok = false;
  const { parsePhoneNumberFromString } = phoneLib();
  if (plain.trimStart().startsWith('+')) {
    const n = parsePhoneNumberFromString(plain);
    ok = n !== undefined && n.isValid();
  } else {
    for (const r of regions) {
      const n = parsePhoneNumberFromString(plain, r);
      if (n && n.isValid() && writtenAsNumber(n, digits, plain)) {
        ok = true;
        break;
      }
    }
  }
  seen.set(key, ok);
  return ok;
}
