/**
 * `confusable-hosts`: host names in the output that look like another host — a skeleton of a
 * well-known or configured domain that is not that domain, a label mixing scripts, or a label
 * wholly in a script imitating Latin (the judgement is `hostRisk`, support/confusable-hosts.ts).
 * Hosts are found in the text itself, wherever they stand (links, bare domains, email
 * addresses): only those with a non-ASCII letter or a punycode label (`xn--`) can be one of
 * these, so only those are read. All-ASCII look-alikes (`paypa1.com`) are typos rather than
 * homographs; `hostRisk` judges them for checks that hold a link's host.
 */
import { z } from 'zod';
import type { Finding } from './types.js';
import { collectSpans, defineCheck, PASS } from './types.js';
import { WELL_KNOWN_DOMAINS } from './support/confusable-known.js';
import type { KnownDomains } from './support/confusable-hosts.js';
import { HOST_RISKS, hostRisk, knownDomains } from './support/confusable-hosts.js';

/** Longest host (RFC 1035: 253 characters in ASCII form; Unicode forms are shorter). */
const MAX_HOST = 253;

/** Full stops IDNA reads as dots. */
const isDot = (c: number) => c === 0x2e || c === 0x3002 || c === 0xff0e || c === 0xff61;
const LETTER_MARK_NUMBER = /^[\p{L}\p{M}\p{N}]$/u;

/**
 * Per UTF-16 unit: 0 not yet known, 1 not a host character, 2 a host character (a letter, mark
 * or digit, `-`, a dot). Scanning runs per unit on the hot path; surrogates are judged as
 * whole code points.
 */
const HOST_UNIT = new Uint8Array(0x10000);
for (let c = 0; c < 0x80; c++)
  HOST_UNIT[c] = c === 0x2d || c === 0x2e || /[A-Za-z0-9]/.test(String.fromCharCode(c)) ? 2 : 1;
for (let c = 0xd800; c <= 0xdfff; c++) HOST_UNIT[c] = 1;

const astral = new Map<number, boolean>();
/** Whether the code point starting at `i` is a host character; its UTF-16 length in `len`. */
function hostAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  let v = HOST_UNIT[c]!;
  if (v === 0) {
    v = isDot(c) || LETTER_MARK_NUMBER.test(String.fromCharCode(c)) ? 2 : 1;
    HOST_UNIT[c] = v;
  }
  if (v === 2) return 1;
  if (c < 0xd800 || c > 0xdbff || i + 1 >= text.length) return 0;
  const cp = text.codePointAt(i)!;
  if (cp <= 0xffff) return 0;
  let a = astral.get(cp);
  if (a === undefined && astral.size < 4096)
    astral.set(cp, (a = LETTER_MARK_NUMBER.test(String.fromCodePoint(cp))));
  return (a ?? LETTER_MARK_NUMBER.test(String.fromCodePoint(cp))) ? 2 : 0;
}

/**
 * Where a look-alike host can be: a non-ASCII character, or a punycode label. Two passes with
 * `test` (no match objects: non-ASCII prose has thousands of these per megabyte).
 */
const NON_ASCII = /[\u0080-\uffff]/g;
const PUNYCODE = /xn--/gi;

/**
 * Host-like tokens around non-ASCII letters and `xn--`, with their risk. Linear: each token is
 * walked once and each pass resumes after it; a token without a dot costs only its walk.
 */
export function findLookalikeHosts(
  text: string,
  known: KnownDomains,
  allow: ReadonlySet<string>,
): Finding[] {
  const out: Finding[] = [];
  const cache = new Map<string, string | undefined>();
  const starts = new Set<number>();
  for (const re of [NON_ASCII, PUNYCODE]) {
    re.lastIndex = 0;
    while (re.test(text)) {
      const at = re === NON_ASCII ? re.lastIndex - 1 : re.lastIndex - 4;
      const token = tokenAt(text, at);
      re.lastIndex = Math.max(re.lastIndex, token.walked);
      const { start, end } = token;
      if (!token.host || starts.has(start)) continue;
      starts.add(start);
      const host = text.slice(start, end);
      let kind = cache.get(host);
      if (!cache.has(host)) {
        kind = allow.has(host.toLowerCase()) ? undefined : hostRisk(host, known)?.kind;
        cache.set(host, kind);
      }
      if (kind) out.push({ start, end, kind });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/**
 * The host-like token through `at`: the run of host characters around it, without leading or
 * trailing dots and hyphens; `host` when it has a dot and fits a host; `walked`: where its run
 * ends (the search resumes there whatever it is, so a long run is walked once).
 */
function tokenAt(
  text: string,
  at: number,
): { start: number; end: number; walked: number; host: boolean } {
  let dot = false;
  let e = at;
  for (let n = hostAt(text, e); n; n = hostAt(text, e)) {
    if (!dot && isDot(text.charCodeAt(e))) dot = true;
    e += n;
  }
  const walked = e;
  const none = { start: at, end: at, walked, host: false };
  if (e === at) return none; // not a host character (an emoji, punctuation)
  let s = at;
  while (s > 0) {
    const lo = text.charCodeAt(s - 1);
    const back = lo >= 0xdc00 && lo <= 0xdfff && s > 1 ? 2 : 1;
    if (!hostAt(text, s - back)) break;
    s -= back;
    if (!dot && isDot(text.charCodeAt(s))) dot = true;
  }
  if (!dot) return none;
  // Trim what cannot start or end a host: dots and hyphens (a sentence's full stop).
  while (s < e && (isDot(text.charCodeAt(s)) || text.charCodeAt(s) === 0x2d)) s++;
  while (e > s && (isDot(text.charCodeAt(e - 1)) || text.charCodeAt(e - 1) === 0x2d)) e--;
  if (e - s > MAX_HOST || e - s < 3) return none;
  for (let i = s; i < e; i++)
    if (isDot(text.charCodeAt(i))) return { start: s, end: e, walked, host: true };
  return none;
}

const params = z.strictObject({
  /**
   * Which risks to flag (default: all): `confusable` (looks like a well-known or listed domain
   * but is not it), `mixed_script` (a label mixing scripts, UTS #39), `whole_script` (a label
   * wholly in Cyrillic, Greek or Armenian letters that imitate Latin ones, outside that
   * script's own top-level domains).
   */
  kinds: z
    .array(z.enum(HOST_RISKS))
    .min(1)
    .default([...HOST_RISKS]),
  /**
   * Domains whose look-alikes are flagged, besides the built-in list: your own domains and the
   * hosts your policies allow (a look-alike of an allowed host is the one to worry about).
   */
  known_domains: z.array(z.string()).default([]),
  /**
   * Whether the built-in list of well-known domains (the brands phishing imitates most, code
   * and package hosts; support/confusable-known.ts) is used (default true).
   */
  builtin_known: z.boolean().default(true),
  /** Hosts never reported, as written in the output (compared case-insensitively). */
  allow: z.array(z.string()).default([]),
});

/** Non-host characters: a host through a trigger is complete once one follows. */
const SETTLED = /[^\p{L}\p{M}\p{N}.\u3002\uff0e\uff61-]/u;

export const confusableHostsCheck = defineCheck({
  id: 'confusable-hosts',
  summary:
    'Look-alike host names (IDN homographs): hosts whose UTS #39 skeleton is a well-known or listed domain they are not, mixed-script labels, and labels wholly in letters imitating Latin; punycode decoded. Legitimate internationalised names pass.',
  params,
  actions: ['block', 'redact', 'flag'],
  create(p) {
    const known = knownDomains([
      ...(p.builtin_known ? WELL_KNOWN_DOMAINS : []),
      ...p.known_domains,
    ]);
    const allow = new Set(p.allow.map((h) => h.toLowerCase()));
    const kinds = new Set<string>(p.kinds);
    return {
      // A host holds its trigger; it starts at most one host length before it and ends at
      // most one host length after (maxSpan counts from the earliest start).
      stream: {
        triggers: [
          { text: /[\u0080-\uffff]/, lead: MAX_HOST, maxSpan: 2 * MAX_HOST, settle: SETTLED },
          { text: 'xn--', lead: MAX_HOST, maxSpan: 2 * MAX_HOST, settle: SETTLED },
        ],
      },
      evaluate(input) {
        const { spans, kinds: found } = collectSpans(input, (text) =>
          findLookalikeHosts(text, known, allow).filter((f) => kinds.has(f.kind)),
        );
        return spans.length
          ? {
              status: 'fail',
              spans,
              detail: `${spans.length} look-alike host(s) (${[...found].join(', ')})`,
            }
          : PASS;
      },
    };
  },
});
