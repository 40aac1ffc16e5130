/**
 * Tracing with `@opentelemetry/api` (the SDK, when export is on, is started by
 * `instrumentation.ts`; without one every call is a no-op and this skips its own work). A SERVER span per request (continuing an incoming `traceparent`),
 * a CLIENT span per upstream call named and attributed per the GenAI semantic conventions
 * (v1.41), and an `evaluate policies` span with one `gen_ai.evaluation.result` event per
 * rule that fired. Attributes never carry prompt or completion text.
 */
import { ellipsis } from '../model/text.js';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Context, Span } from '@opentelemetry/api';
import type { NormalisedResponse } from '../model/exchange.js';
import type { RequestRecord, TrafficSource } from '../model/sink.js';
import type {
  CanaryRunInfo,
  CanaryRunOutcome,
  RequestSpan,
  Tracing,
  UpstreamCall,
} from '../model/tracing.js';
import type { Verdict } from '../model/verdict.js';

type HeaderMap = Readonly<Record<string, string | string[] | undefined>>;

const tracer = trace.getTracer('coalmine');

const headerGetter = {
  keys: (h: HeaderMap) => Object.keys(h),
  get: (h: HeaderMap, k: string) => h[k],
};

const NO_HEADERS: Record<string, string> = Object.freeze({});
const SERVER_SPAN = { kind: SpanKind.SERVER };

class OtelRequestSpan implements RequestSpan {
  private readonly server: Span;
  /** The SERVER span's context; undefined when nothing records (no SDK): all else is skipped. */
  private readonly ctx: Context | undefined;
  private client: Span | undefined;

  constructor(headers: HeaderMap, method: string, path: string, source: TrafficSource) {
    // An incoming traceparent continues the client's trace; canary runs are the active context.
    const parent = propagation.extract(context.active(), headers, headerGetter);
    this.server = tracer.startSpan(`${method} ${path}`, SERVER_SPAN, parent);
    if (!this.server.isRecording()) return;
    this.server.setAttributes({
      'http.request.method': method,
      'url.path': path,
      'coalmine.source': source,
    });
    this.ctx = trace.setSpan(parent, this.server);
  }

  get recording(): boolean {
    return this.ctx !== undefined;
  }

  /** Starts the CLIENT span; returns the trace headers to send upstream (none without an SDK). */
  startUpstream(c: UpstreamCall): Record<string, string> {
    if (!this.ctx) return NO_HEADERS;
    const r = c.request;
    const name = r ? (r.model ? `${r.operation} ${bounded(r.model)}` : r.operation) : 'upstream';
    const span = (this.client = tracer.startSpan(name, { kind: SpanKind.CLIENT }, this.ctx));
    if (span.isRecording()) {
      const url = new URL(c.url);
      span.setAttributes({
        'server.address': url.hostname,
        'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
        'coalmine.upstream': c.upstream,
      });
      if (r)
        span.setAttributes({
          'gen_ai.operation.name': r.operation,
          'gen_ai.provider.name': c.provider,
          'gen_ai.request.stream': r.stream,
          ...(r.model !== undefined ? { 'gen_ai.request.model': bounded(r.model) } : {}),
          ...(r.choices !== 1 ? { 'gen_ai.request.choice.count': r.choices } : {}),
        });
    }
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(this.ctx, this.client), carrier);
    return carrier;
  }

  /** Ends the CLIENT span with what the upstream answered. */
  endUpstream(status: number, r: NormalisedResponse | undefined, error: string | undefined): void {
    const s = this.client;
    if (!s) return;
    this.client = undefined;
    if (!s.isRecording()) {
      s.end();
      return;
    }
    if (status) s.setAttribute('http.response.status_code', status);
    if (r) {
      if (r.model !== undefined) s.setAttribute('gen_ai.response.model', bounded(r.model));
      if (r.id !== undefined) s.setAttribute('gen_ai.response.id', bounded(r.id));
      if (r.fingerprint !== undefined)
        s.setAttribute('coalmine.response.fingerprint', bounded(r.fingerprint));
      const reasons = r.choices.flatMap((c) => (c?.finishReason ? [bounded(c.finishReason)] : []));
      if (reasons.length) s.setAttribute('gen_ai.response.finish_reasons', reasons);
      if (r.usage?.inputTokens !== undefined)
        s.setAttribute('gen_ai.usage.input_tokens', r.usage.inputTokens);
      if (r.usage?.outputTokens !== undefined)
        s.setAttribute('gen_ai.usage.output_tokens', r.usage.outputTokens);
    }
    if (error) {
      s.setAttribute('error.type', error);
      s.setStatus({ code: SpanStatusCode.ERROR });
    } else if (status >= 500) {
      s.setAttribute('error.type', String(status));
      s.setStatus({ code: SpanStatusCode.ERROR });
    }
    s.end();
  }

  /** The policy evaluation: an INTERNAL span, one `gen_ai.evaluation.result` event per rule that fired. */
  evaluation(v: Verdict, policyVersion: string, responseId: string | undefined): void {
    if (!this.ctx) return;
    const span = tracer.startSpan(
      'evaluate policies',
      { kind: SpanKind.INTERNAL, attributes: { 'coalmine.policy.version': policyVersion } },
      this.ctx,
    );
    const fired: string[] = [];
    for (const r of v.results) {
      if (r.status === 'pass') continue;
      const name = `${r.policy}/${r.rule}`;
      if (r.status === 'fail') fired.push(name);
      span.addEvent('gen_ai.evaluation.result', {
        'gen_ai.evaluation.name': name,
        'gen_ai.evaluation.score.label': r.status === 'fail' ? 'fail' : 'error',
        'coalmine.check': r.check,
        'coalmine.action': r.action,
        'coalmine.mode': r.mode,
        ...(r.status === 'fail' ? { 'gen_ai.evaluation.explanation': r.detail } : {}),
        ...(r.status === 'error' ? { 'error.type': 'check_error' } : {}),
        ...(responseId !== undefined ? { 'gen_ai.response.id': bounded(responseId) } : {}),
      });
    }
    span.setAttributes({ 'coalmine.decision': v.decision, 'coalmine.rules': fired });
    span.end();
  }

  /** Ends the SERVER span with the outcome the telemetry records. */
  end(rec: RequestRecord, policyVersion: string): void {
    const s = this.server;
    this.endUpstream(0, undefined, rec.errorCode);
    if (this.ctx) {
      s.setAttributes({
        'http.response.status_code': rec.status,
        'coalmine.request_id': rec.requestId,
        'coalmine.route': rec.route,
        'coalmine.upstream': rec.upstream,
        'coalmine.policy.version': policyVersion,
        'coalmine.decision': rec.verdict?.decision ?? 'pass',
        'coalmine.rules':
          rec.verdict?.results.flatMap((r) =>
            r.status === 'fail' ? [`${r.policy}/${r.rule}`] : [],
          ) ?? [],
      });
      if (rec.requestModel !== undefined)
        s.setAttribute('gen_ai.request.model', bounded(rec.requestModel));
      if (rec.responseModel !== undefined)
        s.setAttribute('gen_ai.response.model', bounded(rec.responseModel));
      if (rec.identity)
        s.setAttributes({
          'coalmine.identity.mismatch': rec.identity.mismatch,
          'coalmine.identity.fingerprint_changed': rec.identity.fingerprintChanged,
        });
      if (rec.abortReason) s.setAttribute('coalmine.stream.abort_reason', rec.abortReason);
      if (rec.errorCode) s.setAttribute('error.type', rec.errorCode.toLowerCase());
      if (rec.status >= 500 || (rec.errorCode && rec.errorCode !== 'POLICY_BLOCKED'))
        s.setStatus({ code: SpanStatusCode.ERROR });
    }
    s.end();
  }
}

export const otelTracing: Tracing = {
  request: (headers, method, path, source) => new OtelRequestSpan(headers, method, path, source),

  canaryRun<T>(
    info: CanaryRunInfo,
    run: () => Promise<T>,
    outcome: (t: T) => CanaryRunOutcome,
  ): Promise<T> {
    return tracer.startActiveSpan(
      `canary ${info.id}`,
      {
        root: true,
        attributes: {
          'coalmine.canary.id': info.id,
          'coalmine.upstream': info.upstream,
          'gen_ai.request.model': info.model,
          'coalmine.canary.kind': info.kind,
        },
      },
      async (span) => {
        try {
          const t = await run();
          const o = outcome(t);
          span.setAttributes({
            'coalmine.canary.result': o.result,
            'coalmine.canary.calls': o.calls,
            'coalmine.canary.tokens': o.tokens,
            'coalmine.canary.failures': o.failures,
            ...(o.pValue !== undefined ? { 'coalmine.canary.pvalue': o.pValue } : {}),
            ...(o.evidence !== undefined ? { 'coalmine.canary.evidence': o.evidence } : {}),
          });
          if (o.result !== 'pass')
            span.setStatus({ code: SpanStatusCode.ERROR, message: o.result });
          return t;
        } finally {
          span.end();
        }
      },
    );
  },
};

/**
 * Strings a client or an upstream chose (model names, response ids, fingerprints) go on spans
 * cut to a bounded length: a hostile megabyte "model name" must not ride every span to the
 * collector.
 */
export const MAX_ATTRIBUTE_CHARS = 256;
export function bounded(s: string): string {
  return s.length <= MAX_ATTRIBUTE_CHARS ? s : ellipsis(s, MAX_ATTRIBUTE_CHARS - 1);
}
