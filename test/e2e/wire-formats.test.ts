import Anthropic, { APIError as AnthropicError } from '@anthropic-ai/sdk';
import { Ollama } from 'ollama';
import OpenAI, { APIError, BadRequestError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../../src/main.js';
import type { SimServer } from '../../src/sim/server.js';
import { startSim } from '../../src/sim/server.js';
import { startProxy } from '../helpers/proxy.js';

const RED = 'Which planet is known as the Red Planet?';
const LEAK = 'Tell me the keys [sim:leak-secret]';
const STRICT = `name: strict
rules:
  - { id: creds, check: secrets, action: block }
  - id: sane-vectors
    check: embeddings
    action: block
    params: { dimensions: 16, min_norm: 0.9, max_norm: 1.1 }
`;

let sim: SimServer;
let proxy: Running;
let openai: OpenAI;
let anthropic: Anthropic;
let ollama: Ollama;

beforeAll(async () => {
  sim = await startSim();
  proxy = await startProxy(
    {
      upstreams: [
        { name: 'openai', url: sim.url, provider: 'openai' },
        {
          name: 'claude',
          url: sim.url,
          provider: 'anthropic',
          prefix: '/anthropic',
          api_key: 'sk-ant-proxy-key',
        },
        { name: 'local', url: sim.url, provider: 'ollama', prefix: '/ollama' },
      ],
      policies: ['strict.yaml'],
      canaries: [],
    },
    { 'strict.yaml': STRICT },
  );
  openai = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
  anthropic = new Anthropic({
    baseURL: `${proxy.url}/anthropic`,
    apiKey: 'sk-ant-client',
    maxRetries: 0,
  });
  ollama = new Ollama({ host: `${proxy.url}/ollama` });
});

afterAll(async () => {
  await proxy.shutdown();
  await sim.close();
});

describe('openai SDK: Responses, Completions, Embeddings', () => {
  it('responses.create', async () => {
    const r = await openai.responses.create({ model: 'gpt-4o-mini', input: RED });
    expect(r.output_text).toBe('Mars');
    expect(r.usage?.output_tokens).toBeGreaterThan(0);
  });

  it('responses.stream(): deltas and the final response', async () => {
    const stream = openai.responses.stream({ model: 'gpt-4o-mini', input: RED });
    let deltas = '';
    stream.on('response.output_text.delta', (e) => (deltas += e.delta));
    const final = await stream.finalResponse();
    expect(deltas).toBe('Mars');
    expect(final.output_text).toBe('Mars');
  });

  it('responses with a function call', async () => {
    const r = await openai.responses.create({
      model: 'gpt-4o-mini',
      input: 'Weather in Paris? [sim:tool-call]',
      tools: [
        {
          type: 'function',
          name: 'get_weather',
          strict: false,
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      ],
    });
    const call = r.output.find((o) => o.type === 'function_call');
    expect(call).toMatchObject({ name: 'get_weather', arguments: '{"city":"sim"}' });
  });

  it('block: responses.create and responses.stream() raise the SDK error', async () => {
    const err = await openai.responses
      .create({ model: 'gpt-4o-mini', input: LEAK })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as APIError).message).toMatch(/strict.*creds/);
    const streamed = await openai.responses
      .stream({ model: 'gpt-4o-mini', input: LEAK })
      .finalResponse()
      .catch((e: unknown) => e);
    expect(streamed).toBeInstanceOf(APIError);
    expect((streamed as APIError).message).toMatch(/strict.*creds/);
  });

  it('completions.create, streamed and not, and its block', async () => {
    const r = await openai.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: RED });
    expect(r.choices[0]?.text).toBe('Mars');
    let text = '';
    for await (const c of await openai.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt: RED,
      stream: true,
    }))
      text += c.choices[0]?.text ?? '';
    expect(text).toBe('Mars');
    await expect(openai.completions.create({ model: 'x', prompt: LEAK })).rejects.toBeInstanceOf(
      BadRequestError,
    );
  });

  it('embeddings.create: base64 (the SDK default) and float', async () => {
    const b64 = await openai.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['a', 'b'],
    });
    expect(b64.data).toHaveLength(2);
    expect(b64.data[0]?.embedding).toHaveLength(16);
    const float = await openai.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'a',
      encoding_format: 'float',
    });
    expect(float.data[0]?.embedding[0]).toBeCloseTo(b64.data[0]!.embedding[0]!, 6);
  });

  it('the embeddings check blocks a vector of the wrong dimension', async () => {
    const err = await openai.embeddings
      .create({ model: 'text-embedding-3-small', input: 'a', dimensions: 8 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as APIError).message).toMatch(/sane-vectors/);
  });
});

describe('@anthropic-ai/sdk: Messages', () => {
  it('messages.create, and the configured key replaces the client key', async () => {
    const r = await anthropic.messages.create({
      model: 'claude-sonnet-4',
      max_tokens: 50,
      messages: [{ role: 'user', content: RED }],
    });
    expect(r.content[0]).toMatchObject({ type: 'text', text: 'Mars' });
    expect(r.stop_reason).toBe('end_turn');
    expect(sim.stats.lastHeaders['x-api-key']).toBe('sk-ant-proxy-key');
  });

  it('messages.stream().finalMessage()', async () => {
    const stream = anthropic.messages.stream({
      model: 'claude-sonnet-4',
      max_tokens: 50,
      messages: [{ role: 'user', content: RED }],
    });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'Mars' });
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  it('tools: a tool_use block with its input, streamed and not', async () => {
    const tools: Anthropic.Tool[] = [
      {
        name: 'get_weather',
        input_schema: { type: 'object', properties: { city: { type: 'string' } } },
      },
    ];
    const messages: Anthropic.MessageParam[] = [
      { role: 'user', content: 'Weather? [sim:tool-call]' },
    ];
    const r = await anthropic.messages.create({
      model: 'claude-sonnet-4',
      max_tokens: 50,
      tools,
      messages,
    });
    expect(r.content[0]).toMatchObject({
      type: 'tool_use',
      name: 'get_weather',
      input: { city: 'sim' },
    });
    const s = await anthropic.messages
      .stream({ model: 'claude-sonnet-4', max_tokens: 50, tools, messages })
      .finalMessage();
    expect(s.content[0]).toMatchObject({
      type: 'tool_use',
      name: 'get_weather',
      input: { city: 'sim' },
    });
  });

  it('block: the SDK raises its own errors, buffered and streamed', async () => {
    const err = await anthropic.messages
      .create({
        model: 'claude-sonnet-4',
        max_tokens: 50,
        messages: [{ role: 'user', content: LEAK }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as AnthropicError).error).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error' },
    });
    const streamed = await anthropic.messages
      .stream({
        model: 'claude-sonnet-4',
        max_tokens: 50,
        messages: [{ role: 'user', content: LEAK }],
      })
      .finalMessage()
      .catch((e: unknown) => e);
    expect(streamed).toBeInstanceOf(AnthropicError);
    expect(String((streamed as Error).message)).toMatch(/creds/);
  });
});

describe('ollama client: chat and generate', () => {
  it('chat, not streamed and streamed (the default)', async () => {
    const r = await ollama.chat({
      model: 'llama3',
      messages: [{ role: 'user', content: RED }],
      stream: false,
    });
    expect(r.message.content).toBe('Mars');
    expect(r.done).toBe(true);
    let text = '';
    for await (const part of await ollama.chat({
      model: 'llama3',
      messages: [{ role: 'user', content: RED }],
      stream: true,
    }))
      text += part.message.content;
    expect(text).toBe('Mars');
  });

  it('generate, not streamed and streamed', async () => {
    const r = await ollama.generate({ model: 'llama3', prompt: RED, stream: false });
    expect(r.response).toBe('Mars');
    let text = '';
    for await (const part of await ollama.generate({ model: 'llama3', prompt: RED, stream: true }))
      text += part.response;
    expect(text).toBe('Mars');
  });

  it('chat with tools', async () => {
    const r = await ollama.chat({
      model: 'llama3',
      stream: false,
      messages: [{ role: 'user', content: 'Weather? [sim:tool-call]' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'w',
            parameters: {
              type: 'object',
              required: [],
              properties: { city: { type: 'string', description: 'c' } },
            },
          },
        },
      ],
    });
    expect(r.message.tool_calls?.[0]?.function).toEqual({
      name: 'get_weather',
      arguments: { city: 'sim' },
    });
  });

  it('block: the client throws, buffered and streamed', async () => {
    const err = await ollama
      .chat({ model: 'llama3', messages: [{ role: 'user', content: LEAK }], stream: false })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as { status_code?: number }).status_code).toBe(400);
    expect((err as Error).message).toMatch(/strict.*creds/);
    const streamed = await (async () => {
      let text = '';
      for await (const part of await ollama.generate({
        model: 'llama3',
        prompt: LEAK,
        stream: true,
      }))
        text += part.response;
      return text;
    })().catch((e: unknown) => e);
    expect(streamed).toBeInstanceOf(Error);
    expect((streamed as Error).message).toMatch(/creds/);
  });
});
