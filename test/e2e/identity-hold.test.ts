/**
 * Issue 19, item 1: nothing from a mismatched pinned model reaches a client when the upstream's
 * quarantine action is `block` and an identity change is among its triggers. The simulator
 * swaps its model for one request (`x-sim-scenario: swap-model`); in every wire format, buffered
 * and streamed, that very answer is refused with 423 `model_quarantined` before any byte of it
 * is sent, and the model is quarantined. A stream whose model shows only after bytes went out
 * (a hostile upstream) ends with the in-band error.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../../src/main.js';
import type { SimServer } from '../../src/sim/server.js';
import { startSim } from '../../src/sim/server.js';
import { chatEvent, hostileUpstream, send, SSE_HEADERS } from '../helpers/hostile-upstream.js';
import type { HostileUpstream } from '../helpers/hostile-upstream.js';
import { adminFetch, startProxy } from '../helpers/proxy.js';

type Json = Record<string, unknown>;

interface Format {
  name: string;
  path: string;
  model: string;
  body(stream: boolean): Json;
  /** The error code the provider's error body carries. */
  code(body: Json): unknown;
}

const ask = 'What is the capital of France?';
const user = [{ role: 'user', content: ask }];
const openAiCode = (b: Json) => (b['error'] as Json | undefined)?.['code'];
const messageCode = (b: Json) => {
  const e = b['error'];
  const m = typeof e === 'string' ? e : ((e as Json | undefined)?.['message'] as string);
  return /\[model_quarantined\]/.test(m ?? '') ? 'model_quarantined' : m;
};

const FORMATS: Format[] = [
  {
    name: 'OpenAI chat',
    path: '/v1/chat/completions',
    model: 'gpt-4o-mini',
    body: (stream) => ({ model: 'gpt-4o-mini', messages: user, stream }),
    code: openAiCode,
  },
  {
    name: 'OpenAI completions',
    path: '/v1/completions',
    model: 'gpt-3.5-turbo-instruct',
    body: (stream) => ({ model: 'gpt-3.5-turbo-instruct', prompt: ask, stream }),
    code: openAiCode,
  },
  {
    name: 'OpenAI responses',
    path: '/v1/responses',
    model: 'gpt-4o',
    body: (stream) => ({ model: 'gpt-4o', input: ask, stream }),
    code: openAiCode,
  },
  {
    name: 'Anthropic messages',
    path: '/v1/messages',
    model: 'claude-sonnet-4-5',
    body: (stream) => ({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: user, stream }),
    code: messageCode,
  },
  {
    name: 'Ollama chat',
    path: '/api/chat',
    model: 'llama3.2',
    body: (stream) => ({ model: 'llama3.2', messages: user, stream }),
    code: messageCode,
  },
  {
    name: 'Ollama generate',
    path: '/api/generate',
    model: 'qwen2.5',
    body: (stream) => ({ model: 'qwen2.5', prompt: ask, stream }),
    code: messageCode,
  },
];

describe('a swapped pinned model serves nothing', () => {
  let sim: SimServer;
  let proxy: Running;

  beforeAll(async () => {
    sim = await startSim();
    proxy = await startProxy({
      upstreams: [
        {
          name: 'sim',
          url: sim.url,
          models: Object.fromEntries(FORMATS.map((f) => [f.model, { expect_model: f.model }])),
          quarantine: { on: ['identity_mismatch', 'fingerprint_change'], action: 'block' },
        },
      ],
      canary: { schedule: false },
    });
  });

  afterAll(async () => {
    await proxy?.shutdown();
    await sim?.close();
  });

  const post = (f: Format, stream: boolean, swapped: boolean) =>
    fetch(`${proxy.url}${f.path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
        ...(swapped ? { 'x-sim-scenario': 'swap-model' } : {}),
      },
      body: JSON.stringify(f.body(stream)),
    });

  const held = async () =>
    (
      (await (await adminFetch(proxy, '/admin/quarantine')).json()) as {
        quarantined: { model: string; reason: string }[];
      }
    ).quarantined;

  for (const f of FORMATS)
    for (const stream of [false, true])
      it(`${f.name}, ${stream ? 'streamed' : 'buffered'}: the answer that shows the swap is refused`, async () => {
        // The real model passes, and its answer is the one pinned.
        const ok = await post(f, stream, false);
        expect([ok.status, ok.headers.get('x-coalmine-decision')]).toEqual([200, 'pass']);
        expect(await ok.text()).toMatch(/Paris/);
        expect(await held()).toEqual([]);

        const swapped = await post(f, stream, true);
        const text = await swapped.text();
        expect(swapped.status).toBe(423);
        expect(swapped.headers.get('x-coalmine-decision')).toBe('quarantined');
        expect(swapped.headers.get('x-coalmine-quarantined')).toBe('identity_mismatch');
        expect(swapped.headers.get('x-should-retry')).toBe('false');
        expect(swapped.headers.get('content-type')).toMatch(/application\/json/);
        // Not one byte of the swapped model's answer.
        expect(text).not.toMatch(/Paris|sim-swapped|data:/);
        expect(f.code(JSON.parse(text) as Json)).toBe('model_quarantined');
        expect(await held()).toEqual([
          expect.objectContaining({ model: f.model, reason: 'identity_mismatch' }),
        ]);

        const release = await adminFetch(proxy, '/admin/quarantine/release', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ upstream: 'sim', model: f.model }),
        });
        expect(release.status).toBe(200);
      });
});

describe('what the real SDKs show for a swapped model', () => {
  let sim: SimServer;
  let proxy: Running;
  const SWAP = { 'x-sim-scenario': 'swap-model' };

  beforeAll(async () => {
    sim = await startSim();
    proxy = await startProxy({
      upstreams: [
        {
          name: 'sim',
          url: sim.url,
          models: {
            'gpt-4o-mini': { expect_model: 'gpt-4o-mini' },
            'claude-sonnet-4-5': { expect_model: 'claude-sonnet-4-5' },
          },
          quarantine: { on: ['identity_mismatch'], action: 'block' },
        },
      ],
      canary: { schedule: false },
    });
  });

  afterAll(async () => {
    await proxy?.shutdown();
    await sim?.close();
  });

  const release = (model: string) =>
    adminFetch(proxy, '/admin/quarantine/release', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ upstream: 'sim', model }),
    });

  it.each([false, true])(
    'openai: a typed 423 model_quarantined, no text (stream %s)',
    async (stream) => {
      const client = new OpenAI({
        baseURL: `${proxy.url}/v1`,
        apiKey: 'sk-test',
        defaultHeaders: SWAP,
      });
      const texts: string[] = [];
      const run = async () => {
        if (!stream) {
          const r = await client.chat.completions.create({
            model: 'gpt-4o-mini',
            messages: [{ role: 'user', content: ask }],
          });
          texts.push(r.choices[0]?.message.content ?? '');
          return;
        }
        const s = await client.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: ask }],
          stream: true,
        });
        for await (const c of s) texts.push(c.choices[0]?.delta.content ?? '');
      };
      const err = await run().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(423);
      expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('model_quarantined');
      expect(texts.join('')).toBe('');
      expect((await release('gpt-4o-mini')).status).toBe(200);
    },
  );

  it('anthropic, streamed: a typed 423 naming model_quarantined, no text', async () => {
    const client = new Anthropic({
      baseURL: proxy.url,
      apiKey: 'sk-ant-test',
      defaultHeaders: SWAP,
    });
    const texts: string[] = [];
    const err = await (async () => {
      const s = client.messages.stream({
        model: 'claude-sonnet-4-5',
        max_tokens: 64,
        messages: [{ role: 'user', content: ask }],
      });
      s.on('text', (t) => texts.push(t));
      await s.finalMessage();
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(423);
    expect(String((err as Error).message)).toMatch(/model_quarantined/);
    expect(texts.join('')).toBe('');
    expect((await release('claude-sonnet-4-5')).status).toBe(200);
  });
});

describe('a model that shows only after bytes went out', () => {
  let upstream: HostileUpstream;
  let proxy: Running;

  beforeAll(async () => {
    upstream = await hostileUpstream(async (_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      // 80 KB of text in events that name no model, then an event naming another model.
      const anonymous = chatEvent('x'.repeat(1000)).replace('"model":"gpt-4o-mini",', '');
      for (let i = 0; i < 80; i++) await send(res, anonymous);
      await send(res, chatEvent(' tail', { model: 'impostor-1' }));
      await send(res, chatEvent('', { finish: 'stop', model: 'impostor-1' }));
      res.end('data: [DONE]\n\n');
    });
    proxy = await startProxy({
      upstreams: [
        {
          name: 'h',
          url: upstream.url,
          models: { 'gpt-4o-mini': { expect_model: 'gpt-4o-mini' } },
          quarantine: { on: ['identity_mismatch'], action: 'block' },
        },
      ],
      policies: [],
    });
  });

  afterAll(async () => {
    await proxy?.shutdown();
    await upstream?.close();
  });

  it('flows after the bounded wait, then ends with the in-band error where the model shows', async () => {
    const r = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: user }),
    });
    expect(r.status).toBe(200);
    const text = await r.text();
    const events = text
      .split('\n\n')
      .filter((e) => e.startsWith('data: {'))
      .map((e) => JSON.parse(e.slice(6)) as Json);
    expect(events.at(-1)).toMatchObject({ error: { code: 'model_quarantined' } });
    expect(text).not.toContain('impostor-1');
    expect(text).not.toContain(' tail');
  });
});
