/**
 * The request path, in order: route → read and parse the request → call the upstream →
 * answer the client by the kind of response (buffered.ts, streamed.ts, upstream-error.ts,
 * pass-through.ts) → record. This is the only place that knows the order of the steps.
 */
import { randomUUID } from 'node:crypto';
import { getProvider } from '../adapters/providers.js';
import { findAdapter } from '../adapters/registry.js';
import { parseJson } from '../adapters/read.js';
import type { WireAdapter } from '../adapters/types.js';
import { CoalmineError, isCoalmineError } from '../errors.js';
import type { NormalisedResponse, RequestInfo } from '../model/exchange.js';
import type { RequestRecord } from '../model/sink.js';
import { noopTracing } from '../model/tracing.js';
import type { Verdict } from '../model/verdict.js';
import { evaluate } from '../policy/engine.js';
import { Abort } from '../upstream/abort.js';
import type { UpstreamResponse } from '../upstream/client.js';
import { upstreamError } from '../upstream/client.js';
import { toUpstreamHeaders } from '../upstream/headers.js';
import { normalisePath } from '../upstream/path.js';
import { answerBuffered } from './buffered.js';
import type { Exchange, PipelineDeps, Times } from './exchange.js';
import { firstByte } from './exchange.js';
import { describeFault, isRetryable, isUpstreamFault, wireError } from './faults.js';
import { quarantinedError } from './identity-hold.js';
import type { ProxyRequest, ResponseWriter } from './io.js';
import { pathForLogs } from './log-path.js';
import { passThrough } from './pass-through.js';
import { answerStream } from './streamed.js';
import { answerUpstreamError } from './upstream-error.js';

export type { PipelineDeps } from './exchange.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);

function requestIdOf(v: string | string[] | undefined): string {
  return typeof v === 'string' && REQUEST_ID.test(v) ? v : randomUUID();
}

function contentType(h: UpstreamResponse['headers']): string {
  const v = h['content-type'];
  return (Array.isArray(v) ? v[0] : v)?.toLowerCase() ?? '';
}

export function createPipeline(deps: PipelineDeps) {
  return async function handle(req: ProxyRequest, out: ResponseWriter): Promise<void> {
    const requestId = requestIdOf(req.headers['x-request-id']);
    // Paired with the `record` in `finally` (the in-flight gauge).
    deps.sink.requestStarted?.(req.source);
    // One reading of the path, the one routing, the adapters and the upstream all get.
    const path = normalisePath(req.url);
    const route = path.ok ? deps.route(path.path) : undefined;
    const policySet = deps.policies();
    /** The verdict of the policies that apply, or undefined when none does. */
    const check = (request: RequestInfo, response: NormalisedResponse): Verdict | undefined => {
      if (!route || policySet.policies.length === 0) return undefined;
      const v = evaluate(
        policySet,
        { upstream: route.upstream.name, request, response },
        deps.checkLimits,
      );
      return v.results.length ? v : undefined;
    };
    const rec: RequestRecord = {
      kind: 'request',
      requestId,
      source: req.source,
      method: req.method.slice(0, 16),
      path: pathForLogs(route?.pathname ?? (path.ok ? path.path : '/')),
      route: 'passthrough',
      upstream: route?.upstream.name ?? 'none',
      status: 0,
      stream: false,
      requestModel: undefined,
      model: 'other',
      output: undefined,
      upstreamError: undefined,
      responseModel: undefined,
      finishReasons: [],
      usage: undefined,
      durationSeconds: 0,
      upstreamTtfbSeconds: undefined,
      upstreamDurationSeconds: undefined,
      overheadSeconds: undefined,
      errorCode: undefined,
      abortReason: undefined,
      verdict: undefined,
      chunkSeconds: [],
      identity: undefined,
      responseFingerprint: undefined,
    };
    const ours: Record<string, string> = {
      'x-request-id': requestId,
      'x-coalmine-decision': 'pass',
      'x-coalmine-policy-version': policySet.version,
    };
    const provider = getProvider(route?.upstream.provider ?? '');
    const adapter: WireAdapter | undefined = route
      ? findAdapter(req.method, route.pathname)
      : undefined;
    const errAdapter = adapter ?? provider.fallback;
    if (adapter) rec.route = adapter.id;
    const tr = (deps.tracing ?? noopTracing).request(
      req.headers,
      req.method,
      adapter && route ? route.pathname : 'passthrough',
      req.source,
    );

    const times: Times = { dispatch: 0, upstreamFirst: 0, clientFirst: 0, upstreamEnd: 0 };
    const ac = new Abort();
    const onClientGone = () =>
      ac.abort(new CoalmineError('CLIENT_DISCONNECTED', 'client disconnected'));
    out.onClientGone(onClientGone);
    let timer: NodeJS.Timeout | undefined;

    const sendError = (e: unknown) => {
      const err = isCoalmineError(e)
        ? e
        : new CoalmineError('INTERNAL', 'internal error', { cause: e });
      if (err.code === 'INTERNAL')
        deps.log.write('error', 'internal_error', 'request failed', {
          request_id: requestId,
          error: describeFault(err),
        });
      rec.errorCode = err.code;
      rec.status = err.status;
      if (isUpstreamFault(err.code)) rec.upstreamError = err.code.toLowerCase();
      if (err.code === 'CLIENT_DISCONNECTED' || out.clientGone) {
        rec.status = 499;
        return;
      }
      if (out.headersSent) {
        rec.abortReason = err.isTimeout ? 'timeout' : 'upstream_error';
        out.abort();
        return;
      }
      const body = errAdapter.errorBody(wireError(err));
      firstByte({ times });
      out.head(err.status, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        ...(isRetryable(err) ? {} : { 'x-should-retry': 'false' }),
        ...ours,
      });
      out.end(body);
    };

    try {
      if (!path.ok) throw new CoalmineError('REQUEST_INVALID_PATH', `invalid path: ${path.reason}`);
      if (!route)
        throw new CoalmineError('ROUTE_NOT_FOUND', 'no upstream is configured for this path');
      if (!adapter && deps.unknownRoutes === 'reject') {
        throw new CoalmineError(
          'ROUTE_NOT_FOUND',
          `${req.method} ${route.pathname} is not a route Coalmine serves`,
        );
      }
      const body = BODYLESS.has(req.method)
        ? undefined
        : await req.readBody(deps.limits.requestBody);
      let info: RequestInfo | undefined;
      if (adapter) {
        const json = parseJson(body?.toString('utf8') ?? '');
        if (json === undefined)
          throw new CoalmineError('REQUEST_INVALID_JSON', 'request body is not valid JSON');
        info = adapter.parseRequest(json);
        rec.stream = info.stream;
        rec.requestModel = info.model;
        if (deps.identity) rec.model = deps.identity.label(route.upstream.name, info.model);
      }

      const up = route.upstream;
      const held =
        info && req.source === 'live' ? deps.quarantine?.admit(up.name, info.model) : undefined;
      if (held?.action === 'block') throw quarantinedError({ ours }, up.name, held.reason);
      if (held) ours['x-coalmine-quarantined'] = held.reason;
      timer = setTimeout(
        () =>
          ac.abort(
            new CoalmineError(
              'UPSTREAM_TOTAL_TIMEOUT',
              `upstream "${up.name}" exceeded the total time limit`,
            ),
          ),
        up.timeouts.total,
      );
      const client = deps.client(up.name);
      const traceHeaders = tr.startUpstream({
        provider: up.provider,
        upstream: up.name,
        url: up.url,
        request: info,
      });
      times.dispatch = performance.now();
      const res = await client.request({
        method: req.method,
        path: route.path,
        headers: toUpstreamHeaders(req.headers, {
          requestId,
          auth: up.api_key ? provider.auth(up.api_key) : undefined,
          authHeaders: provider.authHeaders,
          trace: traceHeaders,
        }),
        body,
        signal: ac,
      });
      times.upstreamFirst = performance.now();
      rec.upstreamTtfbSeconds = (times.upstreamFirst - times.dispatch) / 1000;
      rec.status = res.status;
      if (res.status >= 500) rec.upstreamError = 'upstream_5xx';

      const x: Exchange | undefined =
        adapter && info
          ? {
              deps,
              requestId,
              policySet,
              upstream: up,
              adapter,
              info,
              out,
              rec,
              ours,
              span: tr,
              abort: ac,
              times,
              check: (response) => check(info, response),
            }
          : undefined;
      const ok = res.status >= 200 && res.status < 300;
      const framing = x && ok ? x.adapter.streamFraming(contentType(res.headers)) : undefined;
      if (x && res.status >= 300 && policySet.policies.length) await answerUpstreamError(x, res);
      else if (!x || !ok) {
        tr.endUpstream(res.status, undefined, undefined);
        await passThrough(res, out, ours, () => firstByte({ times }));
      } else if (framing) await answerStream(x, res, framing);
      else await answerBuffered(x, res);
    } catch (e) {
      sendError(isCoalmineError(e) || !route ? e : upstreamError(e, ac, route.upstream.name));
    } finally {
      clearTimeout(timer);
      const tEnd = performance.now();
      const t = times;
      rec.durationSeconds = (tEnd - req.receivedAt) / 1000;
      if (t.upstreamFirst)
        rec.upstreamDurationSeconds = ((t.upstreamEnd || tEnd) - t.dispatch) / 1000;
      if (t.clientFirst && t.dispatch) {
        const upstreamWait =
          (t.upstreamEnd && !rec.stream ? t.upstreamEnd : t.upstreamFirst || t.clientFirst) -
          t.dispatch;
        rec.overheadSeconds = Math.max(0, (t.clientFirst - req.receivedAt - upstreamWait) / 1000);
      }
      deps.sink.record(rec);
      tr.end(rec, policySet.version);
    }
  };
}
