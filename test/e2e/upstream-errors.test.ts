/**
 * Upstream errors are text the application reads: the SDKs raise them with the error's
 * message, or with the whole error object when the message is empty. So an error — an error
 * body of any non-2xx status, or an in-band error event of a stream — is checked in every
 * string it has (error-text.ts), judged here by the real SDKs through a real proxy.
 */
import Anthropic from '@anthropic-ai/sdk';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../../src/main.js';
import type { HostileUpstream } from '../helpers/hostile-upstream.js';
import { hostileUpstream } from '../helpers/hostile-upstream.js';
import { policyProxies } from '../helpers/proxy.js';

const KEY = 'AKIAQYLPMN5HHHFPZAM2';
const SAID = `key ${KEY} ok`;

let reply = { status: 200, type: 'application/json', body: '' };
let upstream: HostileUpstream;
let redacting: Running;
let blocking: Running;
let proxies: Awaited<ReturnType<typeof policyProxies>>;

beforeAll(async () => {
  upstream = await hostileUpstream((_req, res) => {
    res.writeHead(reply.status, { 'content-type': reply.type });
    res.end(reply.body);
  });
  proxies = await policyProxies(
    upstream.url,
    'name: strict\nrules:\n  - { id: creds, check: secrets, action: block }\n',
  );
  ({ redacting, blocking } = proxies);
});

afterAll(async () => {
  await proxies.shutdown();
  await upstream.close();
});

type Call = (base: string) => Promise<unknown>;

const chat: Call = async (base) => {
  const c = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'sk', maxRetries: 0 });
  const s = await c.chat.completions.create({
    model: 'm',
    stream: true,
    messages: [{ role: 'user', content: 'hi' }],
  });
  for await (const x of s) void x;
};
const chatBuffered: Call = (base) =>
  new OpenAI({ baseURL: `${base}/v1`, apiKey: 'sk', maxRetries: 0 }).chat.completions.create({
    model: 'm',
    messages: [{ role: 'user', content: 'hi' }],
  });
const responses: Call = async (base) => {
  const c = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'sk', maxRetries: 0 });
  const s = await c.responses.create({ model: 'm', input: 'hi', stream: true });
  for await (const x of s) void x;
};
const anthropic = (stream: boolean): Call =>
  async function (base) {
    const c = new Anthropic({ baseURL: `${base}/anthropic`, apiKey: 'sk', maxRetries: 0 });
    const req = {
      model: 'c',
      max_tokens: 10,
      messages: [{ role: 'user' as const, content: 'hi' }],
    };
    if (!stream) return c.messages.create(req);
    const s = await c.messages.create({ ...req, stream: true });
    for await (const x of s) void x;
    return undefined;
  };
const ollama: Call = async (base) => {
  const s = await new Ollama({ host: `${base}/ollama` }).chat({
    model: 'l',
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
  });
  for await (const x of s) void x;
};

const sse = (o: object, event?: string) =>
  `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(o)}\n\n`;
const chunk = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm' };
const SSE = 'text/event-stream';
const JSON_T = 'application/json';

/** `relayed: false`: the field with the key is not one Coalmine relays (its own error carries the message only). */
const CASES: {
  name: string;
  status: number;
  type: string;
  body: string;
  call: Call;
  relayed?: false;
}[] = [
  {
    name: 'chat stream: data {"error"}',
    status: 200,
    type: SSE,
    body:
      sse({ ...chunk, choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }] }) +
      sse({ error: { message: SAID } }),
    call: chat,
  },
  {
    name: 'chat stream: event: error',
    status: 200,
    type: SSE,
    body: sse({ error: { message: SAID, type: 'x' } }, 'error'),
    call: chat,
  },
  {
    name: 'chat stream: the key in the error code, message empty',
    status: 200,
    type: SSE,
    body: sse({ error: { message: '', code: SAID } }),
    call: chat,
    relayed: false,
  },
  {
    name: 'responses stream: error event',
    status: 200,
    type: SSE,
    body:
      sse({ type: 'response.created', response: { id: 'r', output: [] } }, 'response.created') +
      sse({ type: 'error', message: SAID, code: 'x' }, 'error'),
    call: responses,
  },
  {
    name: 'responses stream: response.failed',
    status: 200,
    type: SSE,
    body:
      sse({ type: 'response.created', response: { id: 'r', output: [] } }, 'response.created') +
      sse(
        {
          type: 'response.failed',
          response: { id: 'r', status: 'failed', output: [], error: { message: SAID } },
        },
        'response.failed',
      ),
    call: responses,
  },
  {
    name: 'anthropic stream: error event, key in the message',
    status: 200,
    type: SSE,
    body: sse({ type: 'error', error: { type: 'overloaded_error', message: SAID } }, 'error'),
    call: anthropic(true),
  },
  {
    name: 'anthropic stream: error event, key in the type',
    status: 200,
    type: SSE,
    body: sse({ type: 'error', error: { type: SAID, message: 'x' } }, 'error'),
    call: anthropic(true),
    relayed: false,
  },
  {
    name: 'ollama stream: error line',
    status: 200,
    type: 'application/x-ndjson',
    body: `${JSON.stringify({ error: SAID })}\n`,
    call: ollama,
  },
  {
    name: 'chat stream: a string error beside choices',
    status: 200,
    type: SSE,
    body: sse({ ...chunk, choices: [{ index: 0, delta: { content: 'hi' } }], error: SAID }),
    call: chat,
  },
  {
    name: 'chat stream: an array error',
    status: 200,
    type: SSE,
    body: sse({ choices: [], error: [SAID] }),
    call: chat,
  },
  {
    name: 'responses stream: an error on another event',
    status: 200,
    type: SSE,
    body: sse(
      { type: 'response.in_progress', response: { id: 'r', output: [] }, error: { message: SAID } },
      'response.in_progress',
    ),
    call: responses,
  },
  {
    name: 'anthropic stream: event: error over data of another type',
    status: 200,
    type: SSE,
    body: sse({ type: 'ping', x: SAID }, 'error'),
    call: anthropic(true),
    relayed: false,
  },
  {
    name: 'ollama stream: an array error beside content',
    status: 200,
    type: 'application/x-ndjson',
    body: `${JSON.stringify({ model: 'l', message: { role: 'assistant', content: 'hi' }, done: false, error: [SAID] })}\n`,
    call: ollama,
  },
  {
    name: 'openai 400: key in the code, message empty',
    status: 400,
    type: JSON_T,
    body: JSON.stringify({ error: { message: '', type: 'x', code: SAID } }),
    call: chatBuffered,
  },
  {
    name: 'openai 400: benign top-level message, key in error.type',
    status: 400,
    type: JSON_T,
    body: JSON.stringify({ message: 'benign', error: { type: SAID } }),
    call: chatBuffered,
  },
  {
    name: 'openai 400: key as a JSON key',
    status: 400,
    type: JSON_T,
    body: JSON.stringify({ error: { message: '', [SAID]: 1 } }),
    call: chatBuffered,
  },
  {
    name: 'openai 300 with a message',
    status: 300,
    type: JSON_T,
    body: JSON.stringify({ error: { message: SAID } }),
    call: chatBuffered,
  },
  {
    name: 'anthropic 400: key in error.type',
    status: 400,
    type: JSON_T,
    body: JSON.stringify({ type: 'error', error: { type: SAID, message: 'benign' } }),
    call: anthropic(false),
  },
];

/** Everything an application can read of an SDK error. */
function shown(e: unknown): string {
  const o = e as { message?: string; error?: unknown; status?: number };
  return `${String(e)} ${o.message ?? ''} ${JSON.stringify(o.error ?? null)}`;
}

describe.each([
  ['redact (default pack)', () => redacting, /REDACTED/],
  ['block', () => blocking, /policy|blocked|creds/i],
])('upstream errors carry no secret to the application: %s', (_mode, proxy, marker) => {
  it.each(CASES)('$name', async (c) => {
    reply = { status: c.status, type: c.type, body: c.body };
    const err = await c.call(proxy().url).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    const text = shown(err);
    expect(text).not.toContain(KEY);
    if (c.relayed !== false) expect(text).toMatch(marker);
  });
});
