/**
 * The shape of one piece of a URL (a query value, a path segment, a host label, a fragment):
 * is it a word, a number, an identifier — or an opaque token, an e-mail address, a sentence,
 * JSON, a template placeholder? `url-data.ts` decides from these whether a URL carries data.
 */
import { shannon } from './entropy.js';

const LOWER = /[a-z]/;
const UPPER = /[A-Z]/;
const DIGIT = /[0-9]/;

/** Changes between letters and digits (`ab12c` has 2): high in encodings, low in names. */
function transitions(s: string): number {
  let n = 0;
  let prev = 0; // 1 letter, 2 digit
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const k = c >= 0x30 && c <= 0x39 ? 2 : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a ? 1 : 0;
    if (k && prev && k !== prev) n++;
    if (k) prev = k;
  }
  return n;
}

/** Changes between lower and upper case (`aHVudGVy` has 5): frequent in base64, rare in names. */
function caseChanges(s: string): number {
  let n = 0;
  for (let i = 1; i < s.length; i++) {
    const a = s[i - 1]!;
    const b = s[i]!;
    if ((LOWER.test(a) && UPPER.test(b)) || (UPPER.test(a) && LOWER.test(b))) n++;
  }
  return n;
}

/** One part of a slug (`how-to-parse-json`, `photo-1506744038136-46273834b3fb`, a UUID). */
const SLUG_PART =
  /^(?:[A-Za-z][a-z]*(?:[A-Z][a-z]+)*|[a-z]{1,24}|[A-Z]{1,24}|\d{1,20}|[0-9a-f]{1,12}|[a-z0-9]{1,12})$/;

/**
 * Words or ids joined by `-` / `_` / `.`, none of them opaque by itself. A long run of coded
 * parts (hex split into dashed chunks) is not a slug; a UUID (36 characters) still is.
 */
export function isSlug(t: string): boolean {
  const parts = t.split(/[-_.]/);
  if (parts.length < 2) return false;
  let coded = 0;
  for (const p of parts) {
    if (!p || !SLUG_PART.test(p)) return false;
    if (DIGIT.test(p) && /[a-z]/i.test(p)) coded++;
  }
  return t.length < 40 || 2 * coded <= parts.length;
}

/**
 * An opaque token: an encoding (base64, hex, base32) or a credential rather than a name. Long
 * runs always are (the old ≥ 32 rule, whatever their entropy: `Zm9vZm9v…` is base64 of a
 * repeat); 16–31 characters when hex or mixing letters and digits often; shorter ones when
 * they mix upper case, lower case and digits several times (`Tr0ub4dor3`, short base64).
 */
export function isOpaque(t: string): boolean {
  const n = t.length;
  if (n < 8 || isSlug(t)) return false;
  if (n >= 32) return true;
  const lower = LOWER.test(t);
  const upper = UPPER.test(t);
  const digit = DIGIT.test(t);
  const tr = transitions(t);
  if (n >= 16) {
    if (/^[0-9a-f]+$/i.test(t) && digit && /[a-f]/i.test(t)) return true;
    if (digit && (lower || upper) && (tr >= 3 || (lower && upper))) return true;
    if (lower && upper && shannon(t) >= 3.5) return true;
    if (/[+=]/.test(t) && (lower || upper)) return true;
  }
  // Short base64 without digits changes case every other character; camelCase does not.
  if (lower && upper && caseChanges(t) >= n / 2) return true;
  return lower && upper && digit && tr >= 3;
}

/** Tokens an encoding would be made of (base64url, and base64 but for `/`, a path separator). */
const TOKENS = /[A-Za-z0-9+=_-]+/g;

export function hasOpaqueToken(s: string): boolean {
  for (const m of s.matchAll(TOKENS)) if (isOpaque(m[0])) return true;
  return false;
}

/**
 * An e-mail address. The domain ends in letters that are not a file extension: `a@2x.webp`
 * (retina images) and `react@18.2.0` (package versions) are not addresses.
 */
const EMAIL =
  /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.(?!(?:png|jpe?g|gif|webp|svg|avif|ico|bmp|tiff?|js|mjs|css|json|html?|md|txt)\b)[A-Za-z]{2,24}\b/;
/** Template placeholders an injected prompt asks the model to fill (`[DATA]`, `{INFO}`). */
const PLACEHOLDER = /\[[A-Z_]{2,16}\]|\{[A-Z_]{2,16}\}/;
/** Characters of serialised structures, not of names. */
const STRUCTURE = /[{}"<>|\\]/;

export function wordCount(s: string): number {
  const m = s.trim().match(/\S+/g);
  return m ? m.length : 0;
}

/** Whatever the place: an address, a placeholder, JSON, or an opaque token is data. */
export function obviousData(s: string): string | undefined {
  if (EMAIL.test(s)) return 'an e-mail address';
  if (PLACEHOLDER.test(s)) return 'a placeholder to fill';
  if (STRUCTURE.test(s)) return 'structured text';
  if (hasOpaqueToken(s)) return 'an opaque token';
  return undefined;
}

/**
 * A value any parameter may have without carrying data: nothing, a number of up to nine
 * digits (pages, ids, sizes, years), a boolean, a few numbers joined (a ratio, a size, a
 * date). A word is not: `?q=secret` is the data.
 */
export function isPlainValue(v: string): boolean {
  if (v === '' || /^-?\d{1,9}(?:\.\d{1,6})?$/.test(v) || /^(?:true|false|yes|no|on|off)$/i.test(v))
    return true;
  // Numbers joined (`0:1`, `300x200`, `10-20`, a date): a phone number has more digits.
  return /^\d+(?:[-:x,./]\d+){1,3}$/.test(v) && (v.match(/\d/g)?.length ?? 0) <= 8;
}

/**
 * A value a harmless parameter may have: a few words, numbers, sizes, colours, versions,
 * coordinates — at most 64 characters and 4 words, no address, no opaque token.
 */
export function isWordy(v: string, maxWords = 4, maxChars = 64): boolean {
  return v.length <= maxChars && wordCount(v) <= maxWords && obviousData(v) === undefined;
}

/**
 * One word or id (letters, digits, `-_.,:`; `tab=files`, `pivots=programming-language-python`,
 * `i=js,ts,react`): at most 40 characters, nothing opaque, no address.
 */
export function isToken(v: string): boolean {
  return v.length <= 40 && /^[\w.,:~-]+$/.test(v) && obviousData(v) === undefined;
}

/** A page slug ending in an id (`Team-Handbook-3f2a1b9c…`): two words at least, then ≤ 32 hex. */
export function isTitledId(s: string): boolean {
  return /^(?:[A-Za-z][a-z]*-){2,}[0-9a-f]{8,32}$/.test(s);
}

/** A parameter name, not a token smuggled as one. */
export function isPlainKey(k: string): boolean {
  return k.length <= 40 && !isOpaque(k) && obviousData(k) === undefined && !/\s/.test(k);
}
