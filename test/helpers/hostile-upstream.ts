/**
 * A scripted hostile upstream on a real socket: the test decides, byte by byte and with
 * what timing, what the "model server" sends. Used by test/hostile/.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Script = (req: IncomingMessage, res: ServerResponse, body: Buffer) => unknown;

export interface HostileUpstream {
  url: string;
  /** Requests received so far. */
  readonly requests: number;
  /** Responses whose connection closed before the script ended them (the proxy aborted). */
  readonly aborted: number;
  close(): Promise<void>;
}

export async function hostileUpstream(script: Script): Promise<HostileUpstream> {
  let requests = 0;
  let aborted = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    res.once('close', () => {
      if (!res.writableFinished) aborted++;
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => {
      void Promise.resolve(script(req, res, Buffer.concat(chunks))).catch(() => res.destroy());
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    get aborted() {
      return aborted;
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Writes `data` and resolves once the socket can take more (backpressure respected). */
export function send(res: ServerResponse, data: string | Buffer): Promise<void> {
  if (res.destroyed) return Promise.reject(new Error('upstream response closed'));
  if (res.write(data)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      res.off('close', gone);
      resolve();
    };
    const gone = () => {
      res.off('drain', done);
      reject(new Error('upstream response closed'));
    };
    res.once('drain', done);
    res.once('close', gone);
  });
}

/** One OpenAI chat-completion chunk as an SSE event. */
export function chatEvent(
  text: string,
  o: { choice?: number; finish?: string; model?: string } = {},
): string {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-h',
    object: 'chat.completion.chunk',
    created: 1,
    model: o.model ?? 'gpt-4o-mini',
    choices: [
      {
        index: o.choice ?? 0,
        delta: o.finish ? {} : { content: text },
        finish_reason: o.finish ?? null,
      },
    ],
  })}\n\n`;
}

/** A complete (non-streamed) OpenAI chat completion answering `text`. */
export function chatCompletion(text: string): string {
  return JSON.stringify({
    id: 'chatcmpl-h',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
  });
}

export const SSE_HEADERS = { 'content-type': 'text/event-stream' } as const;

/** A streamed chat request body. */
export const STREAM_REQUEST = JSON.stringify({
  model: 'gpt-4o-mini',
  stream: true,
  messages: [{ role: 'user', content: 'hi' }],
});
