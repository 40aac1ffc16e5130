/**
 * The upstream HTTP client: one undici connection pool per configured upstream, with the
 * upstream's connect / first-byte / idle timeouts. The total timeout and client-abort
 * propagation are the caller's AbortSignal. Transport failures become `CoalmineError`s.
 */
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import type { Dispatcher, Pool } from 'undici';
import type { UpstreamConfig } from '../config/schema.js';
import { CoalmineError, isCoalmineError } from '../errors.js';
import type { Abort } from './abort.js';

/**
 * undici's `Pool` and its `request`, required from the two files that define them. The package
 * entry also loads fetch, WebSocket, caches and mocks, and reads `globalThis.Headers`, which makes
 * Node load its own bundled undici and Web streams: about 5 MB of heap, 10 MB resident, that the
 * proxy never uses. undici has no `exports` map; its version is pinned in package.json and
 * test/unit/upstream/undici-parts.test.ts checks these paths against the package's own exports.
 */
const requireUndici = createRequire(import.meta.url);
const UndiciPool = requireUndici('undici/lib/dispatcher/pool.js') as typeof Pool;
const poolRequest = requireUndici('undici/lib/api/api-request.js') as (
  this: Pool,
  opts: Dispatcher.RequestOptions,
) => Promise<Dispatcher.ResponseData>;

export interface UpstreamCall {
  method: string;
  /** Path (and query) to append to the upstream URL. */
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  signal: Abort;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

/** What the pipeline needs of an upstream; tests inject their own. */
export interface Upstream {
  request(call: UpstreamCall): Promise<UpstreamResponse>;
  close(): Promise<void>;
}

export class UpstreamClient implements Upstream {
  readonly name: string;
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly timeouts: UpstreamConfig['timeouts'];

  constructor(cfg: UpstreamConfig) {
    const url = new URL(cfg.url);
    this.name = cfg.name;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.timeouts = cfg.timeouts;
    this.pool = new UndiciPool(url.origin, {
      connections: cfg.max_connections,
      connect: { timeout: cfg.timeouts.connect },
      headersTimeout: cfg.timeouts.first_byte,
      bodyTimeout: cfg.timeouts.idle,
      keepAliveTimeout: 30_000,
    });
  }

  async request(call: UpstreamCall): Promise<UpstreamResponse> {
    try {
      const res = await poolRequest.call(this.pool, {
        method: call.method,
        path: this.basePath + call.path,
        headers: call.headers,
        body: call.body ?? null,
        signal: call.signal,
        headersTimeout: this.timeouts.first_byte,
        bodyTimeout: this.timeouts.idle,
      });
      return { status: res.statusCode, headers: res.headers, body: res.body };
    } catch (e) {
      throw upstreamError(e, call.signal, this.name);
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

/** Maps a transport error (or the reason the call was aborted) to a stable error. */
export function upstreamError(e: unknown, abort: Abort | undefined, name: string): CoalmineError {
  if (abort?.reason) return abort.reason;
  if (isCoalmineError(e)) return e;
  const code = (e as { code?: string } | undefined)?.code;
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new CoalmineError(
        'UPSTREAM_CONNECT_TIMEOUT',
        `upstream "${name}" did not accept a connection in time`,
        { cause: e },
      );
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new CoalmineError(
        'UPSTREAM_FIRST_BYTE_TIMEOUT',
        `upstream "${name}" did not answer in time`,
        { cause: e },
      );
    case 'UND_ERR_BODY_TIMEOUT':
      return new CoalmineError('UPSTREAM_IDLE_TIMEOUT', `upstream "${name}" stopped sending`, {
        cause: e,
      });
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return new CoalmineError(
        'UPSTREAM_CONNECT_FAILED',
        `upstream "${name}" is unreachable or closed the connection (${code})`,
        { cause: e },
      );
    default:
      if (code?.startsWith('HPE_')) {
        return new CoalmineError(
          'UPSTREAM_MALFORMED_BODY',
          `upstream "${name}" sent a malformed HTTP response`,
          { cause: e },
        );
      }
      if (code?.startsWith('UND_ERR')) {
        return new CoalmineError(
          'UPSTREAM_CONNECT_FAILED',
          `upstream "${name}" request failed (${code})`,
          { cause: e },
        );
      }
      return new CoalmineError('INTERNAL', 'internal error', { cause: e });
  }
}
