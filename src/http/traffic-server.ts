/** The traffic listener on Node: node:http straight into the pipeline. */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { providers } from '../adapters/providers.js';
import type { AppDeps } from '../app.js';
import { nodeRequest, NodeWriter } from './node-io.js';

export function createTrafficServer(deps: AppDeps): Server {
  const source = deps.source ?? 'live';
  const server = createServer((req, res) => {
    const receivedAt = performance.now();
    deps.track?.start();
    deps
      .handle(nodeRequest(req, source, receivedAt), new NodeWriter(res))
      .catch(() => {
        // The pipeline answers its own errors; this is the last line of defence.
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const body = providers[0].fallback.errorBody({
          status: 500,
          message: 'internal error',
          type: 'server_error',
          code: 'internal',
        });
        res.writeHead(500, { 'content-type': 'application/json' }).end(body);
      })
      .finally(() => deps.track?.end());
  });
  server.keepAliveTimeout = 65_000;
  return server;
}
