/**
 * Hostile upstream streams: endless, decompression bombs, out-of-range indexes. Each must end
 * with the provider's in-band error and a clean end, the upstream aborted, and the proxy
 * serving the next request.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../../src/main.js';
import type { HostileUpstream, Script } from '../helpers/hostile-upstream.js';
import {
  chatEvent,
  hostileUpstream,
  send,
  SSE_HEADERS,
  STREAM_REQUEST,
} from '../helpers/hostile-upstream.js';
import { eventually, metricsText, startProxy } from '../helpers/proxy.js';

const LIMIT = 1024 * 1024;

/** The script of the current test, so one upstream and one proxy serve the whole file. */
let script: Script = (_req, res) => res.end();
let up: HostileUpstream;
let proxy: Running;

beforeAll(async () => {
  up = await hostileUpstream((req, res, body) => script(req, res, body));
  proxy = await startProxy({
    upstreams: [{ name: 'h', url: up.url }],
    limits: { response_body: LIMIT },
  });
});
afterAll(async () => {
  await proxy.shutdown();
  await up.close();
});

async function post(body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: res.status, text: await res.text() };
}

/** The in-band error event that ends a chat stream, parsed. */
function lastError(text: string): { code?: string } | undefined {
  const events = text.split('\n\n').filter((e) => e.startsWith('data: {'));
  const last = events.at(-1);
  if (!last) return undefined;
  return (JSON.parse(last.slice(6)) as { error?: { code?: string } }).error;
}

async function stillServing(): Promise<void> {
  script = async (_req, res) => {
    res.writeHead(200, SSE_HEADERS);
    await send(res, chatEvent('fine'));
    await send(res, chatEvent('', { finish: 'stop' }));
    res.end('data: [DONE]\n\n');
  };
  const r = await post(STREAM_REQUEST);
  expect(r.status).toBe(200);
  expect(r.text).toContain('"fine"');
  expect(r.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
}

describe('a stream is bounded like a buffered body', () => {
  it.each([
    ['plain', false],
    ['gzip', true],
  ])(
    'an endless %s stream ends with response_too_large and the upstream is aborted',
    async (_n, gz) => {
      const abortedBefore = up.aborted;
      let sent = 0;
      // 64 KB of events per block; gzip members concatenate into one valid gzip stream, so a
      // few KB on the wire decode to megabytes (a decompression bomb).
      const block = Buffer.from(
        Array.from({ length: 1000 }, (_, i) => chatEvent(`w${i} `)).join(''),
      );
      const wire = gz ? gzipSync(block) : block;
      script = async (_req, res) => {
        res.writeHead(200, gz ? { ...SSE_HEADERS, 'content-encoding': 'gzip' } : SSE_HEADERS);
        try {
          for (;;) {
            await send(res, wire);
            sent += wire.length;
          }
        } catch {
          // the proxy hung up: what we want
        }
      };
      const r = await post(STREAM_REQUEST);
      expect(r.status).toBe(200);
      expect(lastError(r.text)?.code).toBe('response_too_large');
      expect(r.text.length).toBeLessThan(LIMIT + 64 * 1024);
      await eventually(() => up.aborted > abortedBefore);
      // The upstream was stopped soon after the limit (what loopback socket buffers took in
      // meanwhile aside), not left to run.
      expect(sent).toBeLessThan(32 * LIMIT);
      await eventually(async () =>
        /coalmine_stream_aborts_total\{reason="too_large"\} [1-9]/.test(await metricsText(proxy)),
      );
      await stillServing();
    },
  );

  it('a buffered decompression bomb is refused with response_too_large', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * LIMIT, 0x20));
    expect(bomb.length).toBeLessThan(LIMIT / 4);
    script = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(bomb);
    };
    const r = await post(JSON.stringify({ model: 'm', messages: [] }));
    expect(r.status).toBe(502);
    expect((JSON.parse(r.text) as { error: { code: string } }).error.code).toBe(
      'response_too_large',
    );
    await stillServing();
  });
});

describe('upstream error bodies are bounded too', () => {
  it('an error body that decompresses past the limit is refused with response_too_large', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * LIMIT, 0x20));
    script = (_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(bomb);
    };
    const r = await post(JSON.stringify({ model: 'm', messages: [] }));
    expect(r.status).toBe(502);
    expect((JSON.parse(r.text) as { error: { code: string } }).error.code).toBe(
      'response_too_large',
    );
    await stillServing();
  });
});

describe('indexes a client could never have asked for', () => {
  it.each([
    ['choice', `data: {"id":"x","choices":[{"index":4294967294,"delta":{"content":"a"}}]}\n\n`],
    [
      'tool call',
      `data: {"id":"x","choices":[{"index":0,"delta":{"tool_calls":[{"index":99999999,"id":"c","function":{"name":"f","arguments":"{}"}}]}}]}\n\n`,
    ],
  ])('a %s index out of range fails the stream closed, quickly', async (_n, frame) => {
    script = async (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      await send(res, chatEvent('hello '));
      await send(res, frame);
      res.end('data: [DONE]\n\n');
    };
    const t0 = performance.now();
    const r = await post(STREAM_REQUEST);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(lastError(r.text)?.code).toBe('upstream_malformed_body');
    await stillServing();
  });
});

describe('tool calls out of order', () => {
  it('a call resumed after the next one began fails the stream closed; no piece of its key leaks', async () => {
    const GHP = 'ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5';
    const tc = (index: number, args: string, id?: string) =>
      `data: ${JSON.stringify({
        id: 'x',
        choices: [
          {
            index: 0,
            delta: {
              tool_calls: [
                {
                  index,
                  ...(id
                    ? { id, function: { name: 'f', arguments: args } }
                    : { function: { arguments: args } }),
                },
              ],
            },
          },
        ],
      })}\n\n`;
    script = async (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      await send(res, tc(0, `{"k":"${GHP.slice(0, 30)}`, 'c0'));
      await send(res, tc(1, '{}', 'c1'));
      await send(res, tc(0, `${GHP.slice(30)}"}`));
      await send(
        res,
        `data: {"id":"x","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}\n\n`,
      );
      res.end('data: [DONE]\n\n');
    };
    const r = await post(STREAM_REQUEST);
    expect(r.text).not.toContain(GHP.slice(4, 20));
    expect(r.text).not.toContain(GHP.slice(30));
    expect(lastError(r.text)?.code).toBe('upstream_malformed_body');
    await stillServing();
  });
});

describe('a choice held for a whole-answer rule is bounded', () => {
  it('past checks.max_scan_chars the rule fails with its action, nothing held is released', async () => {
    const held = await hostileUpstream(async (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      try {
        await send(res, chatEvent('{"answer": "'));
        for (let i = 0; i < 100_000; i++) await send(res, chatEvent('padding '));
        await send(res, chatEvent('"}'));
        await send(res, chatEvent('', { finish: 'stop' }));
        res.end('data: [DONE]\n\n');
      } catch {
        // aborted by the proxy
      }
    });
    const p = await startProxy(
      {
        upstreams: [{ name: 'h', url: held.url }],
        policies: ['json.yaml'],
        checks: { max_scan_chars: 20_000 },
      },
      {
        'json.yaml': [
          'name: contract',
          'rules:',
          '  - id: json-answer',
          '    check: json-schema',
          '    params: { schema: { type: object, required: [answer] } }',
          '    action: block',
        ].join('\n'),
      },
    );
    try {
      const res = await fetch(`${p.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: STREAM_REQUEST,
      });
      const text = await res.text();
      expect(text).not.toContain('padding');
      expect(text).toContain('json-answer');
      expect(text).not.toContain('[DONE]');
      await eventually(() => held.aborted > 0);
    } finally {
      await p.shutdown();
      await held.close();
    }
  });
});
