/**
 * Every text a client of the other wire formats can read is checked, buffered and streamed,
 * as chat-fields.test.ts does for OpenAI chat: Anthropic `thinking` (deltas and block
 * starts), the text and tool input a `content_block_start` carries, tool names and ids;
 * Ollama `thinking` (chat and generate) and tool names; a Completions frame carrying several
 * choices; a streamed legacy `function_call`. Redaction puts the marker in the field the
 * secret was in and drops what repeats the text (logprobs, context); a block ends the answer
 * with the format's error. Then the same through a real proxy socket with the real SDKs.
 */
import Anthropic from '@anthropic-ai/sdk';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../../src/main.js';
import { testApp } from '../helpers/app.js';
import { FakeUpstream } from '../helpers/fake-upstream.js';
import type { HostileUpstream } from '../helpers/hostile-upstream.js';
import { hostileUpstream } from '../helpers/hostile-upstream.js';
import { DEFAULT_PACK_YAML, defaultPackSet, policySetFrom } from '../helpers/policy.js';
import { startProxy } from '../helpers/proxy.js';

const KEY = 'AKIAQYLPMN5HHHFPZAM2';
const RED = '[REDACTED:leaked-credentials]';
/** The key said in prose, and the same split in two pieces across frames. */
const said = `the key ${KEY} works`;
const halves = ['the key AKIAQYLP', 'MN5HHHFPZAM2 works'];

const BLOCK_YAML = `name: strict
rules:
  - id: creds
    check: secrets
    action: block
`;
const defaultPack = defaultPackSet();
const blockPack = policySetFrom({ 'b.yaml': BLOCK_YAML });

type Obj = Record<string, unknown>;

// ---- wire builders ----------------------------------------------------------------------

const sse = (o: unknown, event?: string) =>
  `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(o)}\n\n`;

/** Anthropic: a typed SSE event, a content block (start, deltas, stop), a whole stream. */
const typed = (type: string, o: object = {}) => sse({ type, ...o }, type);
const block = (index: number, content_block: object, deltas: object[] = []) =>
  typed('content_block_start', { index, content_block }) +
  deltas.map((delta) => typed('content_block_delta', { index, delta })).join('') +
  typed('content_block_stop', { index });
const anthropicStream = (...blocks: string[]) =>
  typed('message_start', {
    message: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 3, output_tokens: 1 },
    },
  }) +
  typed('ping') +
  blocks.join('') +
  typed('message_delta', {
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: 9 },
  }) +
  typed('message_stop');
const anthropicMessage = (content: object[]) => ({
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-x',
  content,
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 3, output_tokens: 9 },
});
/** The second block of a stream (blocks are numbered 0, 1, … in stream order). */
const textBlock = (text: string) => block(1, { type: 'text', text: '' }, [textDelta(text)]);
const textDelta = (text: string) => ({ type: 'text_delta', text });
const SIG = 'c2lnbmF0dXJl';

/** Ollama: NDJSON lines; `lp` stands for the log probabilities newer servers add. */
const lp = [{ token: 'x', logprob: -0.1 }];
const line = (o: object, done = false) =>
  `${JSON.stringify({ model: 'llama3', created_at: 't', ...o, done })}\n`;
const FINAL = { done_reason: 'stop', prompt_eval_count: 3, eval_count: 9 };
const chatMsg = (o: object) => ({ message: { role: 'assistant', content: '', ...o } });

/** OpenAI: chunks of a completion / chat stream. */
const cmplHead = { id: 'cmpl-1', object: 'text_completion', created: 1, model: 'm' };
const chatHead = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm' };
/** Completions logprobs that spell `text` (as a server's do: anything else is malformed). */
const oaLp = (text: string) => ({
  tokens: [text],
  token_logprobs: [-0.1],
  top_logprobs: null,
  text_offset: [0],
});

// ---- what a client assembles ----------------------------------------------------------

/** The value at a path of keys / indexes in parsed JSON, if there is one. */
function at(v: unknown, ...path: (string | number)[]): unknown {
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Obj)[k] : undefined;
  return v;
}
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : []);
/** Appends a string piece to `o[k]` (a client concatenating deltas). */
const cat = (o: Obj, k: string, piece: unknown) => {
  if (typeof piece === 'string') o[k] = str(o[k]) + piece;
};

interface View {
  /** The answer as a buffered body of the same format would have it. */
  body: Obj;
  error: string | undefined;
  /** Lines or choices still carrying log probabilities / context. */
  logprobs: number;
  context: number;
}

function sseBlocks(wire: string): { event: string | undefined; data: unknown }[] {
  return wire
    .split('\n\n')
    .filter(Boolean)
    .map((b) => {
      const data = b
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return {
        event: /^event: (.*)$/m.exec(b)?.[1],
        data: data === '[DONE]' ? {} : JSON.parse(data),
      };
    });
}

/** As the Anthropic SDK's MessageStream: blocks opened, deltas appended, input from JSON pieces. */
function anthropicView(wire: string): View {
  const content: Obj[] = [];
  const json = new Map<number, string>();
  let error: string | undefined;
  for (const { event, data } of sseBlocks(wire)) {
    if (event === 'error') error = str(at(data, 'error', 'message'));
    const index = Number(at(data, 'index'));
    if (at(data, 'type') === 'content_block_start')
      content[index] = { ...(at(data, 'content_block') as Obj) };
    if (at(data, 'type') !== 'content_block_delta') continue;
    const b = content[index]!;
    const d = at(data, 'delta');
    const type = at(d, 'type');
    if (type === 'text_delta') cat(b, 'text', at(d, 'text'));
    if (type === 'thinking_delta') cat(b, 'thinking', at(d, 'thinking'));
    if (type === 'signature_delta') b['signature'] = at(d, 'signature');
    if (type === 'input_json_delta')
      json.set(index, (json.get(index) ?? '') + str(at(d, 'partial_json')));
  }
  for (const [i, j] of json) content[i]!['input'] = j ? JSON.parse(j) : {};
  return { body: { content: content.filter(Boolean) }, error, logprobs: 0, context: 0 };
}

/** An Ollama stream's lines folded into one response (chat `message`, or generate fields). */
function ollamaView(wire: string): View {
  const message: Obj = {};
  const calls: unknown[] = [];
  const v: View = { body: { message }, error: undefined, logprobs: 0, context: 0 };
  for (const l of wire.split('\n').filter(Boolean)) {
    const o = JSON.parse(l) as Obj;
    if (o['error']) v.error = str(o['error']);
    if (o['logprobs']) v.logprobs++;
    if (o['context']) v.context++;
    cat(v.body, 'response', o['response']);
    cat(v.body, 'thinking', o['thinking']);
    cat(message, 'content', at(o, 'message', 'content'));
    cat(message, 'thinking', at(o, 'message', 'thinking'));
    calls.push(...list(at(o, 'message', 'tool_calls')));
  }
  message['tool_calls'] = calls;
  return v;
}

/** OpenAI Completions and Chat: per choice, the text / the message merged from its deltas. */
function openAiView(wire: string): View {
  const choices: Obj[] = [];
  const v: View = { body: { choices }, error: undefined, logprobs: 0, context: 0 };
  for (const { data } of sseBlocks(wire)) {
    if (at(data, 'error')) v.error = str(at(data, 'error', 'message'));
    for (const c of list(at(data, 'choices'))) {
      const index = Number(at(c, 'index'));
      const out = (choices[index] ??= { index, message: {} });
      const message = out['message'] as Obj;
      if (at(c, 'logprobs')) v.logprobs++;
      cat(out, 'text', at(c, 'text'));
      cat(message, 'content', at(c, 'delta', 'content'));
      const fc = at(c, 'delta', 'function_call');
      if (fc) {
        const to = (message['function_call'] ??= {}) as Obj;
        cat(to, 'name', at(fc, 'name'));
        cat(to, 'arguments', at(fc, 'arguments'));
      }
    }
  }
  return v;
}

// ---- the cases ----------------------------------------------------------------------------

interface Format {
  path: string;
  request: Obj;
  contentType: string;
  view: (wire: string) => View;
}

const FORMATS = {
  anthropic: {
    path: '/v1/messages',
    request: { model: 'claude-x', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] },
    contentType: 'text/event-stream',
    view: anthropicView,
  },
  ollamaChat: {
    path: '/api/chat',
    request: { model: 'llama3', messages: [{ role: 'user', content: 'hi' }] },
    contentType: 'application/x-ndjson',
    view: ollamaView,
  },
  ollamaGenerate: {
    path: '/api/generate',
    request: { model: 'llama3', prompt: 'hi' },
    contentType: 'application/x-ndjson',
    view: ollamaView,
  },
  completions: {
    path: '/v1/completions',
    request: { model: 'm', prompt: 'hi', n: 2 },
    contentType: 'text/event-stream',
    view: openAiView,
  },
  chat: {
    path: '/v1/chat/completions',
    request: { model: 'm', messages: [{ role: 'user', content: 'hi' }] },
    contentType: 'text/event-stream',
    view: openAiView,
  },
} satisfies Record<string, Format>;

interface Case {
  name: string;
  format: keyof typeof FORMATS;
  /** A buffered answer with the secret in the field (when the format has a buffered twin). */
  buffered?: Obj;
  streamed: string;
  /** Reads the field from a buffered body or from what a client assembles of the stream. */
  read: (body: Obj) => string;
  /** Log probabilities (and generate's context) were on the wire and must go. */
  repeats?: boolean;
}

const contentOf = (b: Obj, type: string) =>
  (b['content'] as Obj[]).filter((c) => c['type'] === type);
const thinking = (b: Obj) =>
  contentOf(b, 'thinking')
    .map((c) => c['thinking'])
    .join('');
/** The texts of a completion's choices. */
const texts = (b: Obj) => list(b['choices']).map((c) => str(at(c, 'text')));
const toolUse = (b: Obj) => contentOf(b, 'tool_use')[0]!;

const CASES: Case[] = [
  {
    name: 'anthropic thinking',
    format: 'anthropic',
    buffered: anthropicMessage([
      { type: 'thinking', thinking: said, signature: SIG },
      { type: 'text', text: 'done' },
    ]),
    streamed: anthropicStream(
      block(0, { type: 'thinking', thinking: '', signature: '' }, [
        ...halves.map((p) => ({ type: 'thinking_delta', thinking: p })),
        { type: 'signature_delta', signature: SIG },
      ]),
      textBlock('done'),
    ),
    read: thinking,
  },
  {
    name: 'anthropic thinking carried by its block start',
    format: 'anthropic',
    streamed: anthropicStream(
      block(0, { type: 'thinking', thinking: said, signature: '' }, [
        { type: 'signature_delta', signature: SIG },
      ]),
      textBlock('done'),
    ),
    read: thinking,
  },
  {
    name: 'anthropic text carried by its block start',
    format: 'anthropic',
    buffered: anthropicMessage([{ type: 'text', text: said }]),
    streamed: anthropicStream(block(0, { type: 'text', text: said })),
    read: (b) =>
      contentOf(b, 'text')
        .map((c) => c['text'])
        .join(''),
  },
  {
    name: 'anthropic tool input carried by its block start',
    format: 'anthropic',
    buffered: anthropicMessage([
      { type: 'tool_use', id: 'toolu_1', name: 'send', input: { q: said } },
    ]),
    streamed: anthropicStream(
      block(0, { type: 'tool_use', id: 'toolu_1', name: 'send', input: { q: said } }),
    ),
    read: (b) => JSON.stringify(toolUse(b)['input']),
  },
  {
    name: 'anthropic tool name',
    format: 'anthropic',
    buffered: anthropicMessage([{ type: 'tool_use', id: 'toolu_1', name: KEY, input: {} }]),
    streamed: anthropicStream(
      block(0, { type: 'tool_use', id: 'toolu_1', name: KEY, input: {} }, [
        { type: 'input_json_delta', partial_json: '{}' },
      ]),
    ),
    read: (b) => str(toolUse(b)['name']),
  },
  {
    name: 'anthropic tool id',
    format: 'anthropic',
    buffered: anthropicMessage([{ type: 'tool_use', id: KEY, name: 'send', input: {} }]),
    streamed: anthropicStream(
      block(0, { type: 'tool_use', id: KEY, name: 'send', input: {} }, [
        { type: 'input_json_delta', partial_json: '{}' },
      ]),
    ),
    read: (b) => str(toolUse(b)['id']),
  },
  {
    name: 'ollama chat thinking',
    format: 'ollamaChat',
    buffered: JSON.parse(
      line({ ...chatMsg({ content: 'done', thinking: said }), logprobs: lp, ...FINAL }, true),
    ),
    streamed:
      halves.map((p) => line({ ...chatMsg({ thinking: p }), logprobs: lp })).join('') +
      line(chatMsg({ content: 'done' })) +
      line({ ...chatMsg({}), ...FINAL }, true),
    read: (b) => str(at(b, 'message', 'thinking')),
    repeats: true,
  },
  {
    name: 'ollama generate thinking',
    format: 'ollamaGenerate',
    buffered: JSON.parse(
      line({ response: 'done', thinking: said, context: [1, 2, 3], logprobs: lp, ...FINAL }, true),
    ),
    streamed:
      halves.map((p) => line({ response: '', thinking: p, logprobs: lp })).join('') +
      line({ response: 'done' }) +
      line({ response: '', context: [1, 2, 3], ...FINAL }, true),
    read: (b) => str(b['thinking']),
    repeats: true,
  },
  {
    name: 'ollama chat tool name',
    format: 'ollamaChat',
    buffered: JSON.parse(
      line(
        { ...chatMsg({ tool_calls: [{ function: { name: KEY, arguments: {} } }] }), ...FINAL },
        true,
      ),
    ),
    streamed:
      line(chatMsg({ tool_calls: [{ function: { name: KEY, arguments: {} } }] })) +
      line({ ...chatMsg({}), ...FINAL }, true),
    read: (b) => str(at(b, 'message', 'tool_calls', 0, 'function', 'name')),
  },
  {
    name: 'completions choice 1 in the frame of choice 0, both with a key',
    format: 'completions',
    buffered: {
      ...cmplHead,
      choices: [
        { index: 0, text: `a ${KEY} b`, logprobs: oaLp(`a ${KEY} b`), finish_reason: 'stop' },
        { index: 1, text: said, logprobs: oaLp(said), finish_reason: 'stop' },
      ],
    },
    streamed:
      sse({
        ...cmplHead,
        choices: [
          { index: 0, text: `a ${KEY} b`, logprobs: oaLp(`a ${KEY} b`), finish_reason: null },
          { index: 1, text: said, logprobs: oaLp(said), finish_reason: null },
        ],
      }) +
      sse({
        ...cmplHead,
        choices: [
          { index: 0, text: '', finish_reason: 'stop' },
          { index: 1, text: '', finish_reason: 'stop' },
        ],
      }) +
      'data: [DONE]\n\n',
    read: (b) => texts(b).join('|'),
  },
  {
    name: 'chat streamed function_call arguments',
    format: 'chat',
    buffered: {
      ...chatHead,
      object: 'chat.completion',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            function_call: { name: 'send', arguments: JSON.stringify({ q: said }) },
          },
          finish_reason: 'function_call',
        },
      ],
    },
    streamed:
      [
        { role: 'assistant', content: null, function_call: { name: 'send', arguments: '' } },
        { function_call: { arguments: `{"q":"${halves[0]}` } },
        { function_call: { arguments: `${halves[1]}"}` } },
      ]
        .map((delta) => sse({ ...chatHead, choices: [{ index: 0, delta, finish_reason: null }] }))
        .join('') +
      sse({ ...chatHead, choices: [{ index: 0, delta: {}, finish_reason: 'function_call' }] }) +
      'data: [DONE]\n\n',
    read: (b) => str(at(b, 'choices', 0, 'message', 'function_call', 'arguments')),
  },
  {
    name: 'chat streamed function_call name',
    format: 'chat',
    streamed:
      sse({
        ...chatHead,
        choices: [
          {
            index: 0,
            delta: { function_call: { name: KEY, arguments: '{}' } },
            finish_reason: null,
          },
        ],
      }) +
      sse({ ...chatHead, choices: [{ index: 0, delta: {}, finish_reason: 'function_call' }] }) +
      'data: [DONE]\n\n',
    read: (b) => str(at(b, 'choices', 0, 'message', 'function_call', 'name')),
  },
];

async function send(format: Format, body: string, stream: boolean, policies = defaultPack) {
  const up = new FakeUpstream(() => ({
    headers: { 'content-type': stream ? format.contentType : 'application/json' },
    chunks: [body],
  }));
  const res = await testApp({ upstream: up, policies }).post(format.path, {
    ...format.request,
    stream,
  });
  return { status: res.status, text: await res.text() };
}

const BUFFERED = CASES.filter((c) => c.buffered);

describe('format fields: buffered', () => {
  it.each(BUFFERED)('$name: redacted in its field', async (c) => {
    const r = await send(FORMATS[c.format], JSON.stringify(c.buffered), false);
    expect(r.status).toBe(200);
    expect(r.text).not.toContain(KEY);
    const body = JSON.parse(r.text) as Obj;
    expect(c.read(body)).toContain(RED);
    if (c.repeats) {
      expect(body).not.toHaveProperty('logprobs');
      expect(body).not.toHaveProperty('context');
    }
  });

  it.each(BUFFERED)('$name: blocked under a block policy', async (c) => {
    const r = await send(FORMATS[c.format], JSON.stringify(c.buffered), false, blockPack);
    expect(r.status).toBe(400);
    expect(r.text).not.toContain(KEY);
    expect(r.text).toContain('creds');
  });
});

describe('format fields: streamed', () => {
  it.each(CASES)('$name: redacted in its field', async (c) => {
    const f = FORMATS[c.format];
    const r = await send(f, c.streamed, true);
    expect(r.status).toBe(200);
    expect(r.text).not.toContain(KEY);
    const v = f.view(r.text);
    expect(v.error).toBeUndefined();
    expect(c.read(v.body)).toContain(RED);
    if (c.repeats) expect([v.logprobs, v.context]).toEqual([0, 0]);
  });

  it.each(CASES)(
    '$name: blocked under a block policy (plain 400 before any byte, else in-band)',
    async (c) => {
      const f = FORMATS[c.format];
      const r = await send(f, c.streamed, true, blockPack);
      expect(r.text).not.toContain(KEY);
      expect(r.status === 400 ? r.text : f.view(r.text).error).toContain('creds');
    },
  );

  it.each(CASES)('$name: forwarded byte for byte when nothing matches', async (c) => {
    const f = FORMATS[c.format];
    const benign = c.streamed.replaceAll(KEY, 'AKIA-not-a-key').replaceAll(halves[1]!, 'works');
    const r = await send(f, benign, true);
    expect(r.text).toBe(benign);
  });
});

describe('format fields: details', () => {
  it('anthropic: a redacted thinking block keeps its signature; other blocks are untouched', async () => {
    const c = CASES[0]!;
    const b = JSON.parse(
      (await send(FORMATS.anthropic, JSON.stringify(c.buffered), false)).text,
    ) as Obj;
    expect(b['content']).toEqual([
      { type: 'thinking', thinking: `the key ${RED} works`, signature: SIG },
      { type: 'text', text: 'done' },
    ]);
    const s = anthropicView((await send(FORMATS.anthropic, c.streamed, true)).text).body;
    expect(s['content']).toEqual(b['content']);
  });

  it('anthropic: redacted_thinking is opaque, passed as it is', async () => {
    const wire = anthropicStream(
      block(0, { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' }),
      textBlock('done'),
    );
    expect((await send(FORMATS.anthropic, wire, true)).text).toBe(wire);
  });

  it('anthropic: tool input at the start, redacted, stays an object', async () => {
    const c = CASES.find((x) => x.name.startsWith('anthropic tool input'))!;
    const v = anthropicView((await send(FORMATS.anthropic, c.streamed, true)).text);
    expect(toolUse(v.body)['input']).toEqual({ q: `the key ${RED} works` });
  });

  it('ollama chat: a line of two calls, only the second with the key, after an earlier call', async () => {
    const call = (name: string, args: object) => ({ function: { name, arguments: args } });
    const wire =
      line(chatMsg({ tool_calls: [call('first', { a: 1 })] })) +
      line(chatMsg({ tool_calls: [call('second', { b: 2 }), call('third', { q: said })] })) +
      line({ ...chatMsg({}), ...FINAL }, true);
    const r = await send(FORMATS.ollamaChat, wire, true);
    expect(r.text).not.toContain(KEY);
    expect(at(ollamaView(r.text).body, 'message', 'tool_calls')).toEqual([
      call('first', { a: 1 }),
      call('second', { b: 2 }),
      call('third', { q: `the key ${RED} works` }),
    ]);
  });

  it('completions: both choices of one frame redacted, each in place, logprobs dropped', async () => {
    const wire =
      sse({
        ...cmplHead,
        choices: [
          { index: 0, text: `a ${KEY} b`, logprobs: oaLp(`a ${KEY} b`), finish_reason: null },
          { index: 1, text: `c ${KEY} d`, logprobs: oaLp(`c ${KEY} d`), finish_reason: null },
        ],
      }) +
      sse({
        ...cmplHead,
        choices: [
          { index: 0, text: '', finish_reason: 'stop' },
          { index: 1, text: '', finish_reason: 'stop' },
        ],
      }) +
      'data: [DONE]\n\n';
    const r = await send(FORMATS.completions, wire, true);
    expect(r.text).not.toContain(KEY);
    const v = openAiView(r.text);
    expect(texts(v.body)).toEqual([`a ${RED} b`, `c ${RED} d`]);
    expect(v.logprobs).toBe(0);
  });

  it('chat: a stream mixing tool_calls and function_call for one choice fails closed', async () => {
    const chunk = (delta: object) =>
      sse({ ...chatHead, choices: [{ index: 0, delta, finish_reason: null }] });
    const wire =
      chunk({
        tool_calls: [
          { index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } },
        ],
      }) +
      chunk({ function_call: { name: 'g', arguments: `{"q":"${KEY}"}` } }) +
      sse({ ...chatHead, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }) +
      'data: [DONE]\n\n';
    const r = await send(FORMATS.chat, wire, true);
    expect(r.text).not.toContain(KEY);
    expect(openAiView(r.text).error).toBeDefined();
  });
});

// ---- the real SDKs, through a real proxy socket ------------------------------------------

describe('what the SDKs hand the application', () => {
  let upstream: HostileUpstream;
  let redacting: Running;
  let blocking: Running;
  /** What the upstream answers next. */
  let next: { contentType: string; body: string } = { contentType: 'text/plain', body: '' };

  beforeAll(async () => {
    upstream = await hostileUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': next.contentType });
      res.end(next.body);
    });
    const config = (policy: string) => ({
      upstreams: [
        { name: 'openai', url: upstream.url, provider: 'openai' },
        { name: 'claude', url: upstream.url, provider: 'anthropic', prefix: '/anthropic' },
        { name: 'local', url: upstream.url, provider: 'ollama', prefix: '/ollama' },
      ],
      policies: [policy],
      canaries: [],
    });
    redacting = await startProxy(config('default.yaml'), { 'default.yaml': DEFAULT_PACK_YAML });
    blocking = await startProxy(config('strict.yaml'), { 'strict.yaml': BLOCK_YAML });
  });

  afterAll(async () => {
    await redacting.shutdown();
    await blocking.shutdown();
    await upstream.close();
  });

  const answer = (c: Case, stream: boolean) => {
    next = stream
      ? { contentType: FORMATS[c.format].contentType, body: c.streamed }
      : { contentType: 'application/json', body: JSON.stringify(c.buffered) };
  };
  const caseNamed = (name: string) => CASES.find((c) => c.name === name)!;
  /** Runs an SDK call; returns what it handed over (serialised) or the error it raised. */
  async function seen(run: () => Promise<unknown>): Promise<{ text: string; error: unknown }> {
    try {
      return { text: JSON.stringify(await run()), error: undefined };
    } catch (error) {
      return { text: '', error };
    }
  }
  async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
    const out: T[] = [];
    for await (const x of it) out.push(x);
    return out;
  }

  describe('@anthropic-ai/sdk', () => {
    const client = (p: Running) =>
      new Anthropic({ baseURL: `${p.url}/anthropic`, apiKey: 'sk-ant-test', maxRetries: 0 });
    const req = {
      model: 'claude-x',
      max_tokens: 100,
      messages: [{ role: 'user' as const, content: 'hi' }],
    };

    it.each([
      'anthropic thinking',
      'anthropic thinking carried by its block start',
      'anthropic text carried by its block start',
      'anthropic tool input carried by its block start',
    ])('%s: messages.stream().finalMessage() gets the redacted field', async (name) => {
      const c = caseNamed(name);
      answer(c, true);
      const stream = client(redacting).messages.stream(req);
      const events: unknown[] = [];
      stream.on('streamEvent', (e) => events.push(e));
      const final = await stream.finalMessage();
      expect(JSON.stringify([final, events])).not.toContain(KEY);
      expect(c.read(final as unknown as Obj)).toContain(RED);
    });

    it('thinking, not streamed: messages.create gets the redacted thinking', async () => {
      const c = caseNamed('anthropic thinking');
      answer(c, false);
      const r = await client(redacting).messages.create(req);
      expect(JSON.stringify(r)).not.toContain(KEY);
      expect(c.read(r as unknown as Obj)).toContain(RED);
    });

    it('a block policy raises the SDK error, buffered and streamed', async () => {
      const c = caseNamed('anthropic thinking');
      answer(c, false);
      const b = await seen(() => client(blocking).messages.create(req));
      expect(b.error).toBeInstanceOf(Anthropic.BadRequestError);
      answer(c, true);
      const s = await seen(() => client(blocking).messages.stream(req).finalMessage());
      expect(s.error).toBeInstanceOf(Anthropic.APIError);
      expect(String((s.error as Error).message)).toMatch(/creds/);
    });
  });

  describe('ollama client', () => {
    const client = (p: Running) => new Ollama({ host: `${p.url}/ollama` });

    it('chat thinking, streamed and not', async () => {
      const c = caseNamed('ollama chat thinking');
      answer(c, true);
      const parts = await all(
        await client(redacting).chat({ model: 'llama3', messages: [], stream: true, think: true }),
      );
      expect(JSON.stringify(parts)).not.toContain(KEY);
      expect(parts.map((p) => p.message.thinking ?? '').join('')).toContain(RED);
      expect(parts.some((p) => p.logprobs)).toBe(false);
      answer(c, false);
      const r = await client(redacting).chat({ model: 'llama3', messages: [], stream: false });
      expect(JSON.stringify(r)).not.toContain(KEY);
      expect(r.message.thinking).toContain(RED);
    });

    it('generate thinking, streamed and not', async () => {
      const c = caseNamed('ollama generate thinking');
      answer(c, true);
      const parts = await all(
        await client(redacting).generate({ model: 'llama3', prompt: 'hi', stream: true }),
      );
      expect(JSON.stringify(parts)).not.toContain(KEY);
      expect(parts.map((p) => p.thinking ?? '').join('')).toContain(RED);
      answer(c, false);
      const r = await client(redacting).generate({ model: 'llama3', prompt: 'hi', stream: false });
      expect(JSON.stringify(r)).not.toContain(KEY);
      expect(r.thinking).toContain(RED);
    });

    it('a block policy makes the client throw, buffered and streamed', async () => {
      const c = caseNamed('ollama generate thinking');
      answer(c, false);
      const b = await seen(() =>
        client(blocking).generate({ model: 'llama3', prompt: 'hi', stream: false }),
      );
      expect((b.error as Error).message).toMatch(/creds/);
      answer(c, true);
      const s = await seen(async () =>
        all(await client(blocking).generate({ model: 'llama3', prompt: 'hi', stream: true })),
      );
      expect((s.error as Error).message).toMatch(/creds/);
    });
  });

  describe('openai SDK', () => {
    const client = (p: Running) =>
      new OpenAI({ baseURL: `${p.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });

    it('completions, two choices in one frame: both redacted', async () => {
      const c = caseNamed('completions choice 1 in the frame of choice 0, both with a key');
      answer(c, true);
      const chunks = await all(
        await client(redacting).completions.create({
          model: 'm',
          prompt: 'hi',
          n: 2,
          stream: true,
        }),
      );
      expect(JSON.stringify(chunks)).not.toContain(KEY);
      const text = (i: number) =>
        chunks.flatMap((ch) => ch.choices.filter((x) => x.index === i).map((x) => x.text)).join('');
      expect(text(0)).toBe(`a ${RED} b`);
      expect(text(1)).toBe(`the key ${RED} works`);
    });

    it('chat, a streamed function_call: arguments redacted', async () => {
      const c = caseNamed('chat streamed function_call arguments');
      answer(c, true);
      const chunks = await all(
        await client(redacting).chat.completions.create({
          model: 'm',
          messages: [{ role: 'user', content: 'hi' }],
          stream: true,
        }),
      );
      expect(JSON.stringify(chunks)).not.toContain(KEY);
      const args = chunks.map((ch) => ch.choices[0]?.delta.function_call?.arguments ?? '').join('');
      expect(JSON.parse(args)).toEqual({ q: `the key ${RED} works` });
    });

    it('a block policy raises the SDK error mid-stream', async () => {
      answer(caseNamed('chat streamed function_call arguments'), true);
      const s = await seen(async () =>
        all(
          await client(blocking).chat.completions.create({
            model: 'm',
            messages: [{ role: 'user', content: 'hi' }],
            stream: true,
          }),
        ),
      );
      expect((s.error as Error).message).toMatch(/creds/);
      answer(caseNamed('completions choice 1 in the frame of choice 0, both with a key'), true);
      const t = await seen(async () =>
        all(
          await client(blocking).completions.create({
            model: 'm',
            prompt: 'hi',
            n: 2,
            stream: true,
          }),
        ),
      );
      expect((t.error as Error).message).toMatch(/creds/);
    });
  });
});
