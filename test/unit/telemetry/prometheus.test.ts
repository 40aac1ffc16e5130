import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../../src/model/sink.js';
import { CATALOGUE, metricsTable } from '../../../src/telemetry/catalogue.js';
import { PrometheusSink } from '../../../src/telemetry/prometheus.js';
import { promtool, runPromtool } from '../../helpers/promtool.js';

const request = (over: Partial<RequestRecord> = {}): RequestRecord =>
  ({
    kind: 'request',
    requestId: 'r',
    source: 'live',
    route: 'openai.chat',
    upstream: 'openai',
    status: 200,
    stream: false,
    requestModel: 'gpt-4o-mini',
    model: 'gpt-4o-mini',
    output: { chars: 120, refused: false },
    upstreamError: undefined,
    responseModel: 'gpt-4o-mini-2024-07-18',
    finishReasons: ['stop'],
    usage: { inputTokens: 10, outputTokens: 30 },
    durationSeconds: 0.2,
    upstreamTtfbSeconds: 0.1,
    upstreamDuration: undefined,
    upstreamDurationSeconds: 0.15,
    overheadSeconds: 0.0004,
    errorCode: undefined,
    abortReason: undefined,
    verdict: undefined,
    chunkSeconds: [],
    identity: { mismatch: false, fingerprintChanged: false },
    ...over,
  }) as RequestRecord;

const seriesCount = (text: string) =>
  text.split('\n').filter((l) => l && !l.startsWith('#')).length;

describe('Prometheus metrics', () => {
  it('every catalogue metric is registered, with its type and labels', async () => {
    const sink = new PrometheusSink({ version: '1.2.3', processMetrics: false });
    const text = await sink.metrics();
    for (const spec of Object.values(CATALOGUE))
      expect(text).toContain(`# TYPE ${spec.name} ${spec.type}`);
  });

  it('a flood of random model names does not grow the series count', async () => {
    const sink = new PrometheusSink({ version: '1', processMetrics: false });
    // Labels as the pipeline bounds them: unconfigured models arrive as `other`.
    const other = (i: number) =>
      request({
        requestModel: `random-${i}-${Math.random()}`,
        model: 'other',
        identity: { mismatch: i % 2 === 0, fingerprintChanged: true },
        finishReasons: [`weird-${i}`],
      });
    for (let i = 0; i < 5; i++) sink.record(other(i));
    const before = seriesCount(await sink.metrics());
    for (let i = 5; i < 505; i++) sink.record(other(i));
    const text = await sink.metrics();
    expect(seriesCount(text)).toBe(before);
    expect(text).not.toMatch(/random-\d/);
    expect(text).toContain(
      'coalmine_finish_reasons_total{upstream="openai",model="other",reason="other"} 505',
    );
  });

  it('drift signals count live traffic only; tokens count both', async () => {
    const sink = new PrometheusSink({ version: '1', processMetrics: false });
    sink.record(request({ output: { chars: 30, refused: true } }));
    sink.record(request({ source: 'canary', output: { chars: 5000, refused: true } }));
    const text = await sink.metrics();
    expect(text).toContain('coalmine_refusals_total{upstream="openai",model="gpt-4o-mini"} 1');
    expect(text).toContain('coalmine_output_chars_count{upstream="openai",model="gpt-4o-mini"} 1');
    expect(text).toContain(
      'coalmine_decisions_total{upstream="openai",model="gpt-4o-mini",decision="pass"} 1',
    );
    expect(text).toContain(
      'coalmine_tokens_total{upstream="openai",model="gpt-4o-mini",type="output"} 60',
    );
    expect(text).toContain(
      'coalmine_requests_total{route="openai.chat",upstream="openai",code="200",source="canary",decision="pass"} 1',
    );
  });

  const block = { decision: 'block', blockedBy: undefined, results: [] } as never;
  it.each([
    ['a pass', request(), '200', 'pass'],
    ['a buffered block', request({ status: 400, verdict: block }), '400', 'block'],
    // The status went out before the block: counted with it, and with its decision.
    ['a block mid-stream', request({ stream: true, verdict: block }), '200', 'block'],
    [
      'a quarantine refusal',
      request({ status: 423, output: undefined, errorCode: 'MODEL_QUARANTINED' }),
      '423',
      'quarantined',
    ],
    [
      'an upstream failure',
      request({ status: 502, output: undefined, errorCode: 'UPSTREAM_CONNECT_FAILED' }),
      '502',
      'pass',
    ],
  ])('requests are counted with their decision: %s', async (_name, rec, code, decision) => {
    const sink = new PrometheusSink({ version: '1', processMetrics: false });
    sink.record(rec);
    expect(await sink.metrics()).toContain(
      `coalmine_requests_total{route="openai.chat",upstream="openai",code="${code}",source="live",decision="${decision}"} 1`,
    );
  });

  it('request durations are labelled by source', async () => {
    const sink = new PrometheusSink({ version: '1', processMetrics: false });
    sink.record(request());
    sink.record(request({ source: 'canary' }));
    sink.record(request({ source: 'canary' }));
    const text = await sink.metrics();
    for (const [source, n] of [
      ['live', 1],
      ['canary', 2],
    ])
      expect(text).toContain(
        `coalmine_request_duration_seconds_count{route="openai.chat",upstream="openai",source="${source}"} ${n}`,
      );
  });

  it('the in-flight gauge counts requests started and not yet recorded', async () => {
    const sink = new PrometheusSink({ version: '1', processMetrics: false });
    const inflight = async () =>
      /^coalmine_inflight_requests (\d+)$/m.exec(await sink.metrics())?.[1];
    expect(await inflight()).toBe('0');
    sink.requestStarted();
    sink.requestStarted();
    expect(await inflight()).toBe('2');
    sink.record(request());
    expect(await inflight()).toBe('1');
  });

  it('upstream failures are counted by reason', async () => {
    const sink = new PrometheusSink({ version: '1', processMetrics: false });
    sink.record(
      request({ status: 502, output: undefined, upstreamError: 'upstream_connect_failed' }),
    );
    expect(await sink.metrics()).toContain(
      'coalmine_upstream_errors_total{upstream="openai",reason="upstream_connect_failed"} 1',
    );
  });

  it("the README's metric table is generated from the catalogue (run `npm run docs`)", () => {
    const md = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    const [a, b] = ['<!-- metrics:start -->', '<!-- metrics:end -->'];
    expect(md.slice(md.indexOf(a) + a.length, md.indexOf(b)).trim()).toBe(metricsTable());
  });

  const tool = promtool();
  // Our own metrics: prom-client's process metrics include gauges named `nodejs_active_*_total`,
  // which promtool flags; they are prom-client's names, not ours.
  it.skipIf(!tool)('our exposition passes `promtool check metrics`', async () => {
    const sink = new PrometheusSink({ version: '1', processMetrics: false });
    sink.declare(
      [{ id: 'red-planet', everySeconds: 300 }],
      [{ upstream: 'openai', model: 'gpt-4o-mini' }],
    );
    sink.record(request());
    sink.record(
      request({
        status: 400,
        verdict: { decision: 'block', blockedBy: undefined, results: [] } as never,
      }),
    );
    sink.record({
      kind: 'canary',
      canary: 'red-planet',
      upstream: 'openai',
      model: 'gpt-4o-mini',
      result: 'pass',
      previous: undefined,
      reason: undefined,
      pValue: 0.5,
      evidence: undefined,
      tokens: 12,
      durationSeconds: 0.3,
      finishedAt: Date.now(),
    });
    sink.record({
      kind: 'policy_reload',
      result: 'success',
      version: 'abc',
      previousVersion: undefined,
      issues: [],
    });
    const r = runPromtool(['check', 'metrics'], await sink.metrics());
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });
});
