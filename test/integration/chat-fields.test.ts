/**
 * Issue 13: every text of an OpenAI chat answer a client can read is checked — refusal,
 * content parts, reasoning (`reasoning_content` / `reasoning`), every choice of a frame, tool
 * names and ids, custom tool calls' input, the audio transcript — buffered and streamed; a
 * redacted choice loses its logprobs. What a client could read two ways is malformed: two
 * choices with one index, logprobs tokens that do not spell the text, a call both function
 * and custom.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { CHAT, chatBody, testApp } from '../helpers/app.js';
import { FakeUpstream } from '../helpers/fake-upstream.js';
import { defaultPackSet, policySetFrom } from '../helpers/policy.js';

const KEY = 'AKIAQYLPMN5HHHFPZAM2';
const RED = '[REDACTED:leaked-credentials]';
const SSE = { 'content-type': 'text/event-stream' };
const frame = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
const head = { id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 1, model: 'm' };

const defaultPack = defaultPackSet();
const blockPack = policySetFrom({
  'b.yaml': `name: strict
rules:
  - id: creds
    check: secrets
    action: block
  - id: exfil
    check: markdown-exfiltration
    action: block
`,
});

const tok = (token: string) => ({ token, logprob: -0.1, bytes: null, top_logprobs: [] });
/** Logprobs that spell a message's (or delta's) content and refusal, as a server's do. */
function lpOf(m: Record<string, unknown>) {
  const c = m['content'];
  const content = Array.isArray(c)
    ? (c as { text: string }[]).map((p) => p.text).join('')
    : typeof c === 'string'
      ? c
      : '';
  const refusal = typeof m['refusal'] === 'string' ? m['refusal'] : '';
  return { content: content ? [tok(content)] : [], refusal: refusal ? [tok(refusal)] : null };
}
const plain = { role: 'assistant', content: 'plain' };

interface Case {
  name: string;
  /** The `message` of choice 0 of a buffered answer (choice 1 is plain when `multi`). */
  message: Record<string, unknown>;
  /** The delta frames of a streamed answer (all of choice 0 unless they say otherwise). */
  deltas: Record<string, unknown>[];
  /** Reads the checked field from a buffered message / from the concatenated deltas. */
  read: (msg: Record<string, unknown>) => string;
}

const txt = (v: unknown) => (typeof v === 'string' ? v : '');
const said = `the key ${KEY} works`;
const tool = (name: string, id: string) => ({
  id,
  type: 'function',
  function: { name, arguments: '{}' },
});

const CASES: Case[] = [
  {
    name: 'refusal',
    message: { role: 'assistant', content: null, refusal: said },
    deltas: [{ content: '', refusal: 'the key ' }, { refusal: `${KEY} works` }],
    read: (m) => txt(m['refusal']),
  },
  {
    name: 'content and refusal in one frame',
    message: { role: 'assistant', content: 'ok', refusal: said },
    deltas: [{ content: 'ok', refusal: said }],
    read: (m) => txt(m['refusal']),
  },
  {
    name: 'content parts',
    message: { role: 'assistant', content: [{ type: 'text', text: said }] },
    deltas: [
      { content: [{ type: 'text', text: 'the key ' }] },
      { content: [{ type: 'text', text: `${KEY} works` }] },
    ],
    read: (m) => (m['content'] as { text: string }[]).map((p) => p.text).join(''),
  },
  {
    name: 'reasoning_content',
    message: { role: 'assistant', content: 'done', reasoning_content: said },
    deltas: [
      { reasoning_content: 'the key ' },
      { reasoning_content: `${KEY} works` },
      { content: 'done' },
    ],
    read: (m) => txt(m['reasoning_content']),
  },
  {
    name: 'reasoning',
    message: { role: 'assistant', content: 'done', reasoning: said },
    deltas: [{ reasoning: said }, { content: 'done' }],
    read: (m) => txt(m['reasoning']),
  },
  {
    name: 'tool name',
    message: { role: 'assistant', content: null, tool_calls: [tool(KEY, 'call_1')] },
    deltas: [{ tool_calls: [{ index: 0, ...tool(KEY, 'call_1') }] }],
    read: (m) => (m['tool_calls'] as { function: { name: string } }[])[0]!.function.name,
  },
  {
    name: 'tool id',
    message: { role: 'assistant', content: null, tool_calls: [tool('f', KEY)] },
    deltas: [{ tool_calls: [{ index: 0, ...tool('f', KEY) }] }],
    read: (m) => (m['tool_calls'] as { id: string }[])[0]!.id,
  },
  {
    name: 'tool custom input',
    message: {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_1', type: 'custom', custom: { name: 'run', input: said } }],
    },
    deltas: [
      {
        tool_calls: [
          { index: 0, id: 'call_1', type: 'custom', custom: { name: 'run', input: 'the key ' } },
        ],
      },
      { tool_calls: [{ index: 0, custom: { input: `${KEY} works` } }] },
    ],
    read: (m) => (m['tool_calls'] as { custom: { input: string } }[])[0]!.custom.input,
  },
  {
    name: 'tool custom name',
    message: {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_1', type: 'custom', custom: { name: KEY, input: 'x' } }],
    },
    deltas: [
      {
        tool_calls: [{ index: 0, id: 'call_1', type: 'custom', custom: { name: KEY, input: 'x' } }],
      },
    ],
    read: (m) => (m['tool_calls'] as { custom: { name: string } }[])[0]!.custom.name,
  },
  {
    name: 'audio transcript',
    message: {
      role: 'assistant',
      content: null,
      audio: { id: 'audio_1', data: 'UklGRg==', expires_at: 1, transcript: said },
    },
    deltas: [
      { audio: { id: 'audio_1', transcript: 'the key ' } },
      { audio: { transcript: `${KEY} works`, data: 'UklGRg==' } },
    ],
    read: (m) => txt((m['audio'] as Msg | undefined)?.['transcript']),
  },
];

function buffered(c: Case) {
  return JSON.stringify({
    id: 'chatcmpl-x',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [
      { index: 0, message: c.message, logprobs: lpOf(c.message), finish_reason: 'stop' },
      { index: 1, message: plain, logprobs: lpOf(plain), finish_reason: 'stop' },
    ],
  });
}

function streamed(c: Case) {
  return (
    c.deltas
      .map((d) =>
        frame({
          ...head,
          choices: [{ index: 0, delta: d, logprobs: lpOf(d), finish_reason: null }],
        }),
      )
      .join('') +
    frame({ ...head, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }) +
    'data: [DONE]\n\n'
  );
}

async function send(body: string, stream: boolean, policies = defaultPack, status = 200) {
  const up = new FakeUpstream(() => ({
    status,
    headers: stream && status === 200 ? SSE : { 'content-type': 'application/json' },
    chunks: [body],
  }));
  const res = await testApp({ upstream: up, policies }).post(CHAT, chatBody({ stream }));
  return { status: res.status, text: await res.text() };
}

type Msg = Record<string, unknown>;

/** Merges one delta into what a client assembled of its choice: texts joined, lists appended. */
function merge(m: Msg, d: Msg): void {
  for (const [k, v] of Object.entries(d)) {
    if (typeof v === 'string') m[k] = txt(m[k]) + v;
    else if (Array.isArray(v) && (k === 'content' || k === 'tool_calls'))
      m[k] = [...((m[k] as unknown[]) ?? []), ...(v as unknown[])];
    else if (k === 'audio' && v && typeof v === 'object') {
      const a = (m[k] ?? {}) as Msg;
      merge(a, v as Msg);
      m[k] = a;
    }
  }
}

/** What a client assembles from a chat SSE body: per choice, the merged delta fields. */
function assemble(body: string): {
  choices: Map<number, Msg>;
  error: string | undefined;
  logprobs: number;
} {
  const choices = new Map<number, Msg>();
  let error: string | undefined;
  let logprobs = 0;
  for (const block of body.split('\n\n')) {
    const data = block.startsWith('data: ') ? block.slice(6) : undefined;
    if (!data || data === '[DONE]') continue;
    const o = JSON.parse(data) as { error?: { message: string }; choices?: Msg[] };
    if (o.error) error = o.error.message;
    for (const c of o.choices ?? []) {
      const i = c['index'] as number;
      const m = choices.get(i) ?? {};
      if (c['logprobs']) logprobs++;
      merge(m, (c['delta'] ?? {}) as Msg);
      choices.set(i, m);
    }
  }
  return { choices, error, logprobs };
}

describe('chat fields: buffered', () => {
  it.each(CASES)(
    '$name: redacted in its field by the default pack, logprobs dropped',
    async (c) => {
      const r = await send(buffered(c), false);
      expect(r.status).toBe(200);
      expect(r.text).not.toContain(KEY);
      const body = JSON.parse(r.text) as { choices: Msg[] };
      const msg = body.choices[0]!['message'] as Msg;
      expect(c.read(msg)).toContain(RED);
      // Logprobs repeat the text: dropped when a text changed (tool calls have none).
      if (!c.name.startsWith('tool')) expect(body.choices[0]!['logprobs']).toBeNull();
      // The other choice is untouched.
      expect(body.choices[1]!['logprobs']).toEqual(lpOf(plain));
      expect((body.choices[1]!['message'] as Msg)['content']).toBe('plain');
    },
  );

  it.each(CASES)('$name: blocked under a block policy', async (c) => {
    const r = await send(buffered(c), false, blockPack);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.text).not.toContain(KEY);
    expect(r.text).toContain('creds');
  });

  it('an answer with nothing to redact is forwarded byte for byte', async () => {
    const c = CASES[0]!;
    const body = buffered({
      ...c,
      message: { role: 'assistant', content: null, refusal: 'no' },
    }).replace('{"index":0', '{ "index" :0');
    const r = await send(body, false);
    expect(r.text).toBe(body);
  });
});

describe('chat fields: streamed', () => {
  it.each(CASES)('$name: redacted in its field by the default pack', async (c) => {
    const r = await send(streamed(c), true);
    expect(r.text).not.toContain(KEY);
    const v = assemble(r.text);
    expect(v.error).toBeUndefined();
    const m = v.choices.get(0)!;
    if (c.name.startsWith('tool')) {
      const calls = m['tool_calls'] as Msg[];
      expect(c.read({ tool_calls: calls })).toContain(RED);
    } else expect(c.read(m)).toContain(RED);
  });

  it.each(CASES)('$name: blocked under a block policy', async (c) => {
    const r = await send(streamed(c), true, blockPack);
    expect(r.text).not.toContain(KEY);
    // Blocked before any byte went out: a plain 400; after: the in-band error.
    expect(r.status === 400 ? r.text : assemble(r.text).error).toContain('creds');
  });

  it('a frame carrying two choices, both needing redaction, keeps both edits', async () => {
    const body =
      frame({
        ...head,
        choices: [
          {
            index: 0,
            delta: { content: `a ${KEY} b` },
            logprobs: lpOf({ content: `a ${KEY} b` }),
            finish_reason: null,
          },
          {
            index: 1,
            delta: { content: `c ${KEY} d` },
            logprobs: lpOf({ content: `c ${KEY} d` }),
            finish_reason: null,
          },
        ],
      }) +
      frame({
        ...head,
        choices: [
          { index: 0, delta: {}, finish_reason: 'stop' },
          { index: 1, delta: {}, finish_reason: 'stop' },
        ],
      }) +
      'data: [DONE]\n\n';
    const r = await send(body, true);
    expect(r.text).not.toContain(KEY);
    const v = assemble(r.text);
    expect(v.choices.get(0)!['content']).toBe(`a ${RED} b`);
    expect(v.choices.get(1)!['content']).toBe(`c ${RED} d`);
    expect(v.logprobs).toBe(0);
    const blocked = await send(body, true, blockPack);
    expect(blocked.text).not.toContain(KEY);
  });

  it('tool calls of two choices in one frame are each held, checked and redacted', async () => {
    const call = (name: string, args: string) => ({
      tool_calls: [
        { index: 0, id: 'call_1', type: 'function', function: { name, arguments: args } },
      ],
    });
    const body =
      frame({
        ...head,
        choices: [
          { index: 0, delta: call(KEY, '{}'), finish_reason: null },
          { index: 1, delta: call('f', `{"k":"${KEY}"}`), finish_reason: null },
        ],
      }) +
      frame({
        ...head,
        choices: [
          { index: 0, delta: {}, finish_reason: 'tool_calls' },
          { index: 1, delta: {}, finish_reason: 'tool_calls' },
        ],
      }) +
      'data: [DONE]\n\n';
    const r = await send(body, true);
    expect(r.text).not.toContain(KEY);
    const v = assemble(r.text);
    const fn = (c: number) =>
      (v.choices.get(c)!['tool_calls'] as { function: { name: string; arguments: string } }[])[0]!
        .function;
    expect(fn(0).name).toBe(RED);
    expect(fn(1).arguments).toBe(`{"k":"${RED}"}`);
    const blocked = await send(body, true, blockPack);
    expect(blocked.text).not.toContain(KEY);
    expect(blocked.status === 400 ? blocked.text : assemble(blocked.text).error).toContain('creds');
  });

  it('content, refusal and reasoning in one frame are each redacted in place', async () => {
    const body =
      frame({
        ...head,
        choices: [
          {
            index: 0,
            delta: { content: `x ${KEY}`, refusal: `y ${KEY}`, reasoning_content: `z ${KEY}` },
            finish_reason: 'stop',
          },
        ],
      }) + 'data: [DONE]\n\n';
    const r = await send(body, true);
    const m = assemble(r.text).choices.get(0)!;
    expect(m).toMatchObject({
      content: `x ${RED}`,
      refusal: `y ${RED}`,
      reasoning_content: `z ${RED}`,
    });
  });

  it('an unaltered stream with refusal and reasoning is forwarded byte for byte', async () => {
    const body = streamed({
      ...CASES[0]!,
      deltas: [
        { content: '', refusal: 'no' },
        { reasoning_content: 'hmm' },
        { content: [{ type: 'text', text: 'ok' }] },
      ],
    });
    const r = await send(body, true);
    expect(r.text).toBe(body);
  });
});

describe('malformed: what a client could read two ways fails closed', () => {
  const COMPLETIONS = '/v1/completions';
  const cmplHead = { id: 'cmpl-x', object: 'text_completion', created: 1, model: 'm' };
  const chatChoice = (index: number, message: Msg, logprobs: unknown = null) => ({
    index,
    message: { role: 'assistant', ...message },
    logprobs,
    finish_reason: 'stop',
  });
  const chatChunk = (choices: object[]) => frame({ ...head, choices });
  const cmplChunk = (choices: object[]) => frame({ ...cmplHead, choices });
  const stop = (index = 0) => ({ index, delta: {}, logprobs: null, finish_reason: 'stop' });
  const both = {
    id: 'call_1',
    type: 'custom',
    function: { name: 'f', arguments: '{}' },
    custom: { name: 'run', input: said },
  };

  interface Malformed {
    name: string;
    path: string;
    buffered: object;
    /** The SSE frames, before `[DONE]`. */
    streamed: string;
  }
  const MALFORMED: Malformed[] = [
    {
      name: 'chat: two choices with index 0',
      path: CHAT,
      buffered: {
        ...head,
        object: 'chat.completion',
        choices: [chatChoice(0, { content: 'hello' }), chatChoice(0, { content: said })],
      },
      streamed:
        chatChunk([
          { index: 0, delta: { content: 'hello' }, finish_reason: null },
          { index: 0, delta: { content: said }, finish_reason: null },
        ]) + chatChunk([stop()]),
    },
    {
      name: 'completions: two choices with index 0',
      path: COMPLETIONS,
      buffered: {
        ...cmplHead,
        choices: [
          { index: 0, text: 'hello', logprobs: null, finish_reason: 'stop' },
          { index: 0, text: said, logprobs: null, finish_reason: 'stop' },
        ],
      },
      streamed:
        cmplChunk([
          { index: 0, text: 'hello', logprobs: null, finish_reason: null },
          { index: 0, text: said, logprobs: null, finish_reason: null },
        ]) + cmplChunk([{ index: 0, text: '', logprobs: null, finish_reason: 'stop' }]),
    },
    {
      name: 'chat: logprobs content tokens the content does not say',
      path: CHAT,
      buffered: {
        ...head,
        object: 'chat.completion',
        choices: [chatChoice(0, { content: 'key ' }, { content: [tok(KEY)], refusal: null })],
      },
      // The key arrives in the content later; its tokens came first.
      streamed:
        chatChunk([
          {
            index: 0,
            delta: { content: 'key ' },
            logprobs: { content: [tok(KEY)] },
            finish_reason: null,
          },
        ]) +
        chatChunk([{ index: 0, delta: { content: KEY }, finish_reason: null }]) +
        chatChunk([stop()]),
    },
    {
      name: 'chat: logprobs refusal tokens the refusal does not say',
      path: CHAT,
      buffered: {
        ...head,
        object: 'chat.completion',
        choices: [chatChoice(0, { content: null, refusal: 'no' }, { refusal: [tok(KEY)] })],
      },
      streamed:
        chatChunk([
          {
            index: 0,
            delta: { refusal: 'no' },
            logprobs: { content: null, refusal: [tok(KEY)] },
            finish_reason: null,
          },
        ]) + chatChunk([stop()]),
    },
    {
      name: 'completions: logprobs tokens the text does not say',
      path: COMPLETIONS,
      buffered: {
        ...cmplHead,
        choices: [{ index: 0, text: 'key ', logprobs: { tokens: [KEY] }, finish_reason: 'stop' }],
      },
      streamed:
        cmplChunk([{ index: 0, text: 'key ', logprobs: { tokens: [KEY] }, finish_reason: null }]) +
        cmplChunk([{ index: 0, text: KEY, logprobs: null, finish_reason: null }]) +
        cmplChunk([{ index: 0, text: '', logprobs: null, finish_reason: 'stop' }]),
    },
    {
      name: 'chat: a tool call both function and custom',
      path: CHAT,
      buffered: {
        ...head,
        object: 'chat.completion',
        choices: [chatChoice(0, { content: null, tool_calls: [both] })],
      },
      streamed:
        chatChunk([{ index: 0, delta: { tool_calls: [{ index: 0, ...both }] } }]) +
        chatChunk([{ ...stop(), finish_reason: 'tool_calls' }]),
    },
  ];

  async function post(c: Malformed, stream: boolean, policies: typeof defaultPack) {
    const up = new FakeUpstream(() => ({
      headers: stream ? SSE : { 'content-type': 'application/json' },
      chunks: [stream ? `${c.streamed}data: [DONE]\n\n` : JSON.stringify(c.buffered)],
    }));
    const body = c.path === CHAT ? chatBody({ stream }) : { model: 'm', prompt: 'hi', stream };
    const res = await testApp({ upstream: up, policies }).post(c.path, body);
    return { status: res.status, text: await res.text() };
  }

  it.each(MALFORMED)('$name: buffered, a 502 that never carries the key', async (c) => {
    for (const policies of [defaultPack, blockPack]) {
      const r = await post(c, false, policies);
      expect(r.status).toBe(502);
      expect(r.text).not.toContain(KEY);
    }
  });

  it.each(MALFORMED)('$name: streamed, the stream fails closed without the key', async (c) => {
    for (const policies of [defaultPack, blockPack]) {
      const r = await post(c, true, policies);
      expect(r.text).not.toContain(KEY);
      expect(assemble(r.text).error).toBeDefined();
    }
  });

  it('logprobs that spell the text go out as they came, and with a redaction go', async () => {
    const c = MALFORMED[2]!;
    const ok = chatChunk([
      {
        index: 0,
        delta: { content: `key ${KEY}` },
        logprobs: { content: [tok('key '), tok(KEY)] },
        finish_reason: null,
      },
    ]);
    const clean = chatChunk([
      {
        index: 0,
        delta: { content: 'hi' },
        logprobs: { content: [tok('hi')] },
        finish_reason: null,
      },
    ]);
    const r = await post({ ...c, streamed: ok + chatChunk([stop()]) }, true, defaultPack);
    expect(r.text).not.toContain(KEY);
    expect(assemble(r.text)).toMatchObject({ error: undefined, logprobs: 0 });
    const same = `${clean + chatChunk([stop()])}data: [DONE]\n\n`;
    expect(
      (await post({ ...c, streamed: clean + chatChunk([stop()]) }, true, defaultPack)).text,
    ).toBe(same);
  });
});

describe('upstream error bodies', () => {
  const errBody = (status: number) =>
    JSON.stringify({
      error: {
        message: `Invalid key ${KEY} for model`,
        type: status >= 500 ? 'server_error' : 'invalid_request_error',
        param: null,
        code: 'bad',
      },
    });

  it.each([400, 500])('%i: the message is redacted in place, status kept', async (status) => {
    for (const stream of [false, true]) {
      const r = await send(errBody(status), stream, defaultPack, status);
      expect(r.status).toBe(status);
      expect(r.text).not.toContain(KEY);
      const o = JSON.parse(r.text) as { error: { message: string; code: string } };
      expect(o.error.message).toBe(`Invalid key ${RED} for model`);
      expect(o.error.code).toBe('bad');
    }
  });

  it.each([400, 500])(
    '%i: blocked, same status, body replaced by the block error',
    async (status) => {
      const r = await send(errBody(status), false, blockPack, status);
      expect(r.status).toBe(status);
      expect(r.text).not.toContain(KEY);
      const o = JSON.parse(r.text) as { error: { message: string; code: string } };
      expect(o.error.code).toBe('coalmine_policy_violation');
      expect(o.error.message).toContain('creds');
    },
  );

  it('a non-JSON error body is checked whole', async () => {
    const r = await send(`upstream said ${KEY}`, false, defaultPack, 502);
    expect(r.status).toBe(502);
    expect(r.text).toBe(`upstream said ${RED}`);
  });

  it('an error body with nothing to redact is relayed byte for byte', async () => {
    const body = '{ "error" : { "message": "rate limited" } }';
    const r = await send(body, false, defaultPack, 429);
    expect(r.status).toBe(429);
    expect(r.text).toBe(body);
  });
});

describe('what the openai SDK hands the application', () => {
  /** The real SDK over the in-process app (its fetch is the app's), upstream scripted. */
  function sdk(body: string, stream: boolean, policies = defaultPack) {
    const up = new FakeUpstream(() => ({
      headers: stream ? SSE : { 'content-type': 'application/json' },
      chunks: [body],
    }));
    const { app } = testApp({ upstream: up, policies });
    return new OpenAI({
      baseURL: 'http://coalmine.test/v1',
      apiKey: 'sk-test',
      maxRetries: 0,
      fetch: (url: string | URL | Request, init?: RequestInit) =>
        Promise.resolve(app.request(url instanceof Request ? url : String(url), init)),
    });
  }
  const SDK_CASES = CASES.filter((c) =>
    [
      'refusal',
      'content parts',
      'reasoning_content',
      'tool custom input',
      'audio transcript',
    ].includes(c.name),
  );

  it.each(SDK_CASES)('$name, not streamed: redacted in its field', async (c) => {
    const r = await sdk(buffered(c), false).chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
    });
    const msg = r.choices[0]!.message as unknown as Msg;
    expect(JSON.stringify(r)).not.toContain(KEY);
    expect(c.read(msg)).toContain(RED);
  });

  it.each(SDK_CASES)('$name, streamed: redacted in its field', async (c) => {
    const stream = await sdk(streamed(c), true).chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const seen: unknown[] = [];
    for await (const chunk of stream) seen.push(chunk);
    expect(JSON.stringify(seen)).not.toContain(KEY);
    const m: Msg = {};
    for (const ch of seen as { choices: { delta: Msg }[] }[]) merge(m, ch.choices[0]?.delta ?? {});
    expect(c.read(m)).toContain(RED);
  });

  it.each(SDK_CASES)('$name: a block policy raises an error, never the key', async (c) => {
    await expect(
      sdk(buffered(c), false, blockPack).chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    ).rejects.toThrow(/creds/);
    const seen: unknown[] = [];
    await expect(
      (async () => {
        const stream = await sdk(streamed(c), true, blockPack).chat.completions.create({
          model: 'm',
          messages: [{ role: 'user', content: 'hi' }],
          stream: true,
        });
        for await (const chunk of stream) seen.push(chunk);
      })(),
    ).rejects.toThrow(/creds/);
    expect(JSON.stringify(seen)).not.toContain(KEY);
  });
});

describe('a refusal field is a refusal', () => {
  it('the refusal check fails on message.refusal (content null)', async () => {
    const refusals = policySetFrom({
      'r.yaml': `name: r
rules:
  - id: no-refusals
    check: refusal
    action: block
`,
    });
    const body = buffered({
      ...CASES[0]!,
      message: { role: 'assistant', content: null, refusal: 'Nope.' },
    });
    const r = await send(body, false, refusals);
    expect(r.status).toBe(400);
    expect(r.text).toContain('no-refusals');
  });
});

describe('a rule may opt out of reasoning text (`reasoning: false`)', () => {
  const optOut = policySetFrom({
    'o.yaml': `name: o
rules:
  - id: creds
    check: secrets
    action: block
    reasoning: false
`,
  });
  const c = CASES.find((x) => x.name === 'reasoning_content')!;

  it('buffered and streamed: reasoning passes, content is still checked', async () => {
    const b = await send(buffered(c), false, optOut);
    expect(b.status).toBe(200);
    expect(b.text).toContain(KEY);
    const s = await send(streamed(c), true, optOut);
    expect(s.text).toBe(streamed(c));
    const content = await send(buffered(CASES[2]!), false, optOut);
    expect(content.status).toBe(400);
  });
});
