/** The pipeline's request/response over node:http objects: no Web-stream conversions. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CoalmineError } from '../errors.js';
import type { TrafficSource } from '../model/sink.js';
import type { ProxyRequest, ResponseWriter } from '../pipeline/io.js';
import type { Reservation } from './request-budget.js';

export interface NodeRequestOptions {
  source: TrafficSource;
  /** `performance.now()` when the request arrived. */
  receivedAt: number;
  /** This request's share of the process-wide budget of body bytes; unbounded when absent. */
  reservation?: Reservation | undefined;
  /** The client sent `Expect: 100-continue`: answer `100 Continue` only once the body is wanted. */
  expectsContinue?: boolean;
  /** A body that sends nothing for this long is refused with 408 (`limits.request_body_idle`). */
  bodyIdleMs?: number | undefined;
}

/**
 * A body that stops arriving gives its budget back: without this, a few sockets that declare
 * a length and then send nothing would hold the budget (and everyone out) for as long as
 * node:http lets a request take (300 s).
 */
export const BODY_IDLE_MS = 10_000;

export function nodeRequest(
  incoming: IncomingMessage,
  res: ServerResponse,
  opts: NodeRequestOptions,
): ProxyRequest {
  return {
    method: incoming.method ?? 'GET',
    url: incoming.url ?? '/',
    headers: incoming.headers,
    receivedAt: opts.receivedAt,
    source: opts.source,
    readBody: (limit) => readIncoming({ incoming, res, ...opts }, limit),
  };
}

const disconnected = () =>
  new CoalmineError('CLIENT_DISCONNECTED', 'client aborted the request body');

/**
 * How long a refused connection stays open, unread, after its response and FIN: closing a
 * socket with unread bytes sends a reset, and a client that is still writing when the reset
 * comes loses the response it has not read yet (Node's client does, when its next write fails).
 */
const LINGER_MS = 1000;

/**
 * Stops reading a body the proxy will not take, and closes the connection once the error
 * response is out (`connection: close`): the bytes still on the wire are never read. Left to
 * itself Node would read the rest and throw it away, to reuse the connection.
 */
function refuse(incoming: IncomingMessage, res: ServerResponse, err: CoalmineError): CoalmineError {
  incoming.pause();
  // A body nobody started reading is drained by node:http after the response; reading zero
  // bytes of it marks it as taken (paused, it buffers at most its high-water mark).
  incoming.read(0);
  if (res.headersSent) return err;
  res.setHeader('connection', 'close');
  if (err.code === 'REQUEST_BUDGET_EXHAUSTED') res.setHeader('retry-after', '1');
  // node:http ends a `connection: close` response's socket with destroySoon(): FIN, then
  // close as soon as it is written. Here the close waits, so the client reads the response
  // before the reset; the socket stays paused meanwhile (the kernel's buffer fills, not ours).
  const socket = incoming.socket;
  socket.destroySoon = () => {
    if (socket.writable) socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
  return err;
}

function readIncoming(
  ex: NodeRequestOptions & { incoming: IncomingMessage; res: ServerResponse },
  limit: number,
): Promise<Buffer> {
  const { incoming, res, reservation } = ex;
  const header = incoming.headers['content-length'];
  // node:http has already rejected malformed and conflicting lengths.
  const declared = header === undefined ? undefined : Number(header);
  if (declared !== undefined && declared > limit)
    return Promise.reject(refuse(incoming, res, tooLarge(limit)));
  // The budget is taken by bytes that arrived, never by a promise of bytes: a declared length
  // costs nothing until it is sent.
  if (ex.expectsContinue) res.writeContinue();

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const idleMs = ex.bodyIdleMs ?? BODY_IDLE_MS;
    let idle: NodeJS.Timeout | undefined;
    const fail = (err: CoalmineError) => {
      clearTimeout(idle);
      incoming.off('data', onData);
      reject(refuse(incoming, res, err));
    };
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(() => fail(bodyTimeout(idleMs)), idleMs);
      idle.unref();
    };
    const onData = (c: Buffer) => {
      if (size + c.length > limit) return fail(tooLarge(limit));
      if (reservation && !reservation.take(c.length)) return fail(exhausted());
      chunks.push(c);
      size += c.length;
      arm();
    };
    arm();
    incoming.on('data', onData);
    incoming.once('end', () => {
      clearTimeout(idle);
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    incoming.once('error', () => {
      clearTimeout(idle);
      reject(disconnected());
    });
    incoming.once('close', () => {
      clearTimeout(idle);
      if (!incoming.complete) reject(disconnected());
    });
  });
}

function tooLarge(limit: number): CoalmineError {
  return new CoalmineError(
    'REQUEST_BODY_TOO_LARGE',
    `request body exceeds the ${limit}-byte limit`,
  );
}

function bodyTimeout(ms: number): CoalmineError {
  return new CoalmineError(
    'REQUEST_BODY_TIMEOUT',
    `the request body stopped arriving for ${ms / 1000} s`,
  );
}

function exhausted(): CoalmineError {
  return new CoalmineError(
    'REQUEST_BUDGET_EXHAUSTED',
    'the proxy is at its limit of request bytes in flight; retry shortly',
  );
}

export class NodeWriter implements ResponseWriter {
  clientGone = false;
  private listener: (() => void) | undefined;

  constructor(private readonly res: ServerResponse) {
    res.once('close', () => {
      if (res.writableFinished) return;
      this.clientGone = true;
      this.listener?.();
    });
  }

  onClientGone(listener: () => void): void {
    this.listener = listener;
  }

  get headersSent(): boolean {
    return this.res.headersSent;
  }

  head(status: number, headers: Record<string, string | string[]>): void {
    this.res.writeHead(status, headers);
  }

  write(chunk: Buffer | string): boolean {
    if (this.res.writableEnded) return false;
    return this.res.write(chunk);
  }

  drain(): Promise<void> {
    if (!this.res.writableNeedDrain || this.clientGone) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  end(chunk?: Buffer | string): void {
    if (this.res.writableEnded) return;
    if (chunk === undefined) this.res.end();
    else this.res.end(chunk);
  }

  abort(): void {
    this.res.destroy();
  }
}
