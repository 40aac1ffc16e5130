/**
 * Every text of an OpenAI Responses answer a client can read is checked — the reasoning
 * (summaries and reasoning texts), the message, function names, call ids and arguments —
 * buffered and streamed; streamed, a redaction reaches the deltas and every snapshot that
 * repeats them (`*.done`, `output_item.done`, `response.completed`). And what Coalmine forwards
 * is what it checked: a stream whose snapshots say what its deltas did not ends with the
 * in-band error, so the SDK's `finalResponse()` never holds an unchecked secret.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.js';
import { FakeUpstream } from '../helpers/fake-upstream.js';
import { defaultPackSet, policySetFrom } from '../helpers/policy.js';

const KEY = 'AKIAQYLPMN5HHHFPZAM2';
const RED = '[REDACTED:leaked-credentials]';
const PATH = '/v1/responses';
const SSE = { 'content-type': 'text/event-stream' };
const JSON_CT = { 'content-type': 'application/json' };

const defaultPack = defaultPackSet();
const blockPack = policySetFrom({
  'b.yaml': `name: strict
rules:
  - id: creds
    check: secrets
    action: block
`,
});

/** The texts of one answer: a reasoning item, a message and a function call. */
interface Texts {
  summary: string;
  reasoning: string;
  text: string;
  name: string;
  callId: string;
  args: string;
}
type Field = keyof Texts;
const CLEAN: Texts = {
  summary: 'Thinking about the weather.',
  reasoning: 'Paris is a city.',
  text: 'Let me look it up.',
  name: 'lookup',
  callId: 'call_1',
  args: '{"city":"Paris"}',
};
const SAID = `the key ${KEY} works`;
/** The clean answer with a secret in one field (names and ids are bare tokens). */
const withKey = (f: Field): Texts => ({
  ...CLEAN,
  [f]: f === 'args' ? `{"note":"${SAID}"}` : f === 'name' || f === 'callId' ? KEY : SAID,
});
const FIELDS: Field[] = ['summary', 'reasoning', 'text', 'name', 'callId', 'args'];
const isReasoning = (f: Field) => f === 'summary' || f === 'reasoning';
/** The fields that are other texts than `f` (summary and reasoning text are one text). */
const others = (f: Field) => FIELDS.filter((g) => g !== f && !(isReasoning(f) && isReasoning(g)));
/** A field of the clean answer as `readOutput` reads it. */
const clean = (f: Field) => (isReasoning(f) ? CLEAN.summary + CLEAN.reasoning : CLEAN[f]);

const items = (t: Texts) => [
  {
    type: 'reasoning',
    id: 'rs_1',
    summary: [{ type: 'summary_text', text: t.summary }],
    content: [{ type: 'reasoning_text', text: t.reasoning }],
    encrypted_content: 'opaque-blob',
  },
  {
    type: 'message',
    id: 'msg_1',
    role: 'assistant',
    status: 'completed',
    content: [{ type: 'output_text', text: t.text, annotations: [], logprobs: [] }],
  },
  {
    type: 'function_call',
    id: 'fc_1',
    call_id: t.callId,
    name: t.name,
    arguments: t.args,
    status: 'completed',
  },
];
const response = (t: Texts, status: string, extra: object = {}) => ({
  id: 'resp_1',
  object: 'response',
  created_at: 1,
  model: 'o4-mini',
  status,
  output: status === 'in_progress' ? [] : items(t),
  usage: { input_tokens: 5, output_tokens: 9, total_tokens: 14 },
  ...extra,
});

/**
 * A Responses stream of `deltas`; every snapshot repeats `final` (what the deltas said,
 * unless a test makes it lie), the final response also as an `output_text` string if asked.
 */
function stream(deltas: Texts, final: Texts = deltas, outputText?: string): string {
  let seq = 0;
  const ev = (type: string, o: object) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...o })}\n\n`;
  const halves = (s: string) => [s.slice(0, 7), s.slice(7)];
  const [rs, msg, call] = items(final);
  const R = { item_id: 'rs_1', output_index: 0 };
  const M = { item_id: 'msg_1', output_index: 1, content_index: 0 };
  const F = { item_id: 'fc_1', output_index: 2 };
  const opened = { ...call, call_id: deltas.callId, name: deltas.name, arguments: '' };
  return [
    ev('response.created', { response: response(deltas, 'in_progress') }),
    ev('response.output_item.added', {
      output_index: 0,
      item: { ...rs, summary: [], content: [] },
    }),
    ev('response.reasoning_summary_part.added', {
      ...R,
      summary_index: 0,
      part: { type: 'summary_text', text: '' },
    }),
    ...halves(deltas.summary).map((d) =>
      ev('response.reasoning_summary_text.delta', { ...R, summary_index: 0, delta: d }),
    ),
    ev('response.reasoning_summary_text.done', { ...R, summary_index: 0, text: final.summary }),
    ev('response.reasoning_summary_part.done', {
      ...R,
      summary_index: 0,
      part: { type: 'summary_text', text: final.summary },
    }),
    ev('response.content_part.added', {
      ...R,
      content_index: 0,
      part: { type: 'reasoning_text', text: '' },
    }),
    ...halves(deltas.reasoning).map((d) =>
      ev('response.reasoning_text.delta', { ...R, content_index: 0, delta: d }),
    ),
    ev('response.reasoning_text.done', { ...R, content_index: 0, text: final.reasoning }),
    ev('response.content_part.done', {
      ...R,
      content_index: 0,
      part: { type: 'reasoning_text', text: final.reasoning },
    }),
    ev('response.output_item.done', { output_index: 0, item: rs }),
    ev('response.output_item.added', { output_index: 1, item: { ...msg, content: [] } }),
    ev('response.content_part.added', {
      ...M,
      part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
    }),
    ...halves(deltas.text).map((d) =>
      ev('response.output_text.delta', { ...M, delta: d, logprobs: [] }),
    ),
    ev('response.output_text.done', { ...M, text: final.text, logprobs: [] }),
    ev('response.content_part.done', { ...M, part: (msg as { content: object[] }).content[0] }),
    ev('response.output_item.done', { output_index: 1, item: msg }),
    ev('response.output_item.added', { output_index: 2, item: opened }),
    ...halves(deltas.args).map((d) =>
      ev('response.function_call_arguments.delta', { ...F, delta: d }),
    ),
    ev('response.function_call_arguments.done', { ...F, name: final.name, arguments: final.args }),
    ev('response.output_item.done', { output_index: 2, item: call }),
    ev('response.completed', {
      response: response(
        final,
        'completed',
        outputText === undefined ? {} : { output_text: outputText },
      ),
    }),
  ].join('');
}

async function send(body: string, streamed: boolean, policies = defaultPack) {
  const up = new FakeUpstream(() => ({ headers: streamed ? SSE : JSON_CT, chunks: [body] }));
  const res = await testApp({ upstream: up, policies }).post(PATH, {
    model: 'o4-mini',
    input: 'hi',
    stream: streamed,
  });
  return { status: res.status, text: await res.text() };
}

interface Part {
  type?: string;
  text?: string;
}
interface Item {
  type?: string;
  summary?: Part[];
  content?: Part[];
  encrypted_content?: string;
  call_id?: string;
  name?: string;
  arguments?: string;
}
/** The fields of a Responses stream event (or body) these tests read. */
interface Data {
  code?: string;
  delta?: string;
  text?: string;
  name?: string;
  arguments?: string;
  part?: Part;
  item?: Item;
  output?: Item[];
  response?: { output: Item[] };
}
const events = (body: string): { event: string; data: Data }[] =>
  body
    .split('\n\n')
    .filter(Boolean)
    .map((b) => ({
      event: /^event: (.*)$/m.exec(b)?.[1] ?? '',
      data: JSON.parse(/^data: (.*)$/m.exec(b)?.[1] ?? '{}') as Data,
    }));

/**
 * A field of a complete response's output, every part joined (items absent read as empty).
 * Summary and reasoning text are one text, the reasoning: a redaction puts it whole in the
 * first part.
 */
function readOutput(output: (Item | undefined)[], f: Field): string {
  const [rs, msg, call] = output;
  const join = (parts: Part[] | undefined) => (parts ?? []).map((p) => p.text ?? '').join('');
  switch (f) {
    case 'summary':
    case 'reasoning':
      return join(rs?.summary) + join(rs?.content);
    case 'text':
      return join(msg?.content);
    case 'name':
      return call?.name ?? '';
    case 'callId':
      return call?.call_id ?? '';
    case 'args':
      return call?.arguments ?? '';
  }
}

/** Which output item (by index in these streams) holds a field. */
const itemOf = (f: Field) => (isReasoning(f) ? 0 : f === 'text' ? 1 : 2);
const ITEM_TYPES = ['reasoning', 'message', 'function_call'];

/**
 * Every place a streamed field shows: its deltas (joined; the opening item for a call's name
 * and id) and each snapshot that repeats it, by event.
 */
function views(body: string, f: Field): Map<string, string> {
  const out = new Map<string, string>();
  const add = (k: string, v: string | undefined) => out.set(k, (out.get(k) ?? '') + (v ?? ''));
  const at = itemOf(f);
  const alone = (item: Item) => readOutput(Object.assign([], { [at]: item }), f);
  for (const { event, data: d } of events(body)) {
    const ofItem = d.item?.type === ITEM_TYPES[at];
    if (f === 'summary') {
      if (event === 'response.reasoning_summary_text.delta') add('deltas', d.delta);
      if (event === 'response.reasoning_summary_text.done') add(event, d.text);
      if (event === 'response.reasoning_summary_part.done') add(event, d.part?.text);
    } else if (f === 'reasoning') {
      if (event === 'response.reasoning_text.delta') add('deltas', d.delta);
      if (event === 'response.reasoning_text.done') add(event, d.text);
      if (event === 'response.content_part.done' && d.part?.type === 'reasoning_text')
        add(event, d.part.text);
    } else if (f === 'text') {
      if (event === 'response.output_text.delta') add('deltas', d.delta);
      if (event === 'response.output_text.done') add(event, d.text);
      if (event === 'response.content_part.done' && d.part?.type === 'output_text')
        add(event, d.part.text);
    } else {
      if (event === 'response.function_call_arguments.delta' && f === 'args')
        add('deltas', d.delta);
      if (event === 'response.output_item.added' && ofItem && f !== 'args')
        add(event, alone(d.item!));
      if (event === 'response.function_call_arguments.done' && f !== 'callId')
        add(event, f === 'name' ? d.name : d.arguments);
    }
    if (event === 'response.output_item.done' && ofItem) add(event, alone(d.item!));
    if (event === 'response.completed') add(event, readOutput(d.response!.output, f));
  }
  return out;
}

describe('responses fields: buffered', () => {
  it.each(FIELDS)('%s: redacted in its field by the default pack', async (f) => {
    const r = await send(JSON.stringify(response(withKey(f), 'completed')), false);
    expect(r.status).toBe(200);
    expect(r.text).not.toContain(KEY);
    const out = (JSON.parse(r.text) as Data).output!;
    expect(readOutput(out, f)).toContain(RED);
    for (const g of others(f)) expect(readOutput(out, g)).toBe(clean(g));
    // Encrypted reasoning is opaque: left as it was.
    expect(out[0]!.encrypted_content).toBe('opaque-blob');
  });

  it.each(FIELDS)('%s: blocked under a block policy', async (f) => {
    const r = await send(JSON.stringify(response(withKey(f), 'completed')), false, blockPack);
    expect(r.status).toBe(400);
    expect(r.text).not.toContain(KEY);
    expect(r.text).toContain('creds');
  });

  it('an output_text string the output does not say is a malformed body', async () => {
    const body = JSON.stringify(response(CLEAN, 'completed', { output_text: SAID }));
    const r = await send(body, false);
    expect(r.status).toBeGreaterThanOrEqual(500);
    expect(r.text).not.toContain(KEY);
  });

  it('an answer with nothing to redact is forwarded byte for byte', async () => {
    const body = JSON.stringify(response(CLEAN, 'completed'), null, 1);
    expect((await send(body, false)).text).toBe(body);
  });
});

describe('responses fields: streamed', () => {
  it.each(FIELDS)(
    '%s: redacted in the deltas and in every snapshot (done events, items, completed)',
    async (f) => {
      const r = await send(stream(withKey(f)), true);
      expect(r.text).not.toContain(KEY);
      expect(r.text).not.toContain('event: error');
      const seen = views(r.text, f);
      expect(seen.size).toBeGreaterThanOrEqual(3);
      for (const [where, v] of seen) expect(v, where).toContain(RED);
      // The other texts are as streamed. (A snapshot of one part may take the whole text of
      // its field, by the first-part rule; items and the final response keep their parts.)
      for (const g of others(f))
        for (const [where, v] of views(r.text, g)) {
          expect(v, `${g} in ${where}`).not.toContain(RED);
          if (where === 'response.output_item.done' || where === 'response.completed')
            expect(v, `${g} in ${where}`).toBe(clean(g));
        }
    },
  );

  it.each(FIELDS)('%s: blocked under a block policy', async (f) => {
    const r = await send(stream(withKey(f)), true, blockPack);
    expect(r.text).not.toContain(KEY);
    // Blocked before any byte went out: a plain 400; after: the in-band error event.
    if (r.status === 400) expect(r.text).toContain('creds');
    else {
      const last = events(r.text).at(-1)!;
      expect(last.event).toBe('error');
      expect(JSON.stringify(last.data)).toContain('creds');
    }
  });

  it('an unaltered stream with reasoning is forwarded byte for byte', async () => {
    const body = stream(CLEAN, CLEAN, CLEAN.text);
    expect((await send(body, true)).text).toBe(body);
  });

  const LIES: { name: string; body: string }[] = [
    ...FIELDS.map((f) => ({ name: `${f} in every snapshot`, body: stream(CLEAN, withKey(f)) })),
    ...FIELDS.map((f) => {
      // Only the final response lies.
      const body = stream(CLEAN);
      const i = body.indexOf('event: response.completed');
      const completed = JSON.stringify(response(withKey(f), 'completed'));
      const rest = body
        .slice(i)
        .replace(/"response":\{.*\}\}\n\n$/, `"response":${completed}}\n\n`);
      return { name: `${f} only in response.completed`, body: body.slice(0, i) + rest };
    }),
    { name: 'an output_text string', body: stream(CLEAN, CLEAN, SAID) },
  ];

  it.each(LIES)(
    'benign deltas, a secret in the snapshots ($name) → the in-band error, never the secret',
    async (c) => {
      expect(c.body).toContain(KEY);
      for (const policies of [defaultPack, blockPack, undefined]) {
        const r = await send(c.body, true, policies);
        expect(r.text).not.toContain(KEY);
        const last = events(r.text).at(-1)!;
        expect(last.event).toBe('error');
        expect(last.data.code).toBe('upstream_malformed_body');
      }
    },
  );
});

describe('what the openai SDK hands the application (Responses)', () => {
  /** The real SDK over the in-process app (its fetch is the app's), upstream scripted. */
  function sdk(body: string, streamed: boolean, policies = defaultPack) {
    const up = new FakeUpstream(() => ({ headers: streamed ? SSE : JSON_CT, chunks: [body] }));
    const { app } = testApp({ upstream: up, policies });
    return new OpenAI({
      baseURL: 'http://coalmine.test/v1',
      apiKey: 'sk-test',
      maxRetries: 0,
      fetch: (url: string | URL | Request, init?: RequestInit) =>
        Promise.resolve(app.request(url instanceof Request ? url : String(url), init)),
    });
  }
  const req = { model: 'o4-mini', input: 'hi' };

  /** Every event of `responses.create({stream: true})`, and the error it ended with. */
  async function created(body: string, policies = defaultPack) {
    const seen: unknown[] = [];
    try {
      const s = await sdk(body, true, policies).responses.create({ ...req, stream: true });
      for await (const e of s) seen.push(e);
      return { seen: JSON.stringify(seen), error: undefined };
    } catch (error) {
      return { seen: JSON.stringify(seen), error };
    }
  }

  it.each(FIELDS)('%s: redacted in every event and in finalResponse()', async (f) => {
    const body = stream(withKey(f));
    const c = await created(body);
    expect(c.error).toBeUndefined();
    expect(c.seen).not.toContain(KEY);
    expect(c.seen).toContain(RED);
    const final = await sdk(body, true).responses.stream(req).finalResponse();
    expect(JSON.stringify(final)).not.toContain(KEY);
    expect(readOutput(final.output as Item[], f)).toContain(RED);
  });

  it('reasoning, not streamed: redacted', async () => {
    const r = await sdk(
      JSON.stringify(response(withKey('summary'), 'completed')),
      false,
    ).responses.create(req);
    expect(JSON.stringify(r)).not.toContain(KEY);
    expect(readOutput(r.output as Item[], 'summary')).toContain(RED);
  });

  it.each([
    ['the final response', stream(CLEAN, withKey('text'))],
    ['the output_text string', stream(CLEAN, CLEAN, SAID)],
    ['the reasoning summary snapshots', stream(CLEAN, withKey('summary'))],
  ])('a secret only in %s: the SDK raises, the app never sees it', async (_n, body) => {
    const c = await created(body);
    expect(c.error).toBeInstanceOf(OpenAI.APIError);
    expect(c.seen).not.toContain(KEY);
    const s = sdk(body, true).responses.stream(req);
    const seen: unknown[] = [];
    s.on('event', (e) => seen.push(e));
    await expect(s.finalResponse()).rejects.toThrow();
    expect(JSON.stringify(seen)).not.toContain(KEY);
  });

  it('a block policy raises the SDK error, never the key', async () => {
    const c = await created(stream(withKey('summary')), blockPack);
    expect(String(c.error)).toMatch(/creds/);
    expect(c.seen).not.toContain(KEY);
  });
});
