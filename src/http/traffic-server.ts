/** The traffic listener on Node: node:http straight into the pipeline. */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
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
        if (!res.headersSent)
          res
            .writeHead(500, { 'content-type': 'application/json' })
            .end('{"error":{"message":"internal error","type":"server_error","code":"internal"}}');
        else res.destroy();
      })
      .finally(() => deps.track?.end());
  });
  server.keepAliveTimeout = 65_000;
  return server;
}
