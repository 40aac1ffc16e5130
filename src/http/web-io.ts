/**
 * The pipeline's request/response over Web `Request`/`Response`, for `app.request()` in
 * tests and any non-Node runtime. Production traffic takes `node-io.ts`.
 */
import { CoalmineError } from '../errors.js';
import type { TrafficSource } from '../model/sink.js';
import type { ProxyRequest, ResponseWriter } from '../pipeline/io.js';
import type { HeaderMap } from '../upstream/headers.js';

export function webRequest(req: Request, source: TrafficSource, receivedAt: number): ProxyRequest {
  const url = new URL(req.url);
  const headers: HeaderMap = {};
  req.headers.forEach((v, k) => (headers[k] = v));
  return {
    method: req.method,
    url: url.pathname + url.search,
    headers,
    receivedAt,
    source,
    readBody: (limit) => readStream(req.body, Number(headers['content-length']), limit),
  };
}

/** Reads at most `limit` bytes: past it the stream is cancelled, not read to its end. */
async function readStream(
  body: ReadableStream<Uint8Array> | null,
  declared: number,
  limit: number,
): Promise<Buffer> {
  const tooLarge = () =>
    new CoalmineError('REQUEST_BODY_TOO_LARGE', `request body exceeds the ${limit}-byte limit`);
  if (declared > limit) {
    void body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!body) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const next = await reader.read().catch((e: unknown) => {
      throw new CoalmineError('CLIENT_DISCONNECTED', 'client aborted the request body', {
        cause: e,
      });
    });
    if (next.done) return Buffer.concat(chunks, size);
    size += next.value.byteLength;
    if (size > limit) {
      void reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(next.value);
  }
}

export class WebWriter implements ResponseWriter {
  clientGone = false;
  /** Resolves with the Response once `head()` is called. */
  readonly response: Promise<Response>;
  private listener: (() => void) | undefined;
  private ctrl!: ReadableStreamDefaultController<Uint8Array>;
  private resolveResponse!: (r: Response) => void;
  private waiters: (() => void)[] = [];
  private sent = false;
  private ended = false;

  constructor() {
    this.response = new Promise((r) => (this.resolveResponse = r));
  }

  onClientGone(listener: () => void): void {
    this.listener = listener;
  }

  private gone(): void {
    if (this.ended || this.clientGone) return;
    this.clientGone = true;
    this.listener?.();
    this.release();
  }

  private release(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  get headersSent(): boolean {
    return this.sent;
  }

  head(status: number, headers: Record<string, string | string[]>): void {
    this.sent = true;
    const h = new Headers();
    for (const [k, v] of Object.entries(headers))
      for (const one of Array.isArray(v) ? v : [v]) h.append(k, one);
    const body = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          this.ctrl = c;
        },
        pull: () => this.release(),
        cancel: () => this.gone(),
      },
      { highWaterMark: 16 },
    );
    this.resolveResponse(
      new Response(status === 204 || status === 304 ? null : body, { status, headers: h }),
    );
  }

  write(chunk: Buffer | string): boolean {
    if (this.ended || this.clientGone) return false;
    this.ctrl.enqueue(
      typeof chunk === 'string' ? new TextEncoder().encode(chunk) : new Uint8Array(chunk),
    );
    return (this.ctrl.desiredSize ?? 0) > 0;
  }

  drain(): Promise<void> {
    if ((this.ctrl.desiredSize ?? 1) > 0 || this.clientGone) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  end(chunk?: Buffer | string): void {
    if (chunk !== undefined) this.write(chunk);
    if (this.ended) return;
    this.ended = true;
    if (!this.clientGone) this.ctrl.close();
  }

  abort(): void {
    if (this.ended) return;
    this.ended = true;
    this.ctrl.error(new Error('upstream body ended early'));
  }
}
