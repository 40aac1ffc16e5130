/**
 * Whether a host name looks like another one: the judgement shared by `confusable-hosts` (which
 * finds hosts in text) and any check that already holds a host (a link's, a URL's) —
 * `hostRisk(host, known)`.
 *
 * A host is read as a browser reads it: IDNA-mapped (UTS #46 via WHATWG URL's `domainToASCII`:
 * lower case, width folded, `。` as a dot) and its punycode labels decoded. Then, in order:
 * - `confusable`: its skeleton (support/confusable-skeleton.ts) is a known domain's, or ends
 *   with one at a label boundary, but it is not that domain or under it (`pаypal.com`,
 *   `xn--pypal-4ve.com`, `paypa1.com`, `login.microsоftonline.com`, `göogle.com`);
 * - `mixed_script`: a label mixes scripts beyond UTS #39's Highly Restrictive level
 *   (`pаypal`: Latin and Cyrillic; Latin with Japanese, Chinese or Korean is allowed);
 * - `whole_script`: a label wholly in Cyrillic, Greek or Armenian whose every letter imitates
 *   a Latin one, under a top-level domain not of that script (`аррӏе.com`, `ѕсоре.com`; not
 *   `сосо.рф`).
 * Legitimate internationalised names (`münchen.de`, `日本.jp`, `пример.рф`) pass.
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import { hasLatinPrototype, skeleton } from './confusable-skeleton.js';
import { imitatingScript, isMixedScript, tldOfScript } from './confusable-scripts.js';

export const HOST_RISKS = ['confusable', 'mixed_script', 'whole_script'] as const;
export type HostRiskKind = (typeof HOST_RISKS)[number];

export interface HostRisk {
  kind: HostRiskKind;
  /** For `confusable`: the known domain it imitates. */
  like?: string;
}

/** Known domains compiled for lookup: skeleton → the domain (as IDNA ASCII). */
export interface KnownDomains {
  bySkeleton: ReadonlyMap<string, string>;
}

/** Compiles a list of known domains (any form: ASCII, Unicode, punycode; `*.` prefixes dropped). */
export function knownDomains(domains: readonly string[]): KnownDomains {
  const bySkeleton = new Map<string, string>();
  for (const d of domains) {
    const ascii = domainToASCII(d.replace(/^\*\./, '').replace(/\.$/, ''));
    if (!ascii) continue;
    bySkeleton.set(skeleton(domainToUnicode(ascii)), ascii);
  }
  return { bySkeleton };
}

/** Whether `host` (ASCII) is `domain` or a subdomain of it. */
const under = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`);

/**
 * The risk of `host`, or undefined when it looks like nothing it is not. `host` may be ASCII,
 * punycode or Unicode; an invalid host (IDNA rejects it) has no risk here. Never throws.
 */
export function hostRisk(host: string, known: KnownDomains): HostRisk | undefined {
  const ascii = domainToASCII(host.replace(/\.$/, ''));
  if (!ascii) return undefined;
  const uni = domainToUnicode(ascii);
  const labels = uni.split('.');
  const asciiLabels = ascii.split('.');
  // Each suffix of whole labels, from the longest: `login.pаypal.com`, `pаypal.com`, `com`.
  const sk = labels.map(skeleton);
  for (let i = 0; i < sk.length - 1; i++) {
    const like = known.bySkeleton.get(sk.slice(i).join('.'));
    if (like !== undefined && !under(asciiLabels.slice(i).join('.'), like))
      return { kind: 'confusable', like };
  }
  if (uni === ascii) return undefined; // all ASCII: one script
  if (labels.some(isMixedScript)) return { kind: 'mixed_script' };
  const tld = labels.at(-1) ?? '';
  for (const label of labels.slice(0, -1)) {
    const script = imitatingScript(label);
    if (!script || tldOfScript(tld, script)) continue;
    const letters = [...label].filter((c) => /\p{L}/u.test(c));
    if (letters.length && letters.every(hasLatinPrototype)) return { kind: 'whole_script' };
  }
  return undefined;
}
