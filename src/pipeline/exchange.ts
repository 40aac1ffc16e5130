/**
 * What the answering steps of one request share: the request as routed and parsed, the record
 * the telemetry gets, Coalmine's own response headers, the span, the upstream call's abort and
 * the times the overhead is computed from. `proxy.ts` builds it; `buffered.ts`, `streamed.ts`
 * and `upstream-error.ts` each answer one kind of upstream response with it.
 */
import type { WireAdapter } from '../adapters/types.js';
import type { IdentityTracker } from '../canary/identity.js';
import type { Quarantine } from '../canary/quarantine.js';
import type { UpstreamConfig } from '../config/schema.js';
import type { NormalisedResponse, RequestInfo } from '../model/exchange.js';
import type { Logger } from '../model/log.js';
import type { RequestRecord, Sink } from '../model/sink.js';
import type { RequestSpan, Tracing } from '../model/tracing.js';
import type { Verdict } from '../model/verdict.js';
import type { PolicySet } from '../policy/compiled.js';
import type { EngineLimits } from '../policy/engine.js';
import type { Abort } from '../upstream/abort.js';
import type { Upstream } from '../upstream/client.js';
import type { Route } from '../upstream/router.js';
import type { ResponseWriter } from './io.js';

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
  quarantine?: Pick<Quarantine, 'admit' | 'watches' | 'holds'>;
}

/** `performance.now()` readings; 0 until the moment has come. */
export interface Times {
  dispatch: number;
  upstreamFirst: number;
  clientFirst: number;
  upstreamEnd: number;
}

/** One request on an adapter route, from the upstream's answer on. */
export interface Exchange {
  deps: PipelineDeps;
  requestId: string;
  policySet: PolicySet;
  upstream: UpstreamConfig;
  adapter: WireAdapter;
  /** The parsed request. */
  info: RequestInfo;
  out: ResponseWriter;
  rec: RequestRecord;
  /** Coalmine's own response headers (request id, decision, policy version, …). */
  ours: Record<string, string>;
  span: RequestSpan;
  abort: Abort;
  times: Times;
  /** The verdict of the policies that apply to a response, or undefined when none does. */
  check(response: NormalisedResponse): Verdict | undefined;
}

/** Marks the first byte sent to the client (the end of the overhead measurement). */
export function firstByte(x: { times: Times }): void {
  x.times.clientFirst ||= performance.now();
}
