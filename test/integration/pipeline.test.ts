import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CoalmineError } from '../../src/errors.js';
import { CHAT, chatBody, testApp } from '../helpers/app.js';
import { FakeUpstream } from '../helpers/fake-upstream.js';
import { chunked, fixture } from '../helpers/fixtures.js';

async function errorOf(res: Response) {
  return ((await res.json()) as { error: { code: string; message: string; type: string } }).error;
}

const SSE = { 'content-type': 'text/event-stream; charset=utf-8' };
const JSON_CT = { 'content-type': 'application/json' };

describe('pipeline through app.request() with an injected upstream', () => {
  it.each(['completion.json', 'completion-n2.json', 'completion-tools.json'])(
    'relays %s byte for byte with Coalmine headers',
    async (file) => {
      const bytes = fixture(`openai-chat/${file}`);
      const up = new FakeUpstream(() => ({
        headers: { ...JSON_CT, 'x-ratelimit-remaining-requests': '99' },
        chunks: chunked(bytes, [13]),
      }));
      const { post, records } = testApp({ upstream: up });
      const res = await post(CHAT, chatBody(), { 'x-request-id': 'req-123' });
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
      expect(res.headers.get('x-coalmine-decision')).toBe('pass');
      expect(res.headers.get('x-coalmine-policy-version')).toBe('test-version');
      expect(res.headers.get('x-request-id')).toBe('req-123');
      expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('99');
      expect(res.headers.get('content-length')).toBe(String(bytes.length));
      expect(records[0]).toMatchObject({
        route: 'openai.chat',
        upstream: 'up',
        status: 200,
        stream: false,
        requestModel: 'gpt-4o-mini',
        responseModel: 'gpt-4o-mini-2024-07-18',
      });
    },
  );

  it.each([
    ['stream-basic.sse.txt', [1]],
    ['stream-basic.sse.txt', [5, 17, 3]],
    ['stream-tools.sse.txt', [64]],
    ['stream-n2.sse.txt', [2, 200]],
  ])('relays %s byte for byte under chunking %j', async (file, sizes) => {
    const bytes = fixture(`openai-chat/${file}`);
    const up = new FakeUpstream(() => ({ headers: SSE, chunks: chunked(bytes, sizes) }));
    const { post, records } = testApp({ upstream: up });
    const res = await post(CHAT, chatBody({ stream: true }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(SSE['content-type']);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    expect(records[0]).toMatchObject({
      stream: true,
      abortReason: undefined,
      errorCode: undefined,
    });
  });

  it('records usage and finish reasons from a stream', async () => {
    const up = new FakeUpstream(() => ({
      headers: SSE,
      chunks: [fixture('openai-chat/stream-basic.sse.txt')],
    }));
    const { post, records } = testApp({ upstream: up });
    await (
      await post(CHAT, chatBody({ stream: true, stream_options: { include_usage: true } }))
    ).arrayBuffer();
    expect(records[0]).toMatchObject({
      usage: { inputTokens: 19, outputTokens: 12 },
      finishReasons: ['stop'],
    });
  });

  it('forwards the original request bytes to the upstream path', async () => {
    const up = new FakeUpstream(() => ({ chunks: [fixture('openai-chat/completion.json')] }));
    const { post } = testApp({ upstream: up });
    const raw = '{"model":"m",  "messages":[{"role":"user","content":"ü"}]}';
    await post(`${CHAT}?api-version=1`, raw);
    expect(up.calls[0]?.body?.toString()).toBe(raw);
    expect(up.calls[0]?.path).toBe(`${CHAT}?api-version=1`);
  });

  it('answers malformed upstream JSON with a clear 502 in OpenAI format', async () => {
    const up = new FakeUpstream(() => ({ chunks: ['{"id": "x", "choices": ['] }));
    const { post, records } = testApp({ upstream: up });
    const res = await post(CHAT, chatBody());
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({
      error: {
        message: 'upstream returned a malformed response body',
        type: 'upstream_error',
        param: null,
        code: 'upstream_malformed_body',
      },
    });
    expect(records[0]?.errorCode).toBe('UPSTREAM_MALFORMED_BODY');
  });

  it('ends a stream with a malformed event in-band, keeping every good frame before it', async () => {
    const good = 'data: {"id":"a","model":"m","choices":[{"index":0,"delta":{"content":"x"}}]}\n\n';
    const up = new FakeUpstream(() => ({
      headers: SSE,
      chunks: [good + good + 'data: {nope\n\n' + good],
    }));
    const { post, records } = testApp({ upstream: up });
    const text = await (await post(CHAT, chatBody({ stream: true }))).text();
    expect(text.startsWith(good + good + 'data: {"error":')).toBe(true);
    expect(text.endsWith('\n\n')).toBe(true);
    expect(JSON.parse(text.slice((good + good).length + 6)).error.code).toBe(
      'upstream_malformed_body',
    );
    expect(text).not.toContain('[DONE]');
    expect(records[0]?.abortReason).toBe('upstream_error');
  });

  it('ends a stream that breaks mid-way with an in-band error after the last complete frame', async () => {
    const bytes = fixture('openai-chat/stream-basic.sse.txt');
    const cut = bytes.indexOf('Red') + 10;
    const up = new FakeUpstream(() => ({
      headers: SSE,
      chunks: [
        bytes.subarray(0, cut),
        Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
      ],
    }));
    const { post, records } = testApp({ upstream: up });
    const text = await (await post(CHAT, chatBody({ stream: true }))).text();
    const lastBoundary = bytes.subarray(0, cut).lastIndexOf('\n\n') + 2;
    expect(text.startsWith(bytes.subarray(0, lastBoundary).toString())).toBe(true);
    expect(text.slice(lastBoundary)).toMatch(
      /^data: \{"error":\{"message":"upstream stream broke off".*"code":"upstream_stream_broken"\}\}\n\n$/,
    );
    expect(records[0]?.abortReason).toBe('upstream_error');
  });

  it('reports a stream that ends without [DONE] instead of truncating silently', async () => {
    const bytes = fixture('openai-chat/stream-basic.sse.txt')
      .toString()
      .replace('data: [DONE]\n\n', '');
    const up = new FakeUpstream(() => ({ headers: SSE, chunks: [bytes] }));
    const { post } = testApp({ upstream: up });
    const text = await (await post(CHAT, chatBody({ stream: true }))).text();
    expect(text.startsWith(bytes)).toBe(true);
    expect(text.slice(bytes.length)).toContain('upstream ended the stream before completing it');
  });

  it('sends a decoded stream when the upstream compressed it', async () => {
    const bytes = fixture('openai-chat/stream-basic.sse.txt');
    const up = new FakeUpstream(() => ({
      headers: { ...SSE, 'content-encoding': 'gzip' },
      chunks: chunked(gzipSync(bytes), [50]),
    }));
    const { post } = testApp({ upstream: up });
    const res = await post(CHAT, chatBody({ stream: true }), { 'accept-encoding': 'gzip' });
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    expect(up.calls[0]?.headers['accept-encoding']).toBe('gzip');
  });

  it('inspects a gzip JSON body decoded and relays it as sent', async () => {
    const gz = gzipSync(fixture('openai-chat/completion.json'));
    const up = new FakeUpstream(() => ({
      headers: { ...JSON_CT, 'content-encoding': 'gzip' },
      chunks: [gz],
    }));
    const { post, records } = testApp({ upstream: up });
    const res = await post(CHAT, chatBody(), { 'accept-encoding': 'gzip' });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(records[0]?.responseModel).toBe('gpt-4o-mini-2024-07-18');
  });

  it('rejects a corrupt gzip body with a 502', async () => {
    const up = new FakeUpstream(() => ({
      headers: { ...JSON_CT, 'content-encoding': 'gzip' },
      chunks: ['not gzip at all'],
    }));
    const res = await testApp({ upstream: up }).post(CHAT, chatBody());
    expect(res.status).toBe(502);
    expect((await errorOf(res)).code).toBe('upstream_malformed_body');
  });

  it('passes upstream error statuses through unchanged', async () => {
    const body =
      '{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}';
    const up = new FakeUpstream(() => ({
      status: 429,
      headers: { ...JSON_CT, 'retry-after': '2' },
      chunks: [body],
    }));
    const res = await testApp({ upstream: up }).post(CHAT, chatBody());
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await res.text()).toBe(body);
  });

  it.each([
    ['invalid JSON request', 'this is not json', {}, 400, 'request_invalid_json'],
    [
      'body over the limit',
      JSON.stringify(chatBody({ pad: 'x'.repeat(2000) })),
      { limits: { request_body: 1000 } },
      413,
      'request_body_too_large',
    ],
  ])('answers %s in OpenAI format', async (_n, body, config, status, code) => {
    const up = new FakeUpstream(() => ({ chunks: ['{}'] }));
    const res = await testApp({ upstream: up, config }).post(CHAT, body);
    expect(res.status).toBe(status);
    expect(await errorOf(res)).toMatchObject({ code, type: 'invalid_request_error' });
    expect(up.calls).toHaveLength(0);
  });

  it.each([
    [
      'connect failure',
      new CoalmineError('UPSTREAM_CONNECT_FAILED', 'upstream "up" is unreachable'),
      502,
    ],
    [
      'first-byte timeout',
      new CoalmineError('UPSTREAM_FIRST_BYTE_TIMEOUT', 'upstream "up" did not answer in time'),
      504,
    ],
  ])('answers an upstream %s with %i', async (_n, err, status) => {
    const res = await testApp({ upstream: new FakeUpstream(() => err) }).post(CHAT, chatBody());
    expect(res.status).toBe(status);
    expect((await errorOf(res)).message).toBe(err.message);
  });

  it('passes unknown routes through, or rejects them when configured', async () => {
    const up = new FakeUpstream(() => ({
      headers: { 'content-type': 'text/plain' },
      chunks: ['model list'],
    }));
    const pass = await testApp({ upstream: up }).app.request('/v1/models');
    expect(pass.status).toBe(200);
    expect(await pass.text()).toBe('model list');
    const reject = await testApp({
      upstream: up,
      config: { unknown_routes: 'reject' },
    }).app.request('/v1/models');
    expect(reject.status).toBe(404);
    expect((await errorOf(reject)).code).toBe('route_not_found');
  });

  it('answers 404 when no upstream prefix matches', async () => {
    const up = new FakeUpstream(() => ({ chunks: ['{}'] }));
    const res = await testApp({
      upstream: up,
      config: { upstreams: [{ name: 'up', url: 'http://u', prefix: '/openai' }] },
    }).post(CHAT, chatBody());
    expect(res.status).toBe(404);
    expect(up.calls).toHaveLength(0);
  });

  it('replaces the client key with the configured one', async () => {
    const up = new FakeUpstream(() => ({ chunks: [fixture('openai-chat/completion.json')] }));
    const { post } = testApp({
      upstream: up,
      config: { upstreams: [{ name: 'up', url: 'http://u', api_key: 'sk-proxy-held' }] },
    });
    await post(CHAT, chatBody(), { authorization: 'Bearer sk-client' });
    expect(up.calls[0]?.headers['authorization']).toBe('Bearer sk-proxy-held');
  });
});
