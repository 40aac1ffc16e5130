/** The traffic listener on Node: node:http straight into the pipeline. */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { providers } from '../adapters/providers.js';
import type { AppDeps } from '../app.js';
import { nodeRequest, NodeWriter } from './node-io.js';
import type { RequestBudget } from './request-budget.js';

export interface TrafficServerDeps extends AppDeps {
  /** The process-wide budget of request body bytes in flight; unbounded when absent. */
  budget?: RequestBudget | undefined;
  /** `limits.request_body_idle`. */
  bodyIdleMs?: number | undefined;
}

export function createTrafficServer(deps: TrafficServerDeps): Server {
  const source = deps.source ?? 'live';
  const serve = (req: IncomingMessage, res: ServerResponse, expectsContinue: boolean) => {
    const receivedAt = performance.now();
    const reservation = deps.budget?.open();
    deps.track?.start();
    deps
      .handle(
        nodeRequest(req, res, {
          source,
          receivedAt,
          reservation,
          expectsContinue,
          bodyIdleMs: deps.bodyIdleMs,
        }),
        new NodeWriter(res),
      )
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
      .finally(() => {
        // The body buffer is held until the pipeline is done with it (the upstream call).
        reservation?.release();
        deps.track?.end();
      });
  };
  const server = createServer((req, res) => serve(req, res, false));
  // `100 Continue` is sent when the pipeline reads the body, not before: a body refused on
  // its declared length (or for want of budget) is then never sent at all.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => serve(req, res, true));
  server.keepAliveTimeout = 65_000;
  return server;
}
