/**
 * Out-of-order streams fail closed. The gate checks a text as its deltas in stream order; the
 * SDKs assemble the answer in part order. An upstream that streams a later part before an
 * earlier one would hand the application a joined text no rule checked: `QYLPMN5HHHFPZAM2`
 * then ` AKIA` was checked as "QYLPMN5HHHFPZAM2 AKIA" and read as " AKIAQYLPMN5HHHFPZAM2".
 * Each case: the SDK, pointed straight at the upstream, joins the key (the hole is real); through
 * Coalmine, the SDK raises and never holds it; the same parts in order are redacted.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.js';
import { FakeUpstream } from '../helpers/fake-upstream.js';
import { defaultPackSet } from '../helpers/policy.js';

const KEY = 'AKIAQYLPMN5HHHFPZAM2';
const [HEAD, TAIL] = [' AKIA', 'QYLPMN5HHHFPZAM2'];
const RED = '[REDACTED:leaked-credentials]';
const defaultPack = defaultPackSet();

/** A typed SSE event (Responses and Anthropic both repeat the event name as `type`). */
const typed = (type: string, o: object = {}) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...o })}\n\n`;

/** A fetch for an SDK: through the in-process app over a scripted upstream, or straight to it. */
function fetchFor(body: string, via: 'coalmine' | 'direct') {
  if (via === 'direct')
    return () =>
      Promise.resolve(new Response(body, { headers: { 'content-type': 'text/event-stream' } }));
  const up = new FakeUpstream(() => ({
    headers: { 'content-type': 'text/event-stream' },
    chunks: [body],
  }));
  const { app } = testApp({ upstream: up, policies: defaultPack });
  return (url: string | URL | Request, init?: RequestInit) =>
    Promise.resolve(app.request(url instanceof Request ? url : String(url), init));
}

/** What the application got: the final answer (serialised) and the joined text, or the error. */
async function run(final: () => Promise<unknown>, join: (r: never) => string) {
  try {
    const r = await final();
    return { text: JSON.stringify(r), joined: join(r as never), error: undefined };
  } catch (error) {
    return { text: '', joined: '', error };
  }
}

// ---- Responses ------------------------------------------------------------------------------

interface RItem {
  type: string;
  content?: { text?: string }[];
  summary?: { text?: string }[];
}
const message = (texts: string[]): RItem =>
  ({
    type: 'message',
    id: 'msg',
    role: 'assistant',
    status: 'completed',
    content: texts.map((text) => ({ type: 'output_text', text, annotations: [] })),
  }) as RItem;
const reasoning = (texts: string[]): RItem =>
  ({
    type: 'reasoning',
    id: 'rs',
    summary: texts.map((text) => ({ type: 'summary_text', text })),
  }) as RItem;
const responseOf = (status: string, output: RItem[]) => ({
  id: 'resp_1',
  object: 'response',
  created_at: 1,
  model: 'o4-mini',
  status,
  output,
});

/** One streamed text: which event carries it, at which item and part. */
interface Piece {
  out: number;
  part: number;
  text: string;
}
/** A Responses stream: the items announced (empty), their parts, the pieces in the order given. */
function responsesStream(kind: 'message' | 'reasoning', items: string[][], order: Piece[]) {
  const item = kind === 'message' ? message : reasoning;
  const frames = [typed('response.created', { response: responseOf('in_progress', []) })];
  items.forEach((texts, out) => {
    frames.push(typed('response.output_item.added', { output_index: out, item: item([]) }));
    texts.forEach((_t, part) =>
      frames.push(
        kind === 'message'
          ? typed('response.content_part.added', {
              output_index: out,
              content_index: part,
              part: { type: 'output_text', text: '', annotations: [] },
            })
          : typed('response.reasoning_summary_part.added', {
              output_index: out,
              summary_index: part,
              part: { type: 'summary_text', text: '' },
            }),
      ),
    );
  });
  for (const p of order)
    frames.push(
      kind === 'message'
        ? typed('response.output_text.delta', {
            output_index: p.out,
            content_index: p.part,
            delta: p.text,
          })
        : typed('response.reasoning_summary_text.delta', {
            output_index: p.out,
            summary_index: p.part,
            delta: p.text,
          }),
    );
  frames.push(typed('response.completed', { response: responseOf('completed', items.map(item)) }));
  return frames.join('');
}

/** The joined text the application reads: `output_text`, or every summary joined. */
const joinResponse = (kind: 'message' | 'reasoning') => (r: OpenAI.Responses.Response) =>
  kind === 'message'
    ? r.output_text
    : (r.output as RItem[]).flatMap((i) => (i.summary ?? []).map((s) => s.text ?? '')).join('');

const RESPONSES: [string, 'message' | 'reasoning', string[][], Piece[]][] = [
  [
    'content part 1 before part 0',
    'message',
    [[HEAD, TAIL]],
    [
      { out: 0, part: 1, text: TAIL },
      { out: 0, part: 0, text: HEAD },
    ],
  ],
  [
    'message item 1 before item 0',
    'message',
    [[HEAD], [TAIL]],
    [
      { out: 1, part: 0, text: TAIL },
      { out: 0, part: 0, text: HEAD },
    ],
  ],
  [
    'summary part 1 before part 0',
    'reasoning',
    [[HEAD, TAIL]],
    [
      { out: 0, part: 1, text: TAIL },
      { out: 0, part: 0, text: HEAD },
    ],
  ],
];

describe('Responses: parts streamed out of order (openai SDK, responses.stream())', () => {
  const openai = (body: string, via: 'coalmine' | 'direct') =>
    new OpenAI({
      baseURL: 'http://coalmine.test/v1',
      apiKey: 'sk-test',
      maxRetries: 0,
      fetch: fetchFor(body, via),
    });
  const final = (body: string, via: 'coalmine' | 'direct') => () =>
    openai(body, via).responses.stream({ model: 'o4-mini', input: 'hi' }).finalResponse();

  it.each(RESPONSES)('%s: the SDK alone joins the key', async (_n, kind, items, order) => {
    const got = await run(final(responsesStream(kind, items, order), 'direct'), joinResponse(kind));
    expect(got.joined).toContain(KEY);
  });

  it.each(RESPONSES)(
    '%s: through Coalmine the SDK raises, the key never reaches it',
    async (_n, kind, items, order) => {
      const got = await run(
        final(responsesStream(kind, items, order), 'coalmine'),
        joinResponse(kind),
      );
      expect(got.error).toBeInstanceOf(OpenAI.APIError);
      expect(String(got.error)).toMatch(/malformed/);
      expect(got.text).not.toContain(KEY);
    },
  );

  it.each(RESPONSES)('%s, in order: redacted', async (_n, kind, items, order) => {
    const inOrder = [...order].sort((a, b) => a.out - b.out || a.part - b.part);
    const got = await run(
      final(responsesStream(kind, items, inOrder), 'coalmine'),
      joinResponse(kind),
    );
    expect(got.error).toBeUndefined();
    expect(got.text).not.toContain(KEY);
    expect(got.joined).toContain(RED);
  });
});

// ---- Anthropic Messages -----------------------------------------------------------------------

/** An Anthropic message stream around the given content-block frames. */
const anthropicStream = (...blockFrames: string[]) =>
  [
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
    }),
    ...blockFrames,
    typed('message_delta', {
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 9 },
    }),
    typed('message_stop'),
  ].join('');
const start = (index: number) =>
  typed('content_block_start', { index, content_block: { type: 'text', text: '' } });
const delta = (index: number, text: string) =>
  typed('content_block_delta', { index, delta: { type: 'text_delta', text } });
const stop = (index: number) => typed('content_block_stop', { index });

describe('Anthropic: blocks streamed out of order (@anthropic-ai/sdk, messages.stream())', () => {
  const final = (body: string, via: 'coalmine' | 'direct') => () =>
    new Anthropic({
      baseURL: 'http://coalmine.test',
      apiKey: 'sk-ant-test',
      maxRetries: 0,
      fetch: fetchFor(body, via),
    }).messages
      .stream({
        model: 'claude-x',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'hi' }],
      })
      .finalMessage();
  const join = (m: Anthropic.Message) =>
    m.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  // Blocks 0 and 1 started, block 1's text sent before block 0's.
  const outOfOrder = anthropicStream(
    start(0),
    start(1),
    delta(1, TAIL),
    delta(0, HEAD),
    stop(0),
    stop(1),
  );
  const inOrder = anthropicStream(
    start(0),
    delta(0, HEAD),
    stop(0),
    start(1),
    delta(1, TAIL),
    stop(1),
  );

  it('the SDK alone joins the key', async () => {
    expect((await run(final(outOfOrder, 'direct'), join)).joined).toContain(KEY);
  });

  it('through Coalmine the SDK raises, the key never reaches it', async () => {
    const got = await run(final(outOfOrder, 'coalmine'), join);
    expect(got.error).toBeInstanceOf(Anthropic.APIError);
    expect(String(got.error)).toMatch(/malformed/);
    expect(got.text).not.toContain(KEY);
  });

  it('in order: redacted', async () => {
    const got = await run(final(inOrder, 'coalmine'), join);
    expect(got.error).toBeUndefined();
    expect(got.text).not.toContain(KEY);
    expect(got.joined).toContain(RED);
  });
});
