/**
 * The simulator on a real socket: `[sim:say]` in every wire format (streamed and not),
 * unknown directives answered with 400 in the format's error shape, the model listings,
 * Ollama-shaped 404s, and `coalmine sim --help` / `--scenario` from the built CLI.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim } from '../../src/sim/server.js';
import type { SimServer } from '../../src/sim/server.js';
import { VALID_DIRECTIVES } from '../../src/sim/scenario.js';
import { runCli } from '../helpers/cli.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Format {
  name: string;
  path: string;
  body(prompt: string, stream: boolean): Json;
  /** The answer text of a non-streamed body. */
  text(body: Json): string;
  /** The text pieces of a stream's content events. */
  pieces(raw: string): string[];
  /** The error message of an error body (asserting the format's error shape). */
  errorMessage(body: Json): string;
}

const sseData = (raw: string): Json[] =>
  raw
    .split('\n')
    .filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]')
    .map((l) => JSON.parse(l.slice(6)) as Json);
const ndjson = (raw: string): Json[] =>
  raw
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Json);
/** A non-empty text as a one-element list (flatMap keeps the content events only). */
const str = (v: unknown): string[] => (typeof v === 'string' && v ? [v] : []);
const openAiError = (b: Json): string => {
  expect(b['error']).toMatchObject({ type: 'invalid_request_error' });
  return b['error'].message as string;
};
const user = (prompt: string) => [{ role: 'user', content: prompt }];

const FORMATS: Format[] = [
  {
    name: 'OpenAI chat',
    path: '/v1/chat/completions',
    body: (p, stream) => ({ model: 'gpt-4o-mini', messages: user(p), stream }),
    text: (b) => b['choices'][0].message.content as string,
    pieces: (raw) => sseData(raw).flatMap((e) => str(e['choices'][0]?.delta?.content)),
    errorMessage: openAiError,
  },
  {
    name: 'OpenAI completions',
    path: '/v1/completions',
    body: (p, stream) => ({ model: 'gpt-3.5-turbo-instruct', prompt: p, stream }),
    text: (b) => b['choices'][0].text as string,
    pieces: (raw) => sseData(raw).flatMap((e) => str(e['choices'][0]?.text)),
    errorMessage: openAiError,
  },
  {
    name: 'OpenAI responses',
    path: '/v1/responses',
    body: (p, stream) => ({ model: 'gpt-4o-mini', input: p, stream }),
    text: (b) => b['output'][0].content[0].text as string,
    pieces: (raw) =>
      sseData(raw).flatMap((e) =>
        str(e['type'] === 'response.output_text.delta' ? e['delta'] : null),
      ),
    errorMessage: openAiError,
  },
  {
    name: 'Anthropic messages',
    path: '/v1/messages',
    body: (p, stream) => ({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: user(p),
      stream,
    }),
    text: (b) => b['content'][0].text as string,
    pieces: (raw) =>
      sseData(raw).flatMap((e) =>
        str(e['type'] === 'content_block_delta' ? e['delta'].text : null),
      ),
    errorMessage: (b) => {
      expect(b).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      return b['error'].message as string;
    },
  },
  {
    name: 'Ollama chat',
    path: '/api/chat',
    body: (p, stream) => ({ model: 'llama3.2', messages: user(p), stream }),
    text: (b) => b['message'].content as string,
    pieces: (raw) => ndjson(raw).flatMap((e) => str(e['message'].content)),
    errorMessage: (b) => {
      expect(typeof b['error']).toBe('string');
      return b['error'] as string;
    },
  },
  {
    name: 'Ollama generate',
    path: '/api/generate',
    body: (p, stream) => ({ model: 'llama3.2', prompt: p, stream }),
    text: (b) => b['response'] as string,
    pieces: (raw) => ndjson(raw).flatMap((e) => str(e['response'])),
    errorMessage: (b) => {
      expect(typeof b['error']).toBe('string');
      return b['error'] as string;
    },
  },
];

let sim: SimServer;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(() => sim.close());

const post = (path: string, body: Json, headers: Record<string, string> = {}) =>
  fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

const SAID = 'Hello there, canary: exactly *this* text.\n  Second line.';
const CASES = FORMATS.flatMap((f) => [
  { f, stream: false },
  { f, stream: true },
]);

describe('[sim:say] answers with exactly the text after the tag', () => {
  it.each(CASES)('$f.name, stream: $stream', async ({ f, stream }) => {
    const r = await post(f.path, f.body(`[sim:say] ${SAID}`, stream));
    expect(r.status).toBe(200);
    if (!stream) return expect(f.text((await r.json()) as Json)).toBe(SAID);
    const pieces = f.pieces(await r.text());
    expect(pieces.join('')).toBe(SAID);
    expect(pieces.length).toBeGreaterThan(1);
  });

  it.each(FORMATS)('$name: with chunks=3, in three events', async (f) => {
    const r = await post(f.path, f.body(`[sim:say,chunks=3]${SAID}`, true));
    expect(f.pieces(await r.text())).toHaveLength(3);
  });

  it('takes the last user message, and the header form says the whole message', async () => {
    const messages = [
      { role: 'user', content: '[sim:say] first' },
      { role: 'assistant', content: 'first' },
      { role: 'user', content: '[sim:say] second' },
    ];
    const r = await post('/v1/chat/completions', { model: 'm', messages });
    expect(((await r.json()) as Json)['choices'][0].message.content).toBe('second');
    const h = await post(
      '/v1/chat/completions',
      { model: 'm', messages: user('echo me') },
      {
        'x-sim-scenario': 'say',
      },
    );
    expect(((await h.json()) as Json)['choices'][0].message.content).toBe('echo me');
  });
});

describe('an unknown directive is a 400 in the format’s error shape, listing the valid ones', () => {
  it.each(CASES)('$f.name, stream: $stream', async ({ f, stream }) => {
    const r = await post(f.path, f.body('[sim:chunkz=5] Hello', stream));
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/json');
    const message = f.errorMessage((await r.json()) as Json);
    expect(message).toContain('unknown simulator directive "chunkz=5"');
    expect(message).toContain(VALID_DIRECTIVES);
  });

  it('in the x-sim-scenario header, with the stable code where the shape has one', async () => {
    const r = await post(
      '/v1/chat/completions',
      { model: 'm', messages: user('hi') },
      {
        'x-sim-scenario': 'slow=abc',
      },
    );
    expect(r.status).toBe(400);
    expect(((await r.json()) as Json)['error']).toMatchObject({ code: 'SIM_INVALID_VALUE' });
  });

  it('in POST /_sim/config, which keeps the previous setting', async () => {
    const bad = await post('/_sim/config', { scenario: 'swap-modle' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Json)['error']).toMatchObject({ code: 'SIM_UNKNOWN_DIRECTIVE' });
    expect(() => sim.setScenario('drfit')).toThrow(/--scenario:1:1: unknown simulator directive/);
    const r = await post('/v1/chat/completions', { model: 'm', messages: user('hi') });
    expect(r.status).toBe(200);
  });
});

describe('listings and 404s', () => {
  it('GET /v1/models is an OpenAI model list', async () => {
    const r = await fetch(`${sim.url}/v1/models`);
    expect(r.status).toBe(200);
    const b = (await r.json()) as Json;
    expect(b['object']).toBe('list');
    expect(b['data'].length).toBeGreaterThan(0);
    for (const m of b['data'] as Json[])
      expect(m).toEqual({
        id: expect.any(String),
        object: 'model',
        created: expect.any(Number),
        owned_by: expect.any(String),
      });
    const one = (await (await fetch(`${sim.url}/v1/models/gpt-4o-mini`)).json()) as Json;
    expect(one).toMatchObject({ id: 'gpt-4o-mini', object: 'model' });
  });

  it('GET /v1/models with anthropic-version is an Anthropic model list', async () => {
    const r = await fetch(`${sim.url}/v1/models`, {
      headers: { 'anthropic-version': '2023-06-01' },
    });
    const b = (await r.json()) as Json;
    expect(b).toMatchObject({ has_more: false, first_id: expect.any(String) });
    for (const m of b['data'] as Json[])
      expect(m).toMatchObject({ type: 'model', id: expect.any(String) });
  });

  it('GET /api/tags is an Ollama model list', async () => {
    const r = await fetch(`${sim.url}/api/tags`);
    expect(r.status).toBe(200);
    const b = (await r.json()) as Json;
    expect(b['models'].length).toBeGreaterThan(0);
    for (const m of b['models'] as Json[])
      expect(m).toMatchObject({
        name: expect.stringContaining(':'),
        model: expect.any(String),
        details: { format: 'gguf' },
      });
  });

  it.each([
    ['/api/pull', 'POST', (b: Json) => expect(typeof b['error']).toBe('string')],
    ['/api/nope', 'GET', (b: Json) => expect(typeof b['error']).toBe('string')],
    ['/v1/nope', 'POST', (b: Json) => expect(typeof b['error'].message).toBe('string')],
  ])('%s (%s) is a 404 in the path’s shape', async (path, method, shape) => {
    const r = await fetch(`${sim.url}${path}`, {
      method,
      ...(method === 'POST' ? { body: '{}' } : {}),
    });
    expect(r.status).toBe(404);
    shape((await r.json()) as Json);
  });
});

describe('the real SDKs', () => {
  it('openai: models.list() and a streamed [sim:say]', async () => {
    const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'none', maxRetries: 0 });
    const models = [];
    for await (const m of client.models.list()) models.push(m.id);
    expect(models).toContain('gpt-4o-mini');
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: `[sim:say] ${SAID}` }],
      stream: true,
    });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    expect(text).toBe(SAID);
  });

  it('openai: an unknown directive is a typed BadRequestError', async () => {
    const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'none', maxRetries: 0 });
    await expect(
      client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: '[sim:chunkz=5] hi' }],
      }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('@anthropic-ai/sdk: models.list() and a streamed [sim:say]', async () => {
    const client = new Anthropic({ baseURL: sim.url, apiKey: 'sk-ant-none', maxRetries: 0 });
    const models = [];
    for await (const m of client.models.list()) models.push(m.id);
    expect(models).toContain('claude-sonnet-4-5');
    const stream = client.messages.stream({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: `[sim:say] ${SAID}` }],
    });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'text', text: SAID });
  });

  it('ollama: list() and a streamed [sim:say]; a 404 is a ResponseError with the message', async () => {
    const client = new Ollama({ host: sim.url });
    expect((await client.list()).models.map((m) => m.name)).toContain('llama3.2:latest');
    let text = '';
    const stream = await client.chat({
      model: 'llama3.2',
      messages: [{ role: 'user', content: `[sim:say] ${SAID}` }],
      stream: true,
    });
    for await (const part of stream) text += part.message.content;
    expect(text).toBe(SAID);
    await expect(client.pull({ model: 'llama3.2' })).rejects.toThrow(/simulator has no route/);
  });
});

describe('coalmine sim (built CLI)', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'coalmine-sim-'));

  it('--help lists every scenario directive', async () => {
    const p = runCli(['sim', '--help'], { cwd });
    expect(await p.exited).toBe(0);
    for (const d of VALID_DIRECTIVES.split(', ')) expect(p.stdout()).toContain(`  ${d} `);
  });

  it('an unknown --scenario fails with the valid ones', async () => {
    const p = runCli(['sim', '--port', '0', '--scenario', 'impostr'], { cwd });
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toContain('unknown simulator directive "impostr"');
    expect(p.stderr()).toContain(VALID_DIRECTIVES);
  });
});
