/**
 * Does a URL carry data? Decided from its parts — query values, path segments, subdomain
 * labels, the fragment (links only: a browser does not send it when fetching an image) — by
 * their shape (`url-shape.ts`), with harmless parameters and per-host exceptions
 * (`url-harmless.ts`, replaceable by policy params). The answer names the part, never its
 * content.
 */
import { domainMatches } from './links.js';
import { percentDecode } from './percent.js';
import type { HostException } from './url-harmless.js';
import {
  COUNTRY_SECOND_LEVEL,
  SEARCH_PARAMS,
  SEARCH_PATHS,
  TENANT_SUFFIXES,
} from './url-harmless.js';
import {
  isOpaque,
  isPlainKey,
  isPlainValue,
  isTitledId,
  isToken,
  isWordy,
  obviousData,
  wordCount,
} from './url-shape.js';

export type UrlKind = 'image' | 'link';

export interface DataRules {
  /** Parameter names (`utm_`: a prefix) whose plain values are not data. */
  harmlessParams: ReadonlySet<string>;
  exceptions: readonly HostException[];
}

/** The parts of an absolute URL, decoded. */
export interface UrlParts {
  href: string;
  host: string;
  /** The registrable domain, approximately (`evil.co.uk`, `tenant.github.io`). */
  site: string;
  /** Host labels left of `site`, `www` dropped. */
  labels: string[];
  /** Path segments, percent-decoded. */
  segments: string[];
  /** Query parameters, decoded as a form (`+` is a space). */
  params: [string, string][];
  /** The fragment without `#`, percent-decoded. */
  fragment: string;
  /** The user name and password before `@` (sent as `Authorization: Basic`), percent-decoded. */
  user: string;
  password: string;
}

const MAYBE_ABSOLUTE = /^[a-z][a-z0-9+.-]*:/i;

/**
 * What a browser makes of a destination: surrounding C0 controls and spaces dropped, tabs and
 * newlines dropped anywhere, `//host` and `\\host` relative to an https page, `www.` as a
 * GFM autolink. Undefined when there is no host to send anything to.
 */
export function absolute(raw: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- WHATWG URL: strip C0 controls and space
  let u = raw.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
  if (/^[/\\]{2}/.test(u)) u = `https:${u}`;
  else if (/^www\./i.test(u)) u = `https://${u}`;
  return MAYBE_ABSOLUTE.test(u) ? u : undefined;
}

/**
 * Whether `raw` may name a host, as `absolute` reads it: a scheme, or `//` (`\\`) first once
 * tabs and newlines are dropped (`/&#9;/evil.test`, `&#1;//evil.test` are fetched from
 * evil.test). A cheap filter: a relative URL sends nothing anywhere else.
 */
export function mayNameHost(raw: string): boolean {
  if (raw.includes(':')) return true;
  // eslint-disable-next-line no-control-regex -- WHATWG URL: C0 controls and space
  return /^[\u0000-\u0020]*[/\\][\t\n\r]*[/\\]/.test(raw);
}

export function siteOf(host: string): { site: string; labels: string[] } {
  if (/^[\d.]+$/.test(host) || host.includes(':')) return { site: host, labels: [] };
  const parts = host.split('.').filter(Boolean);
  let keep = 2;
  for (const s of TENANT_SUFFIXES)
    if (host === s || host.endsWith(`.${s}`)) keep = Math.max(keep, s.split('.').length + 1);
  const tld = parts[parts.length - 1] ?? '';
  if (keep === 2 && tld.length === 2 && COUNTRY_SECOND_LEVEL.has(parts[parts.length - 2] ?? ''))
    keep = 3;
  const labels = parts.slice(0, Math.max(0, parts.length - keep));
  if (labels[0] === 'www') labels.shift();
  return { site: parts.slice(-keep).join('.'), labels };
}

/**
 * Parsed URLs, shared by the checks of an answer (a URL is read for its host, its data and its
 * place in an image sequence): bounded, and never changed by a reader.
 */
const parsed = new Map<string, UrlParts | undefined>();

/** The decoded parts of `raw`, or undefined when it has no host or does not parse. */
export function urlParts(raw: string): UrlParts | undefined {
  if (parsed.has(raw)) return parsed.get(raw);
  const p = parse(raw);
  if (raw.length <= 2048) {
    if (parsed.size >= 4096) parsed.clear();
    parsed.set(raw, p);
  }
  return p;
}

function parse(raw: string): UrlParts | undefined {
  const abs = absolute(raw);
  if (!abs) return undefined;
  let u: URL;
  try {
    u = new URL(abs);
  } catch {
    return undefined;
  }
  const host = u.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (!host) return undefined;
  return {
    href: u.href,
    host,
    ...siteOf(host),
    segments: u.pathname.split('/').slice(1).map(percentDecode),
    params: [...u.searchParams],
    fragment: percentDecode(u.hash.slice(1)),
    user: percentDecode(u.username),
    password: percentDecode(u.password),
  };
}

/** A value that is itself a URL with a host (an open redirect's target). */
const NESTED = /^(?:[a-z][a-z0-9+.-]*:)?\/\//i;

interface Exception {
  params: Set<string>;
  path: boolean;
}

/** The exceptions of one set of rules, by host (hosts repeat across an answer's URLs). */
const byHost = new WeakMap<DataRules, Map<string, Exception>>();

function exceptionFor(p: UrlParts, rules: DataRules): Exception {
  let cache = byHost.get(rules);
  if (!cache) byHost.set(rules, (cache = new Map<string, Exception>()));
  let ex = cache.get(p.host);
  if (ex) return ex;
  ex = { params: new Set(), path: false };
  for (const e of rules.exceptions) {
    if (!domainMatches(p.host, e.hosts) || (e.unless && domainMatches(p.host, e.unless))) continue;
    for (const k of e.params) ex.params.add(k);
    ex.path ||= e.path;
  }
  if (cache.size >= 4096) cache.clear();
  cache.set(p.host, ex);
  return ex;
}

const harmless = (k: string, rules: DataRules) =>
  rules.harmlessParams.has(k) || (k.startsWith('utm_') && rules.harmlessParams.has('utm_'));

/** A search page link (`/search?q=a+few+words`): its query is what the reader asked for. */
function searchLink(p: UrlParts, k: string, v: string): boolean {
  const last = (p.segments.filter(Boolean).pop() ?? '').toLowerCase().replace(/\.\w+$/, '');
  return SEARCH_PATHS.has(last) && SEARCH_PARAMS.has(k) && isWordy(v, 8, 120);
}

function queryData(
  p: UrlParts,
  kind: UrlKind,
  rules: DataRules,
  depth: number,
): string | undefined {
  const ex = exceptionFor(p, rules);
  let wordy = 0;
  let tokens = 0;
  let tokenChars = 0;
  for (const [k, v] of p.params) {
    if (NESTED.test(v)) {
      if (depth < 2 && dataIn(v, kind, rules, depth + 1)) return 'a URL in a query value';
      continue;
    }
    if (ex.params.has('*') || ex.params.has(k)) continue;
    if (harmless(k, rules)) {
      if (!isWordy(v) || (wordy += v.length) > 96) return 'a query value';
      continue;
    }
    if (kind === 'link' && searchLink(p, k, v)) continue;
    if (!isPlainKey(k)) return 'a query parameter name';
    if (isPlainValue(v)) continue;
    // A link is followed only on a click: a word or an id in a parameter or two is not worth
    // flagging there (`?tab=files`, `?pivots=python`). An image is fetched unasked: any word.
    if (kind === 'link' && isToken(v) && ++tokens <= 2 && (tokenChars += v.length) <= 48) continue;
    return 'a query value';
  }
  return undefined;
}

/**
 * Path segments: addresses, `key=value` data, sentences, opaque tokens, a run of short
 * segments. A link's page slug may end in a long id (`Team-Handbook-3f2a…`, as wikis and
 * blogs name pages).
 */
function pathData(p: UrlParts, kind: UrlKind): string | undefined {
  let short = 0;
  for (const s of p.segments) {
    if (!s) continue;
    if (s.length <= 2) short++;
    if (kind === 'link' && isTitledId(s)) continue;
    const why = obviousData(s);
    if (why) return `a path segment (${why})`;
    const kv = /^([^=]{1,64})=(.*)$/s.exec(s);
    if (kv && !isPlainValue(kv[2]!)) return 'a key=value path segment';
    if (wordCount(s) >= 4) return 'a sentence in the path';
  }
  return short >= 5 ? 'many one- or two-character path segments' : undefined;
}

function hostData(p: UrlParts): string | undefined {
  for (const l of p.labels) {
    if (l.length >= 24 && !/^[a-z]+(?:-[a-z]+)*$/.test(l)) return 'a long host label';
    if (isOpaque(l)) return 'an opaque host label';
    if (l.length >= 12 && /\d/.test(l) && /[a-z]/.test(l) && (l.match(/\d+/g)?.length ?? 0) >= 3)
      return 'an opaque host label';
    // Hex or digits, as DNS exfiltration encodes them.
    if (l.length >= 8 && /^(?:\d+|[0-9a-f]*\d[0-9a-f]*)$/.test(l)) return 'an encoded host label';
  }
  return p.labels.length >= 4 ? 'many host labels' : undefined;
}

/**
 * Credentials before the host (`https://user:DATA@evil.test/`): a browser sends them in an
 * `Authorization` header when following a link (and some fetch images with them). A link may
 * name a plain user (`ssh://git@host`); an image has no reason to name one.
 */
function userData(p: UrlParts, kind: UrlKind): string | undefined {
  if (p.password) return 'a password before the host';
  if (p.user && (kind === 'image' || !isToken(p.user))) return 'a user name before the host';
  return undefined;
}

function fragmentData(f: string): string | undefined {
  // A text fragment (`#:~:text=`) is hidden from the page's scripts.
  if (!f || f.startsWith(':~:')) return undefined;
  const why = obviousData(f);
  if (why) return `the fragment (${why})`;
  return wordCount(f) >= 4 ? 'a sentence in the fragment' : undefined;
}

/**
 * Why `raw` (a destination as a renderer uses it) carries data, or undefined when it does
 * not (or has no host). `kind`: an image's fragment is never sent.
 */
export function dataIn(
  raw: string,
  kind: UrlKind,
  rules: DataRules,
  depth = 0,
): string | undefined {
  const p = urlParts(raw);
  if (!p) return unparsable(raw);
  const ex = exceptionFor(p, rules);
  return (
    hostData(p) ??
    userData(p, kind) ??
    queryData(p, kind, rules, depth) ??
    (ex.path ? undefined : pathData(p, kind)) ??
    (kind === 'link' && !ex.path ? fragmentData(p.fragment) : undefined)
  );
}

/**
 * A destination with a scheme and a host that the URL parser rejects (a bad port, a broken
 * IPv6 literal, bad punycode): a client will not fetch it, but a lenient one might, so a query
 * or an address in it still counts.
 */
function unparsable(raw: string): string | undefined {
  const abs = absolute(raw);
  if (!abs || !/^[a-z][a-z0-9+.-]*:[/\\]*[^/\\?#\s]/i.test(abs)) return undefined;
  try {
    new URL(abs);
    return undefined;
  } catch {
    return /[?=@]/.test(abs) ? 'data in an unparsable URL' : undefined;
  }
}
