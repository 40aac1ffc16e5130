import { Readable } from 'node:stream';
import type { Upstream, UpstreamCall, UpstreamResponse } from '../../src/upstream/client.js';

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  /** Body chunks, delivered in order; an Error ends the body with that error. */
  chunks: (Buffer | string | Error)[];
}

/** An injected upstream: no socket, replies scripted per call, calls recorded. */
export class FakeUpstream implements Upstream {
  readonly calls: UpstreamCall[] = [];
  constructor(private readonly reply: (call: UpstreamCall) => FakeReply | Error) {}

  request(call: UpstreamCall): Promise<UpstreamResponse> {
    this.calls.push(call);
    const r = this.reply(call);
    if (r instanceof Error) return Promise.reject(r);
    const chunks = r.chunks;
    async function* gen() {
      for (const c of chunks) {
        await new Promise((res) => setImmediate(res));
        if (c instanceof Error) throw c;
        yield typeof c === 'string' ? Buffer.from(c) : c;
      }
    }
    const body = Readable.from(gen(), { objectMode: false });
    call.signal.once('abort', () => body.destroy(call.signal.reason));
    return Promise.resolve({
      status: r.status ?? 200,
      headers: r.headers ?? { 'content-type': 'application/json' },
      body,
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
