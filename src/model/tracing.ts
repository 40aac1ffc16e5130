/**
 * Tracing as the core sees it: an interface with a no-op default. The OpenTelemetry
 * implementation lives in `telemetry/otel.ts` and is wired in `core.ts`; nothing here or in
 * the pipeline imports a tracing library.
 */
import type { NormalisedResponse, RequestInfo } from './exchange.js';
import type { RequestRecord, TrafficSource } from './sink.js';
import type { Verdict } from './verdict.js';

export interface UpstreamCall {
  /** Provider id (`gen_ai.provider.name`). */
  provider: string;
  upstream: string;
  /** The upstream's base URL (server.address, server.port). */
  url: string;
  /** What the adapter understood of the request; undefined for pass-through routes. */
  request: RequestInfo | undefined;
}

/** The spans of one request through the proxy. */
export interface RequestSpan {
  /** The upstream call starts; returns the trace-context headers to send (none when not tracing). */
  startUpstream(call: UpstreamCall): Record<string, string>;
  endUpstream(
    status: number,
    response: NormalisedResponse | undefined,
    error: string | undefined,
  ): void;
  /** The policies judged the response. */
  evaluation(verdict: Verdict, policyVersion: string, responseId: string | undefined): void;
  end(rec: RequestRecord, policyVersion: string): void;
}

export interface CanaryRunInfo {
  id: string;
  upstream: string;
  model: string;
  kind: string;
}

export interface CanaryRunOutcome {
  result: 'pass' | 'fail' | 'error' | 'blocked';
  calls: number;
  tokens: number;
  pValue: number | undefined;
  /** Sequential distribution probes: the running evidence (test martingale) after the run. */
  evidence: number | undefined;
  /** How many reasons the run failed for (the reasons themselves stay out of telemetry). */
  failures: number;
}

export interface Tracing {
  request(
    headers: Readonly<Record<string, string | string[] | undefined>>,
    method: string,
    path: string,
    source: TrafficSource,
  ): RequestSpan;
  /** Runs one canary as a root span; requests it makes inside are its children. */
  canaryRun<T>(
    info: CanaryRunInfo,
    run: () => Promise<T>,
    outcome: (t: T) => CanaryRunOutcome,
  ): Promise<T>;
}

const NO_HEADERS: Record<string, string> = Object.freeze({});
const noopSpan: RequestSpan = {
  startUpstream: () => NO_HEADERS,
  endUpstream() {},
  evaluation() {},
  end() {},
};

export const noopTracing: Tracing = {
  request: () => noopSpan,
  canaryRun: (_info, run) => run(),
};
