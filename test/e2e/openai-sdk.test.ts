import { request } from 'node:http';
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../../src/main.js';
import type { SimServer } from '../../src/sim/server.js';
import { startSim } from '../../src/sim/server.js';
import { drain } from '../helpers/sdk.js';
import { ADMIN_TOKEN, eventually, metricsText, startProxy } from '../helpers/proxy.js';

let sim: SimServer;
let proxy: Running;
let client: OpenAI;

const ask = (content: string) => [{ role: 'user' as const, content }];

beforeAll(async () => {
  sim = await startSim();
  proxy = await startProxy({
    upstreams: [
      {
        name: 'sim',
        url: sim.url,
        timeouts: { first_byte: '300ms', idle: '300ms', total: '5s' },
        models: { 'pinned-model': { expect_model: 'pinned-model', fingerprints: ['fp_sim_a1'] } },
      },
      { name: 'dead', url: 'http://127.0.0.1:1', prefix: '/dead' },
      { name: 'short', url: sim.url, prefix: '/short', timeouts: { total: '400ms' } },
    ],
  });
  client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
});

afterAll(async () => {
  await proxy.shutdown();
  await sim.close();
});

async function raw(base: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('end to end with the openai SDK over real sockets', () => {
  it('answers a non-streaming chat completion', async () => {
    const r = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: ask('Which planet is the Red Planet?'),
    });
    expect(r.choices[0]?.message.content).toBe('Mars');
    expect(r.system_fingerprint).toBe('fp_sim_a1');
  });

  it('streams a chat completion with usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: ask('tell me about canaries'),
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    const whole = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: ask('tell me about canaries'),
    });
    expect(text).toBe(whole.choices[0]?.message.content);
    expect(usage).toMatchObject({
      prompt_tokens: expect.any(Number),
      completion_tokens: expect.any(Number),
    });
  });

  it('streams n > 1 choices and tool calls', async () => {
    const tools = [
      {
        type: 'function' as const,
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ];
    const r = await client.chat.completions.create({
      model: 'm',
      messages: ask('weather? [sim:tool-call]'),
      tools,
    });
    expect(r.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      function: { name: 'get_weather', arguments: '{"city":"sim"}' },
    });
    const stream = client.chat.completions.stream({
      model: 'm',
      messages: ask('weather? [sim:tool-call]'),
      tools,
      stream: true,
    });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      function: { name: 'get_weather', arguments: '{"city":"sim"}' },
    });
    const n2 = await client.chat.completions.create({
      model: 'm',
      messages: ask('two answers'),
      n: 2,
    });
    expect(n2.choices).toHaveLength(2);
  });

  it.each([
    ['json', {}],
    ['stream', { stream: true }],
    ['stream with usage, n=2', { stream: true, n: 2, stream_options: { include_usage: true } }],
  ])('delivers the upstream bytes unchanged (%s)', async (_n, extra) => {
    const body = { model: 'gpt-4o-mini', messages: ask('byte for byte'), ...extra };
    const direct = await raw(sim.url, body);
    const proxied = await raw(proxy.url, body);
    expect(proxied.res.status).toBe(200);
    expect(proxied.bytes.equals(direct.bytes)).toBe(true);
    expect(proxied.res.headers.get('x-coalmine-decision')).toBe('pass');
  });

  it('handles gzip from the upstream: decoded for inspection, consistent for the client', async () => {
    const r = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: ask('Which planet is the Red Planet? [sim:gzip]'),
    });
    expect(r.choices[0]?.message.content).toBe('Mars');
    const s = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: ask('Which planet is the Red Planet? [sim:gzip]'),
      stream: true,
    });
    const { text, error } = await drain(s);
    expect(error).toBeUndefined();
    expect(text).toBe('Mars');
  });

  it('surfaces a dead upstream as a 502 APIError', async () => {
    const dead = new OpenAI({ baseURL: `${proxy.url}/dead/v1`, apiKey: 'k', maxRetries: 0 });
    const err = await dead.chat.completions
      .create({ model: 'm', messages: ask('x') })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).status).toBe(502);
    expect((err as APIError).message).toContain('unreachable');
  });

  it('answers a stalled upstream with 504 after the first-byte timeout', async () => {
    const err = await client.chat.completions
      .create({ model: 'm', messages: ask('x [sim:stall=3000]') })
      .catch((e: unknown) => e);
    expect((err as APIError).status).toBe(504);
    expect((err as APIError).code).toBe('upstream_first_byte_timeout');
  });

  it('ends a stream that goes idle with an in-band error the SDK throws', async () => {
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: ask('x [sim:stall-mid=3000]'),
      stream: true,
    });
    const { text, error: err } = await drain(stream);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).message).toContain('stopped sending');
    expect(text.length).toBeGreaterThan(0);
  });

  it('ends a stream that exceeds the total time limit with an in-band timeout error', async () => {
    const short = new OpenAI({ baseURL: `${proxy.url}/short/v1`, apiKey: 'k', maxRetries: 0 });
    const stream = await short.chat.completions.create({
      model: 'm',
      messages: ask('x [sim:slow=100,chunks=20]'),
      stream: true,
    });
    const { error: err } = await drain(stream);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).message).toContain('total time limit');
    await eventually(async () =>
      (await metricsText(proxy)).includes('coalmine_stream_aborts_total{reason="timeout"}'),
    );
  });

  it('answers a malformed upstream body with a 502', async () => {
    const err = await client.chat.completions
      .create({ model: 'm', messages: ask('x [sim:malformed]') })
      .catch((e: unknown) => e);
    expect((err as APIError).status).toBe(502);
  });

  it('turns a stream broken mid-way into an in-band error, never a silent end', async () => {
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: ask('x [sim:break-mid]'),
      stream: true,
    });
    const { error: err } = await drain(stream);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).message).toContain('broke off');
  });

  it('rejects an oversized body with 413 in OpenAI format', async () => {
    const err = await client.chat.completions
      .create({ model: 'm', messages: ask('x'.repeat(11 * 1024 * 1024)) })
      .catch((e: unknown) => e);
    expect((err as APIError).status).toBe(413);
    expect((err as APIError).code).toBe('request_body_too_large');
  });

  it('aborts the upstream request as soon as the client disconnects', async () => {
    const before = sim.stats.aborted;
    const ac = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'm', messages: ask('x [sim:slow=100,chunks=40]'), stream: true },
      { signal: ac.signal },
    );
    for await (const _ of stream) {
      ac.abort();
      break;
    }
    await eventually(() => sim.stats.aborted > before, 2000);
    await eventually(async () =>
      (await metricsText(proxy)).includes(
        'coalmine_stream_aborts_total{reason="client_disconnect"} 1',
      ),
    );
  });

  it('counts model identity mismatches and fingerprint changes (a swapped model)', async () => {
    await client.chat.completions.create({ model: 'pinned-model', messages: ask('hello') });
    await client.chat.completions.create({
      model: 'pinned-model',
      messages: ask('hello [sim:swap-model]'),
    });
    const s = await client.chat.completions.create({
      model: 'unpinned-model',
      messages: ask('hi'),
    });
    expect(s.system_fingerprint).toBe('fp_sim_a1');
    await client.chat.completions.create({
      model: 'unpinned-model',
      messages: ask('hi [sim:swap-model]'),
      stream: false,
    });
    const m = await metricsText(proxy);
    expect(m).toContain(
      'coalmine_model_identity_mismatches_total{upstream="sim",model="pinned-model"} 1',
    );
    expect(m).toContain(
      'coalmine_model_fingerprint_changes_total{upstream="sim",model="pinned-model"} 1',
    );
    expect(m).toContain('coalmine_model_identity_mismatches_total{upstream="sim",model="other"} 1');
  });

  it('exports metrics and health on the admin listener; /admin needs the token', async () => {
    expect((await fetch(`${proxy.adminUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${proxy.adminUrl}/readyz`)).status).toBe(200);
    const m = await metricsText(proxy);
    expect(m).toMatch(
      /coalmine_requests_total\{route="openai.chat",upstream="sim",code="200",source="live",decision="pass"\} \d+/,
    );
    expect(m).toContain('coalmine_upstream_ttfb_seconds_bucket');
    expect(m).toContain('coalmine_overhead_seconds_bucket');
    expect(m).toContain('coalmine_request_duration_seconds_bucket');
    expect(m).toContain('process_cpu_user_seconds_total');
    expect((await fetch(`${proxy.adminUrl}/admin/status`)).status).toBe(401);
    expect(
      (
        await fetch(`${proxy.adminUrl}/admin/status`, {
          headers: { authorization: 'Bearer wrong-token-wrong-token' },
        })
      ).status,
    ).toBe(401);
    const ok = await fetch(`${proxy.adminUrl}/admin/status`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { upstreams: unknown[] }).upstreams).toHaveLength(3);
    expect((await fetch(`${proxy.url}/metrics`)).status).not.toBe(200);
  });

  it('keeps hop-by-hop headers from the upstream and replaces no key when none is configured', async () => {
    const body = JSON.stringify({ model: 'm', messages: ask('x') });
    await new Promise<void>((resolve, reject) => {
      const req = request(`${proxy.url}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: 'Bearer sk-client',
          connection: 'keep-alive, x-drop-me',
          'x-drop-me': '1',
          'x-keep-me': '1',
        },
      });
      req.on('response', (res) => res.resume().on('end', resolve));
      req.on('error', reject);
      req.end(body);
    });
    expect(sim.stats.lastHeaders['authorization']).toBe('Bearer sk-client');
    expect(sim.stats.lastHeaders['x-drop-me']).toBeUndefined();
    expect(sim.stats.lastHeaders['x-keep-me']).toBe('1');
  });
});
