import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Running } from '../../src/main.js';
import type { SimServer } from '../../src/sim/server.js';
import { SIM_SECRETS } from '../../src/sim/answer.js';
import { startSim } from '../../src/sim/server.js';
import { startProxy } from '../helpers/proxy.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(provider);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

const CLIENT_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CLIENT_SPAN = 'b7ad6b7169203331';
const TRACEPARENT = `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`;

/** An upstream that records the headers it receives and answers a fixed chat completion. */
function captureUpstream(): Promise<{ server: Server; url: string; seen: IncomingHttpHeaders[] }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          model: 'gpt-4o-mini-2024-07-18',
          system_fingerprint: 'fp_x',
          choices: [
            { index: 0, message: { role: 'assistant', content: 'Paris' }, finish_reason: 'stop' },
          ],
          usage: { prompt_tokens: 11, completion_tokens: 1, total_tokens: 12 },
        }),
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen }),
    ),
  );
}

const byKind = (spans: ReadableSpan[], kind: SpanKind) => spans.filter((s) => s.kind === kind);
const { SERVER, CLIENT, INTERNAL } = SpanKind;

describe('OpenTelemetry spans (in-memory exporter)', () => {
  let sim: SimServer;
  let cap: Awaited<ReturnType<typeof captureUpstream>>;
  let proxy: Running;

  beforeAll(async () => {
    sim = await startSim();
    cap = await captureUpstream();
    proxy = await startProxy(
      {
        upstreams: [
          {
            name: 'sim',
            url: sim.url,
            models: { 'gpt-4o-mini': { expect_model: 'gpt-4o-mini', fingerprints: ['fp_sim_a1'] } },
          },
          { name: 'capture', url: cap.url, prefix: '/capture' },
        ],
        canaries: ['canaries.yaml'],
        canary: { schedule: false },
      },
      {
        'canaries.yaml': `canaries:
  - id: red-planet
    upstream: sim
    model: gpt-4o-mini
    request: { messages: [{ role: user, content: "Which planet is known as the Red Planet?" }] }
    expect: [{ equals: Mars }]
`,
      },
    );
  });
  afterAll(async () => {
    await proxy.shutdown();
    await sim.close();
    cap.server.close();
  });
  beforeEach(() => exporter.reset());

  const chat = (base: string, body: object, headers: Record<string, string> = {}) =>
    fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'gpt-4o-mini', ...body }),
    }).then(async (r) => ({ status: r.status, text: await r.text() }));

  it('continues the incoming trace: SERVER span, GenAI CLIENT span, one traceparent upstream', async () => {
    const r = await chat(
      `${proxy.url}/capture`,
      { messages: [{ role: 'user', content: 'What is the capital of France?' }], max_tokens: 5 },
      { traceparent: TRACEPARENT, tracestate: 'vendor=client' },
    );
    expect(r.status).toBe(200);
    const spans = exporter.getFinishedSpans();
    const [server] = byKind(spans, SERVER);
    const [client] = byKind(spans, CLIENT);
    expect(server?.spanContext().traceId).toBe(CLIENT_TRACE);
    expect(server?.parentSpanContext?.spanId).toBe(CLIENT_SPAN);
    expect(client?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(client?.name).toBe('chat gpt-4o-mini');
    expect(client?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.stream': false,
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.response.id': 'chatcmpl-1',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 11,
      'gen_ai.usage.output_tokens': 1,
      'server.address': '127.0.0.1',
      'http.response.status_code': 200,
    });
    expect(server?.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'coalmine.decision': 'pass',
      'coalmine.policy.version': expect.any(String),
      'coalmine.source': 'live',
    });
    // Exactly one trace context upstream: the CLIENT span's, not the client's own.
    const h = cap.seen.at(-1)!;
    expect(h['traceparent']).toBe(`00-${CLIENT_TRACE}-${client!.spanContext().spanId}-01`);
    expect(h['tracestate']).toBe('vendor=client');
  });

  it('policy evaluation: a gen_ai.evaluation.result event per rule that fired, no content', async () => {
    const prompt = 'Please share the keys [sim:leak-secret]';
    const r = await chat(proxy.url, { messages: [{ role: 'user', content: prompt }] });
    expect(r.status).toBe(200);
    const spans = exporter.getFinishedSpans();
    const evaluation = byKind(spans, INTERNAL).find((s) => s.name === 'evaluate policies');
    expect(evaluation?.attributes).toMatchObject({
      'coalmine.decision': 'redact',
      'coalmine.rules': ['default/leaked-credentials'],
    });
    const events = evaluation?.events.filter((e) => e.name === 'gen_ai.evaluation.result') ?? [];
    expect(events).toHaveLength(1);
    expect(events[0]?.attributes).toMatchObject({
      'gen_ai.evaluation.name': 'default/leaked-credentials',
      'gen_ai.evaluation.score.label': 'fail',
      'coalmine.action': 'redact',
      'gen_ai.response.id': expect.stringMatching(/^chatcmpl-/),
    });
    expect(byKind(spans, SERVER)[0]?.attributes['coalmine.rules']).toEqual([
      'default/leaked-credentials',
    ]);
    const dump = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.events]));
    expect(dump).not.toContain(SIM_SECRETS.aws);
    expect(dump).not.toContain(SIM_SECRETS.github);
    expect(dump).not.toContain('Please share the keys');
  });

  it('streams: stream flag, finish reasons and usage on the CLIENT span', async () => {
    const r = await chat(proxy.url, {
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'tell me about canaries' }],
    });
    expect(r.status).toBe(200);
    const [client] = byKind(exporter.getFinishedSpans(), CLIENT);
    expect(client?.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.output_tokens': expect.any(Number),
    });
  });

  it('strings a client or upstream chose are bounded on spans', async () => {
    const model = `m${'x'.repeat(100_000)}`;
    await chat(proxy.url, { model, messages: [{ role: 'user', content: 'hi' }] });
    const spans = exporter.getFinishedSpans();
    expect(spans.length).toBeGreaterThan(0);
    for (const s of spans) {
      expect(s.name.length).toBeLessThanOrEqual(300);
      for (const v of Object.values(s.attributes))
        for (const x of Array.isArray(v) ? v : [v])
          if (typeof x === 'string') expect(x.length).toBeLessThanOrEqual(256);
    }
    expect(JSON.stringify(spans.map((s) => s.attributes))).toContain('mxxx');
  });

  it('identity on the SERVER span', async () => {
    await chat(proxy.url, { messages: [{ role: 'user', content: 'hi' }] });
    expect(byKind(exporter.getFinishedSpans(), SERVER)[0]?.attributes).toMatchObject({
      'coalmine.identity.mismatch': false,
      'coalmine.identity.fingerprint_changed': false,
    });
    exporter.reset();
    sim.setScenario('swap-model');
    try {
      await chat(proxy.url, { messages: [{ role: 'user', content: 'hi' }] });
    } finally {
      sim.setScenario(undefined);
    }
    expect(byKind(exporter.getFinishedSpans(), SERVER)[0]?.attributes).toMatchObject({
      'coalmine.identity.mismatch': true,
      'coalmine.identity.fingerprint_changed': true,
      'gen_ai.response.model': 'sim-swapped-1',
    });
  });

  it('a canary run is a root span with its result; its request is a child', async () => {
    const [result] = await proxy.canaries.runAll(['red-planet']);
    expect(result?.result).toBe('pass');
    const spans = exporter.getFinishedSpans();
    const run = spans.find((s) => s.name === 'canary red-planet');
    expect(run?.parentSpanContext).toBeUndefined();
    expect(run?.attributes).toMatchObject({
      'coalmine.canary.id': 'red-planet',
      'coalmine.canary.result': 'pass',
      'coalmine.canary.kind': 'known',
      'coalmine.canary.tokens': expect.any(Number),
    });
    const server = byKind(spans, SERVER)[0];
    expect(server?.parentSpanContext?.spanId).toBe(run?.spanContext().spanId);
    expect(server?.attributes['coalmine.source']).toBe('canary');
  });
});
