/**
 * createApp(deps): the traffic listener's Hono app. Pure: everything it needs is injected,
 * so tests drive it with `app.request()`. Under @hono/node-server the pipeline writes to the
 * node response directly (no Web-stream conversion on the hot path); elsewhere it answers
 * with a Web `Response`.
 */
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import { nodeRequest, NodeWriter } from './http/node-io.js';
import { webRequest, WebWriter } from './http/web-io.js';
import type { TrafficSource } from './model/sink.js';
import type { ProxyRequest, ResponseWriter } from './pipeline/io.js';

export interface AppDeps {
  handle(req: ProxyRequest, out: ResponseWriter): Promise<void>;
  source?: TrafficSource;
  /** Called when a request starts and ends (for graceful drain). */
  track?: { start(): void; end(): void };
}

export function createApp(deps: AppDeps): Hono<{ Bindings: Partial<HttpBindings> }> {
  const app = new Hono<{ Bindings: Partial<HttpBindings> }>();
  const source = deps.source ?? 'live';

  app.all('*', async (c) => {
    const receivedAt = performance.now();
    deps.track?.start();
    const { incoming, outgoing } = c.env ?? {};
    if (incoming && outgoing) {
      try {
        await deps.handle(nodeRequest(incoming, source, receivedAt), new NodeWriter(outgoing));
      } finally {
        deps.track?.end();
      }
      return RESPONSE_ALREADY_SENT;
    }
    const out = new WebWriter();
    void deps
      .handle(webRequest(c.req.raw, source, receivedAt), out)
      .finally(() => deps.track?.end());
    return out.response;
  });

  return app;
}
