/**
 * Client conformance (issue 17): each client a user routes through Coalmine — the Vercel AI SDK
 * (`openai(…)` on the Responses API, `openai.chat(…)`, `@ai-sdk/anthropic`), the openai,
 * anthropic and ollama SDKs, streaming and not — sees, for a block, a typed error whose message
 * names the policy and the rule; for a redaction, the redacted text; for a quarantine, an error
 * that the client does not retry. The clients are the judges: they run their own parsing and
 * validation (the AI SDK validates every stream event against its zod schema of the provider's
 * events) on what Coalmine sends. Python's clients: test/e2e/python-clients.test.ts.
 */
import Anthropic from '@anthropic-ai/sdk';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { APICallError, generateText, streamText, TypeValidationError } from 'ai';
import type { LanguageModel } from 'ai';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../../src/main.js';
import type { SimServer } from '../../src/sim/server.js';
import {
  BLOCK_PROMPT,
  BLOCKED,
  LEAKED,
  PINNED,
  REDACT_PROMPT,
  startConformance,
} from '../helpers/conformance.js';

let sim: SimServer;
let proxy: Running;
/** Requests the clients sent, per model (every attempt, retries included). */
const attempts = new Map<string, number>();

/** A fetch that counts the attempts a client makes for each model. */
const countingFetch: typeof fetch = async (input, init) => {
  const body = typeof init?.body === 'string' ? init.body : '';
  const model = /"model":\s*"([^"]+)"/.exec(body)?.[1] ?? '';
  attempts.set(model, (attempts.get(model) ?? 0) + 1);
  return fetch(input, init);
};

beforeAll(async () => {
  ({ sim, proxy } = await startConformance(['openai', 'anthropic', 'ollama']));
});

afterAll(async () => {
  await proxy?.shutdown();
  await sim?.close();
});

/** Attempts a client made for `model` while `run` ran. */
async function attemptsFor(model: string, run: () => Promise<unknown>): Promise<number> {
  attempts.set(model, 0);
  await run().catch(() => undefined);
  return attempts.get(model) ?? 0;
}

// ---- The Vercel AI SDK -------------------------------------------------------------------

const aiOpenAI = () =>
  createOpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'sk-test', fetch: countingFetch });
const aiAnthropic = () =>
  createAnthropic({
    baseURL: `${proxy.url}/anthropic/v1`,
    apiKey: 'sk-ant-client',
    fetch: countingFetch,
  });

const AI_MODELS: [string, (model: string) => LanguageModel][] = [
  ['openai(…) (Responses API)', (m) => aiOpenAI()(m)],
  ['openai.chat(…)', (m) => aiOpenAI().chat(m)],
  ['@ai-sdk/anthropic', (m) => aiAnthropic()(m)],
];

/** streamText's text and errors, read from its full stream. */
async function streamed(model: LanguageModel, prompt: string, maxRetries = 0) {
  const r = streamText({ model, prompt, maxRetries, onError: () => {} });
  let text = '';
  const errors: unknown[] = [];
  for await (const part of r.fullStream) {
    if (part.type === 'text-delta') text += part.text;
    if (part.type === 'error') errors.push(part.error);
  }
  return { text, errors };
}

/** An error's message: an Error's, or a stream error part's `message` (the AI SDK passes the
 * provider's error object through as it came). */
const messageOf = (e: unknown): string =>
  e instanceof Error
    ? e.message
    : typeof e === 'object' &&
        e !== null &&
        typeof (e as { message?: unknown }).message === 'string'
      ? (e as { message: string }).message
      : JSON.stringify(e);

describe.each(AI_MODELS)('Vercel AI SDK, %s', (_name, model) => {
  it('generateText: a block is an APICallError naming policy and rule', async () => {
    const err = await generateText({
      model: model('gpt-4o-mini'),
      prompt: BLOCK_PROMPT,
      maxRetries: 0,
    }).catch((e: unknown) => e);
    expect(APICallError.isInstance(err), messageOf(err)).toBe(true);
    expect(messageOf(err)).toMatch(BLOCKED);
  });

  it('streamText: a block ends the stream with an error naming policy and rule', async () => {
    const { text, errors } = await streamed(model('gpt-4o-mini'), BLOCK_PROMPT);
    expect(errors.length, text).toBeGreaterThan(0);
    // The in-band error event passed the SDK's schema of the provider's events: it arrives as
    // the provider's error, not as a validation failure quoting it.
    expect(TypeValidationError.isInstance(errors[0]), messageOf(errors[0])).toBe(false);
    expect(messageOf(errors[0])).not.toMatch(/validation/i);
    expect(messageOf(errors[0])).toMatch(BLOCKED);
    expect(text).not.toMatch(/https?:\/\//);
  });

  it('generateText and streamText: a redaction shows the redacted text', async () => {
    const r = await generateText({
      model: model('gpt-4o-mini'),
      prompt: REDACT_PROMPT,
      maxRetries: 0,
    });
    expect(r.text).toContain('[REDACTED');
    expect(r.text).not.toMatch(LEAKED);
    const s = await streamed(model('gpt-4o-mini'), REDACT_PROMPT);
    expect(s.errors).toEqual([]);
    expect(s.text).toContain('[REDACTED');
    expect(s.text).not.toMatch(LEAKED);
  });

  it('a quarantine is an error the SDK does not retry (default retries on)', async () => {
    let error: unknown;
    const n = await attemptsFor(PINNED, async () => {
      error = await generateText({ model: model(PINNED), prompt: 'hi' }).catch((e: unknown) => e);
    });
    expect(messageOf(error)).toMatch(/quarantin/);
    expect(n).toBe(1);
    const s = await attemptsFor(PINNED, () => streamed(model(PINNED), 'hi', 2));
    expect(s).toBe(1);
  });
});

// ---- The provider SDKs -------------------------------------------------------------------

describe('openai SDK', () => {
  const client = () =>
    new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'sk-test', fetch: countingFetch });
  const chat = (content: string, model = 'gpt-4o-mini') =>
    client().chat.completions.create({ model, messages: [{ role: 'user', content }] });
  const chatStream = async (content: string, model = 'gpt-4o-mini') => {
    let text = '';
    const stream = await client().chat.completions.create({
      model,
      messages: [{ role: 'user', content }],
      stream: true,
    });
    for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    return text;
  };
  const responses = (input: string, model = 'gpt-4o-mini') =>
    client().responses.create({ model, input });
  const responsesStream = async (input: string, model = 'gpt-4o-mini') => {
    const s = client().responses.stream({ model, input });
    return (await s.finalResponse()).output_text;
  };

  it.each([
    ['chat', chat],
    ['chat, streaming', chatStream],
    ['responses', responses],
    ['responses, streaming', responsesStream],
  ] as const)('%s: a block is an APIError naming policy and rule', async (_n, call) => {
    const err = await call(BLOCK_PROMPT).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(messageOf(err)).toMatch(BLOCKED);
  });

  it('redactions: the redacted text, streaming and not', async () => {
    const texts = [
      (await chat(REDACT_PROMPT)).choices[0]?.message.content ?? '',
      await chatStream(REDACT_PROMPT),
      (await responses(REDACT_PROMPT)).output_text,
      await responsesStream(REDACT_PROMPT),
    ];
    for (const t of texts) {
      expect(t).toContain('[REDACTED');
      expect(t).not.toMatch(LEAKED);
    }
  });

  it.each([
    ['chat', chat],
    ['chat, streaming', chatStream],
    ['responses', responses],
  ] as const)('%s: a quarantine is not retried (default retries on)', async (_n, call) => {
    let error: unknown;
    const n = await attemptsFor(PINNED, async () => {
      error = await call('hi', PINNED).catch((e: unknown) => e);
    });
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(messageOf(error)).toMatch(/quarantin/);
    expect(n).toBe(1);
  });
});

/**
 * A block is the client's error (of `errorClass`) naming policy and rule, a redaction the
 * redacted text, a quarantine an error the client made one attempt for.
 */
async function expectConformance(
  call: (content: string, model?: string) => Promise<string>,
  errorClass: abstract new (...args: never[]) => Error,
): Promise<void> {
  const err = await call(BLOCK_PROMPT).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(errorClass);
  expect(messageOf(err)).toMatch(BLOCKED);

  const text = await call(REDACT_PROMPT);
  expect(text).toContain('[REDACTED');
  expect(text).not.toMatch(LEAKED);

  let error: unknown;
  const n = await attemptsFor(PINNED, async () => {
    error = await call('hi', PINNED).catch((e: unknown) => e);
  });
  expect(error).toBeInstanceOf(errorClass);
  expect(messageOf(error)).toMatch(/quarantin/);
  expect(n).toBe(1);
}

describe('anthropic SDK', () => {
  const client = () =>
    new Anthropic({
      baseURL: `${proxy.url}/anthropic`,
      apiKey: 'sk-ant-client',
      fetch: countingFetch,
    });
  const create = async (content: string, model = 'claude-sonnet-4-5') => {
    const m = await client().messages.create({
      model,
      max_tokens: 256,
      messages: [{ role: 'user', content }],
    });
    return m.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  };
  const stream = async (content: string, model = 'claude-sonnet-4-5') => {
    const s = client().messages.stream({
      model,
      max_tokens: 256,
      messages: [{ role: 'user', content }],
    });
    const m = await s.finalMessage();
    return m.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  };

  it.each([
    ['messages', create],
    ['messages, streaming', stream],
  ] as const)(
    '%s: block → APIError naming policy and rule; redaction; quarantine not retried',
    (_n, call) => expectConformance(call, Anthropic.APIError),
  );
});

describe('ollama SDK', () => {
  const client = () => new Ollama({ host: `${proxy.url}/ollama`, fetch: countingFetch });
  const chat = async (content: string, model = 'llama3.2') =>
    (await client().chat({ model, messages: [{ role: 'user', content }] })).message.content;
  const chatStream = async (content: string, model = 'llama3.2') => {
    let text = '';
    const s = await client().chat({ model, messages: [{ role: 'user', content }], stream: true });
    for await (const part of s) text += part.message.content;
    return text;
  };

  it.each([
    ['chat', chat],
    ['chat, streaming', chatStream],
  ] as const)(
    '%s: block → error naming policy and rule; redaction; quarantine not retried',
    (_n, call) => expectConformance(call, Error),
  );
});
