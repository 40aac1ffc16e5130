/** The pipeline's request/response over node:http objects: no Web-stream conversions. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CoalmineError } from '../errors.js';
import type { TrafficSource } from '../model/sink.js';
import type { ProxyRequest, ResponseWriter } from '../pipeline/io.js';

export function nodeRequest(
  incoming: IncomingMessage,
  source: TrafficSource,
  receivedAt: number,
): ProxyRequest {
  return {
    method: incoming.method ?? 'GET',
    url: incoming.url ?? '/',
    headers: incoming.headers,
    receivedAt,
    source,
    readBody: (limit) => readIncoming(incoming, limit),
  };
}

function tooLarge(limit: number): CoalmineError {
  return new CoalmineError(
    'REQUEST_BODY_TOO_LARGE',
    `request body exceeds the ${limit}-byte limit`,
  );
}

function readIncoming(incoming: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(incoming.headers['content-length']);
  if (declared > limit) {
    incoming.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        incoming.off('data', onData);
        incoming.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(c);
    };
    incoming.on('data', onData);
    incoming.once('end', () =>
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)),
    );
    incoming.once('error', () =>
      reject(new CoalmineError('CLIENT_DISCONNECTED', 'client aborted the request body')),
    );
    incoming.once('close', () => {
      if (!incoming.complete)
        reject(new CoalmineError('CLIENT_DISCONNECTED', 'client aborted the request body'));
    });
  });
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
