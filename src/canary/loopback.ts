/**
 * Calls the proxy's own request pipeline in process, as a client would over HTTP: same
 * routing, upstream client, adapter, policy engine and telemetry, tagged `source=canary`.
 */
import type { ProxyRequest, ResponseWriter } from '../pipeline/io.js';

export type Handle = (req: ProxyRequest, out: ResponseWriter) => Promise<void>;

export interface LoopbackRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoopbackResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** The response ended without completing (a broken pass-through). */
  incomplete: boolean;
}

class BufferWriter implements ResponseWriter {
  status = 0;
  headers: Record<string, string | string[]> = {};
  readonly chunks: Buffer[] = [];
  headersSent = false;
  clientGone = false;
  incomplete = false;
  private listener: (() => void) | undefined;
  constructor(private readonly done: () => void) {}

  head(status: number, headers: Record<string, string | string[]>): void {
    this.status = status;
    this.headers = headers;
    this.headersSent = true;
  }
  write(chunk: Buffer | string): boolean {
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    return true;
  }
  drain(): Promise<void> {
    return Promise.resolve();
  }
  end(chunk?: Buffer | string): void {
    if (chunk !== undefined) this.write(chunk);
    this.done();
  }
  abort(): void {
    this.incomplete = true;
    this.done();
  }
  onClientGone(listener: () => void): void {
    this.listener = listener;
  }
  /** Gives up on the response (a canary timeout): the pipeline aborts its upstream call. */
  cancel(): void {
    if (this.clientGone) return;
    this.clientGone = true;
    this.listener?.();
  }
}

export async function callPipeline(
  handle: Handle,
  r: LoopbackRequest,
  timeoutMs: number,
): Promise<LoopbackResponse> {
  const body = Buffer.from(r.body);
  const req: ProxyRequest = {
    method: r.method,
    url: r.url,
    headers: {
      ...r.headers,
      'content-type': 'application/json',
      'content-length': String(body.length),
    },
    readBody: () => Promise.resolve(body),
    receivedAt: performance.now(),
    source: 'canary',
  };
  let ended!: () => void;
  const finished = new Promise<void>((resolve) => (ended = resolve));
  const out = new BufferWriter(ended);
  const timer = setTimeout(() => {
    out.cancel();
    ended();
  }, timeoutMs);
  try {
    await Promise.all([handle(req, out), finished]);
  } finally {
    clearTimeout(timer);
  }
  if (out.clientGone) throw new Error(`no complete answer within ${timeoutMs} ms`);
  return {
    status: out.status,
    headers: out.headers,
    body: Buffer.concat(out.chunks),
    incomplete: out.incomplete,
  };
}
