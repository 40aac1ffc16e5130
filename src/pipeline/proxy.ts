/**
 * The request path, in order: route → read and parse the request → call the upstream →
 * parse the response (buffered or streamed) → answer the client → record. This is the only
 * place that knows the order of the steps.
 */
import { randomUUID } from 'node:crypto';
import { pipeline as pipeStreams } from 'node:stream';
import type { Readable } from 'node:stream';
import { getProvider } from '../adapters/providers.js';
import { findAdapter } from '../adapters/registry.js';
import { parseJson } from '../adapters/read.js';
import type { WireAdapter } from '../adapters/types.js';
import { CoalmineError, isCoalmineError } from '../errors.js';
import type { NormalisedResponse, RequestInfo } from '../model/exchange.js';
import type { Logger } from '../model/log.js';
import type { RequestRecord, Sink } from '../model/sink.js';
import { Abort } from '../upstream/abort.js';
import type { Upstream, UpstreamResponse } from '../upstream/client.js';
import { upstreamError } from '../upstream/client.js';
import { toClientHeaders, toUpstreamHeaders } from '../upstream/headers.js';
import { normalisePath } from '../upstream/path.js';
import type { Route } from '../upstream/router.js';
import { Accumulator } from './accumulate.js';
import { decodeStream, encodingOf, readDecoded } from './decode.js';
import type { ProxyRequest, ResponseWriter } from './io.js';
import { errorBodyTexts, sendBuffered, sendUpstreamError } from './actions.js';
import { checkTexts } from './error-text.js';
import { relayStream } from './stream.js';
import type { CompiledPolicy, PolicySet } from '../policy/compiled.js';
import type { EngineLimits } from '../policy/engine.js';
import { evaluate, selectPolicies } from '../policy/engine.js';
import { gateRules } from '../policy/gate-rules.js';
import type { GateRule } from '../policy/gate-rules.js';
import { GatedEmitter } from './gated-emitter.js';
import type { Tracing } from '../model/tracing.js';
import { noopTracing } from '../model/tracing.js';
import { looksLikeRefusal } from '../policy/checks/refusal.js';
import type { IdentityTracker } from '../canary/identity.js';
import type { Verdict } from '../model/verdict.js';
import type { Admission } from '../canary/quarantine.js';

export interface PipelineDeps {
  route(url: string): Route | undefined;
  client(upstream: string): Upstream;
  limits: { requestBody: number; responseBody: number };
  unknownRoutes: 'pass' | 'reject';
  sink: Sink;
  log: Logger;
  /** The live policy set; taken once per request, its version stamped on the response. */
  policies(): PolicySet;
  checkLimits: EngineLimits;
  /** Characters a stream holds back for checks that cannot name their triggers. */
  streamWindow: number;
  /** Model identity tracking; absent in tests that do not need it. */
  identity?: IdentityTracker | undefined;
  /** Spans per request; no-op when absent. */
  tracing?: Tracing | undefined;
  /** Quarantined models: what live traffic to them must do. */
  quarantine?: { admit(upstream: string, model: string | undefined): Admission | undefined };
}

/** The gate rules of a selection of policies, computed once per loaded set and selection. */
const gateCache = new WeakMap<PolicySet, Map<string, GateRule[]>>();
function streamRules(set: PolicySet, selected: readonly CompiledPolicy[]): GateRule[] {
  let bySelection = gateCache.get(set);
  if (!bySelection) gateCache.set(set, (bySelection = new Map<string, GateRule[]>()));
  const key = selected.map((p) => p.name).join('\u0000');
  let rules = bySelection.get(key);
  if (!rules) bySelection.set(key, (rules = gateRules(selected)));
  return rules;
}

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

    let tDispatch = 0;
    let tUpstreamFirst = 0;
    let tClientFirst = 0;
    let tUpstreamEnd = 0;
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
        deps.log.error('request failed', { requestId, error: describeFault(err) });
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
      const body = errAdapter.errorBody({
        status: err.status,
        message: err.message,
        type: errorType(err),
        code: err.code.toLowerCase(),
      });
      tClientFirst ||= performance.now();
      out.head(err.status, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
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
      if (held?.action === 'block') {
        ours['x-should-retry'] = 'false';
        ours['x-coalmine-quarantined'] = held.reason;
        throw new CoalmineError(
          'MODEL_QUARANTINED',
          `this model on upstream "${up.name}" is quarantined (${held.reason.replace('_', ' ')}) until an operator releases it`,
        );
      }
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
      tDispatch = performance.now();
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
      tUpstreamFirst = performance.now();
      rec.upstreamTtfbSeconds = (tUpstreamFirst - tDispatch) / 1000;
      rec.status = res.status;
      if (res.status >= 500) rec.upstreamError = 'upstream_5xx';

      const framing =
        adapter && res.status < 300 ? adapter.streamFraming(contentType(res.headers)) : undefined;
      if (adapter && info && res.status >= 300 && policySet.policies.length) {
        // An upstream error (or any other non-2xx) on an adapter route: the SDKs raise it with
        // its text, so that is checked like the answer's (error-text.ts). Read within the
        // response limit.
        const { raw, text: decoded } = await readDecoded(
          res.body,
          res.headers['content-encoding'],
          deps.limits.responseBody,
        );
        tUpstreamEnd = performance.now();
        tr.endUpstream(res.status, undefined, undefined);
        const error = errorBodyTexts(decoded);
        const checked = checkTexts(error.texts, (r) => check(info, r));
        const verdict = checked.verdict;
        if (verdict) {
          tr.evaluation(verdict, policySet.version, undefined);
          rec.verdict = verdict;
          ours['x-coalmine-decision'] = verdict.decision;
        }
        tClientFirst = performance.now();
        sendUpstreamError({ out, upstream: res, adapter, raw, error, checked, ours });
      } else if (!adapter || res.status < 200 || res.status >= 300) {
        tr.endUpstream(res.status, undefined, undefined);
        await passThrough(res, out, ours, () => (tClientFirst ||= performance.now()));
      } else if (framing) {
        rec.stream = true;
        const enc = encodingOf(res.headers['content-encoding']);
        const source: Readable = enc
          ? pipeStreams(res.body, decodeStream(enc), () => {})
          : res.body;
        out.head(res.status, toClientHeaders(res.headers, { decoded: !!enc, extra: ours }));
        const acc = new Accumulator(deps.checkLimits.maxScanChars);
        const rules = info
          ? streamRules(policySet, selectPolicies(policySet, up.name, info.model))
          : [];
        const gate =
          info && rules.length
            ? new GatedEmitter(
                {
                  rules,
                  request: info,
                  window: deps.streamWindow,
                  maxHeld: deps.checkLimits.maxScanChars,
                },
                adapter,
                (c) => acc.toolCalls(c),
                (chunk) => {
                  tClientFirst ||= performance.now();
                  return out.write(chunk);
                },
              )
            : undefined;
        const result = await relayStream({
          source,
          framing,
          adapter,
          out,
          acc,
          limit: deps.limits.responseBody,
          signal: ac,
          abortUpstream: (reason) => ac.abort(reason),
          onFirstWrite: () => (tClientFirst ||= performance.now()),
          onChunk: (s) => {
            if (rec.chunkSeconds.length < 1000) rec.chunkSeconds.push(s);
          },
          gate,
          checkError:
            info && policySet.policies.length
              ? (texts) => checkTexts(texts, (r) => check(info, r))
              : undefined,
        });
        tUpstreamEnd = performance.now();
        tr.endUpstream(res.status, acc.response, result.error?.code.toLowerCase());
        describe(rec, acc.response, deps.identity);
        // The gate enforced block/redact rules on the way; flag and shadow rules, and the
        // verdict the telemetry records, need one pass over the whole answer at the end.
        // A block of the gate, or of an in-band upstream error's message, decided the stream.
        const blockedBy = gate?.blocked ?? result.errorBlockedBy;
        const verdict =
          (info ? check(info, acc.response) : undefined) ??
          (blockedBy
            ? {
                decision: 'block' as const,
                policyVersion: policySet.version,
                results: [blockedBy],
                blockedBy,
              }
            : undefined);
        if (verdict) {
          tr.evaluation(verdict, policySet.version, acc.response.id);
          if (blockedBy) {
            verdict.decision = 'block';
            verdict.blockedBy ??= blockedBy;
          }
          rec.verdict = verdict;
        }
        rec.abortReason = result.abortReason;
        if (result.error) {
          rec.errorCode = result.error.code;
          if (result.error.code === 'INTERNAL')
            deps.log.error('request failed', { requestId, error: describeFault(result.error) });
          else if (isUpstreamFault(result.error.code))
            rec.upstreamError = result.error.code.toLowerCase();
          if (result.abortReason === 'client_disconnect') rec.status = 499;
        }
      } else {
        const { raw, text } = await readDecoded(
          res.body,
          res.headers['content-encoding'],
          deps.limits.responseBody,
        );
        tUpstreamEnd = performance.now();
        const body = parseJson(text.toString('utf8'));
        const normalised = adapter.parseResponse(body);
        if (!normalised) {
          throw new CoalmineError(
            'UPSTREAM_MALFORMED_BODY',
            'upstream returned a malformed response body',
          );
        }
        tr.endUpstream(res.status, normalised, undefined);
        describe(rec, normalised, deps.identity);
        const verdict = info ? check(info, normalised) : undefined;
        if (verdict) {
          tr.evaluation(verdict, policySet.version, normalised.id);
          rec.verdict = verdict;
          ours['x-coalmine-decision'] = verdict.decision;
          if (verdict.decision === 'block') rec.status = 400;
        }
        tClientFirst = performance.now();
        sendBuffered({ out, upstream: res, adapter, raw, body, normalised, verdict, ours });
      }
    } catch (e) {
      sendError(isCoalmineError(e) || !route ? e : upstreamError(e, ac, route.upstream.name));
    } finally {
      clearTimeout(timer);
      const tEnd = performance.now();
      rec.durationSeconds = (tEnd - req.receivedAt) / 1000;
      if (tUpstreamFirst) rec.upstreamDurationSeconds = ((tUpstreamEnd || tEnd) - tDispatch) / 1000;
      if (tClientFirst && tDispatch) {
        const upstreamWait =
          (tUpstreamEnd && !rec.stream ? tUpstreamEnd : tUpstreamFirst || tClientFirst) - tDispatch;
        rec.overheadSeconds = Math.max(0, (tClientFirst - req.receivedAt - upstreamWait) / 1000);
      }
      deps.sink.record(rec);
      tr.end(rec, policySet.version);
    }
  };
}

function describe(
  rec: RequestRecord,
  r: NormalisedResponse,
  identity: IdentityTracker | undefined,
): void {
  if (identity && rec.upstream !== 'none') {
    const o = identity.observe({
      upstream: rec.upstream,
      requested: rec.requestModel,
      model: r.model,
      fingerprint: r.fingerprint,
    });
    rec.identity = o;
  }
  rec.responseModel = r.model;
  rec.usage = r.usage;
  let chars = 0;
  let refused = false;
  for (const c of r.choices) {
    if (!c) continue;
    if (c.finishReason) rec.finishReasons.push(c.finishReason);
    chars += c.text.length + (c.refusal?.length ?? 0);
    for (const t of c.toolCalls) chars += t.arguments.length;
    // Refusals feed the live drift signals only: canary probes (refusal probes!) skip the scan.
    refused ||=
      c.finishReason === 'refusal' ||
      !!c.refusal ||
      (rec.source === 'live' && looksLikeRefusal(c.text));
  }
  rec.output = { chars, refused };
}

function isUpstreamFault(code: string): boolean {
  return code.startsWith('UPSTREAM_') || code === 'RESPONSE_TOO_LARGE';
}

/** What a log line says of an unexpected fault: its kind and where, never request content. */
function describeFault(err: CoalmineError): string {
  const cause = err.cause instanceof Error ? err.cause : undefined;
  if (!cause) return err.message;
  const frame = cause.stack?.split('\n').find((l) => l.trim().startsWith('at '));
  return `${err.message}: ${cause.name}${frame ? ` ${frame.trim()}` : ''}`;
}

function errorType(e: CoalmineError): string {
  if (e.code === 'INTERNAL') return 'server_error';
  if (e.status === 413 || e.status === 400 || e.status === 404) return 'invalid_request_error';
  if (e.status === 503) return 'service_unavailable_error';
  if (e.isTimeout) return 'timeout_error';
  return 'upstream_error';
}

/**
 * Routes no adapter understands, and upstream error statuses, are relayed untouched. They have
 * no in-band error format, so an upstream failure mid-body is signalled the HTTP way: the
 * response ends without its final chunk and the client sees an incomplete body.
 */
function passThrough(
  res: UpstreamResponse,
  out: ResponseWriter,
  ours: Record<string, string>,
  first: () => void,
): Promise<void> {
  const headers = toClientHeaders(res.headers, { decoded: false, extra: ours });
  const len = res.headers['content-length'];
  if (typeof len === 'string') headers['content-length'] = len;
  out.head(res.status, headers);
  first();
  return new Promise((resolve, reject) => {
    res.body.on('data', (c: Buffer) => {
      if (!out.write(c)) {
        res.body.pause();
        void out.drain().then(() => res.body.resume());
      }
    });
    res.body.once('end', () => {
      out.end();
      resolve();
    });
    res.body.once('error', reject);
  });
}
