/**
 * createApp(deps): the traffic pipeline as a Hono app answering with Web `Response`s. Pure:
 * everything is injected, so tests drive it with `app.request()`, and it runs on any
 * runtime Hono supports. On Node, `http/traffic-server.ts` serves the same pipeline straight
 * from node:http (no Request/Response objects on the hot path; see bench/README.md).
 */
import { Hono } from 'hono';
import { webRequest, WebWriter } from './http/web-io.js';
import type { TrafficSource } from './model/sink.js';
import type { ProxyRequest, ResponseWriter } from './pipeline/io.js';

export interface AppDeps {
  handle(req: ProxyRequest, out: ResponseWriter): Promise<void>;
  source?: TrafficSource;
  /** Called when a request starts and ends (for graceful drain). */
  track?: { start(): void; end(): void };
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const source = deps.source ?? 'live';
  app.all('*', (c) => {
    const receivedAt = performance.now();
    deps.track?.start();
    const out = new WebWriter();
    void deps
      .handle(webRequest(c.req.raw, source, receivedAt), out)
      .finally(() => deps.track?.end());
    return out.response;
  });
  return app;
}
