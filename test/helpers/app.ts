import { providerIds } from '../../src/adapters/providers.js';
import { createApp } from '../../src/app.js';
import { configSchema } from '../../src/config/schema.js';
import type { RequestRecord, Sink } from '../../src/model/sink.js';
import { noopLogger } from '../../src/model/log.js';
import { createPipeline } from '../../src/pipeline/proxy.js';
import type { PolicySet } from '../../src/policy/compiled.js';
import { EMPTY_SET } from '../../src/policy/compiled.js';
import type { Upstream } from '../../src/upstream/client.js';
import { createRouter } from '../../src/upstream/router.js';

export interface TestAppOptions {
  upstream: Upstream;
  config?: Record<string, unknown>;
  policies?: PolicySet;
}

/** The traffic app over an injected upstream named `up`, with a recording sink. */
export function testApp(opts: TestAppOptions) {
  const cfg = configSchema({ providers: providerIds() }).parse({
    upstreams: [{ name: 'up', url: 'http://upstream.invalid' }],
    ...opts.config,
  });
  const records: RequestRecord[] = [];
  const sink: Sink = {
    record: (e) => {
      if (e.kind === 'request') records.push(e);
    },
  };
  const handle = createPipeline({
    route: createRouter(cfg.upstreams),
    client: () => opts.upstream,
    limits: { requestBody: cfg.limits.request_body, responseBody: cfg.limits.response_body },
    unknownRoutes: cfg.unknown_routes,
    sink,
    log: noopLogger,
    policies: () => opts.policies ?? { ...EMPTY_SET, version: 'test-version' },
    checkLimits: { maxScanChars: cfg.checks.max_scan_chars, budgetMs: cfg.checks.time_budget },
    streamWindow: cfg.streaming.window,
  });
  const app = createApp({ handle });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return { app, records, post };
}

export const CHAT = '/v1/chat/completions';
export const chatBody = (extra: Record<string, unknown> = {}) => ({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
});
