/**
 * Header hygiene in both directions: hop-by-hop headers (RFC 9110 §7.6.1) never cross the
 * proxy, provider keys can be swapped for the upstream's configured key, and the encodings
 * asked of the upstream are only those the proxy can decode for inspection.
 */
import type { IncomingHttpHeaders } from 'node:http';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Headers the proxy sets itself on the upstream request. */
const NOT_FORWARDED_UP = new Set([
  'host',
  'content-length',
  'accept-encoding',
  'expect',
  'x-request-id',
]);
/** Headers the proxy sets itself on the client response. */
const NOT_FORWARDED_DOWN = new Set(['content-length', 'x-request-id', 'date']);

export type HeaderMap = Record<string, string | string[] | undefined>;

function connectionTokens(h: HeaderMap): Set<string> | undefined {
  const c = h['connection'];
  if (!c || c === 'keep-alive' || c === 'close') return undefined;
  const list = Array.isArray(c) ? c.join(',') : c;
  return new Set(
    list
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  );
}

const DECODABLE = ['gzip', 'br', 'deflate'];

/** The `accept-encoding` to send upstream: what the client accepts and the proxy can decode. */
export function upstreamAcceptEncoding(
  clientValue: string | string[] | undefined,
): string | undefined {
  if (!clientValue) return undefined;
  const accepted = (Array.isArray(clientValue) ? clientValue.join(',') : clientValue)
    .split(',')
    .map((t) => t.trim().split(';'))
    .filter(([, q]) => !q || !/^\s*q=0(\.0*)?\s*$/.test(q))
    .map(([name]) => name?.trim().toLowerCase());
  const both = DECODABLE.filter((e) => accepted.includes(e) || accepted.includes('*'));
  return both.length ? both.join(', ') : undefined;
}

export interface UpstreamHeaderOptions {
  requestId: string;
  /** Replace client credentials with these headers (a configured upstream key). */
  auth: Record<string, string> | undefined;
  /** Header names that carry credentials for this provider. */
  authHeaders: readonly string[];
  /**
   * Trace context to send (`traceparent`, `tracestate`): when it names a traceparent, the
   * client's own trace headers are replaced, so the upstream sees exactly one.
   */
  trace?: Record<string, string> | undefined;
}

const TRACE_HEADERS = new Set(['traceparent', 'tracestate']);

export function toUpstreamHeaders(
  client: IncomingHttpHeaders | HeaderMap,
  opts: UpstreamHeaderOptions,
): Record<string, string> {
  const drop = connectionTokens(client);
  const replaceTrace = opts.trace?.['traceparent'] !== undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(client)) {
    if (
      value === undefined ||
      HOP_BY_HOP.has(name) ||
      NOT_FORWARDED_UP.has(name) ||
      drop?.has(name)
    )
      continue;
    if (opts.auth && opts.authHeaders.includes(name)) continue;
    if (replaceTrace && TRACE_HEADERS.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (replaceTrace) Object.assign(out, opts.trace);
  const enc = upstreamAcceptEncoding(client['accept-encoding']);
  out['accept-encoding'] = enc ?? 'identity';
  if (opts.auth) Object.assign(out, opts.auth);
  out['x-request-id'] = opts.requestId;
  return out;
}

export interface ClientHeaderOptions {
  /** The body is sent decoded: drop `content-encoding`. */
  decoded: boolean;
  /** Extra headers set by the proxy (`x-coalmine-*`, `x-request-id`). */
  extra: Record<string, string>;
}

export function toClientHeaders(
  upstream: HeaderMap,
  opts: ClientHeaderOptions,
): Record<string, string | string[]> {
  const drop = connectionTokens(upstream);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (
      value === undefined ||
      HOP_BY_HOP.has(name) ||
      NOT_FORWARDED_DOWN.has(name) ||
      drop?.has(name)
    )
      continue;
    if (opts.decoded && name === 'content-encoding') continue;
    out[name] = value;
  }
  return Object.assign(out, opts.extra);
}
