/**
 * The pipeline's view of HTTP: a request it can read and a response it can write, whatever
 * the server (a node:http socket in production, a Web `Response` under `app.request()`).
 */
import type { TrafficSource } from '../model/sink.js';
import type { HeaderMap } from '../upstream/headers.js';

export interface ProxyRequest {
  method: string;
  /** Path and query as the client sent them. */
  url: string;
  /** Lower-cased header names. */
  headers: HeaderMap;
  /**
   * Reads the whole body. Rejects with `REQUEST_BODY_TOO_LARGE` past `limit` bytes (checked
   * against `content-length` first, then while reading), and with `REQUEST_BUDGET_EXHAUSTED`
   * when the server's budget of request bytes in flight cannot hold it. Either way the rest
   * of the body is not read (on node:http the connection is closed after the error response).
   */
  readBody(limit: number): Promise<Buffer>;
  /** `performance.now()` when the request arrived. */
  receivedAt: number;
  source: TrafficSource;
}

export interface ResponseWriter {
  /** Status and headers; called exactly once, before any write. */
  head(status: number, headers: Record<string, string | string[]>): void;
  /** Returns false when the client is not keeping up: wait for `drain()` before writing more. */
  write(chunk: Buffer | string): boolean;
  drain(): Promise<void>;
  end(chunk?: Buffer | string): void;
  /**
   * Ends the response without completing it (no final chunk), so the client sees an
   * incomplete body. Only for bodies with no in-band error format (opaque pass-through).
   */
  abort(): void;
  readonly headersSent: boolean;
  /** Registers the one listener called if the client goes away before `end()`. */
  onClientGone(listener: () => void): void;
  /** True once the client has gone away before `end()`. */
  readonly clientGone: boolean;
}
