/**
 * Issue 13, acceptance 6: the enforcement guarantee, judged by the real SDKs. For every wire
 * format, a property places a secret in a random field the client can read (content,
 * refusal, reasoning/thinking, tool names and arguments, another choice of the same frame,
 * text carried by an opening frame), splits it into random pieces, frames the stream in a
 * random WHATWG-valid way (LF / CR / CRLF line ends, a BOM, `data:` with or without the
 * space, comments, data over several lines), writes it in random TCP pieces from a real
 * upstream socket, and reads it through a real proxy with the vendor's SDK (openai,
 * @anthropic-ai/sdk, ollama). Whatever the SDK hands the application — every chunk or event,
 * every buffered body — must not contain the secret: with the default pack (redact) the
 * answer arrives with a redaction marker, with a blocking pack the SDK raises the error.
 * Secrets: a fixed-prefix key, the same key with an invisible character inside (item 4), and
 * a keyword-and-value password whose value must not leak even in part (item 5).
 */
import Anthropic from '@anthropic-ai/sdk';
import fc from 'fast-check';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../../src/main.js';
import type { HostileUpstream } from '../helpers/hostile-upstream.js';
import { hostileUpstream, send } from '../helpers/hostile-upstream.js';
import { chunked } from '../helpers/fixtures.js';
import { policyProxies } from '../helpers/proxy.js';
import { splitBy } from '../helpers/stream-props.js';

const KEY = 'AKIAQYLPMN5HHHFPZAM2';
const VALUE = 'Vq7rT2mK9wZ4pLx8';
/** Characters Unicode says to ignore in rendering, each of which once hid a key. */
const IGNORABLE = ['\u200b', '\u00ad', '\u200e', '\u2060', '\u034f', '\u3164', '\ufeff', '\u180e'];

/** Where a field's text comes from: prose may carry any secret; a name only a bare token. */
type Kind = 'text' | 'name';
interface Field {
  name: string;
  kind: Kind;
  /** The field exists in a buffered answer too. */
  buffered: boolean;
  /** Only the stream's summary frames carry the secret: always refused (redact can't fix a lie). */
  snapshotOnly?: boolean;
}

/** One logical stream frame: an SSE event (named or not) or an NDJSON line. */
interface Logical {
  event?: string;
  data: unknown;
}

interface Seen {
  /** Everything the SDK handed the application, serialised. */
  text: string;
  error: unknown;
}

interface Wire {
  name: string;
  /** Upstream prefix of the proxy route. */
  prefix: string;
  ndjson?: boolean;
  fields: Field[];
  frames(field: Field, pieces: string[]): Logical[];
  body(field: Field, text: string): unknown;
  read(base: string, stream: boolean): Promise<Seen>;
}

const text = (name: string, buffered = true): Field => ({ name, kind: 'text', buffered });
const name = (n: string, buffered = true): Field => ({ name: n, kind: 'name', buffered });

/** Reads an SDK's stream to its end (or error), serialising every item. */
async function collect(items: AsyncIterable<unknown>): Promise<Seen> {
  let out = '';
  try {
    for await (const x of items) out += JSON.stringify(x) + '\n';
    return { text: out, error: undefined };
  } catch (error) {
    return { text: out, error };
  }
}
async function whole(p: () => Promise<unknown>): Promise<Seen> {
  try {
    return { text: JSON.stringify(await p()), error: undefined };
  } catch (error) {
    return { text: '', error };
  }
}

const chunk = (choices: unknown[]) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-4o-mini',
  choices,
});
const delta = (d: object, index = 0, finish: string | null = null) => ({
  index,
  delta: d,
  logprobs: null,
  finish_reason: finish,
});

const openaiChat: Wire = {
  name: 'OpenAI chat',
  prefix: '',
  fields: [
    text('content'),
    text('refusal'),
    text('reasoning_content'),
    text('reasoning'),
    text('tool arguments'),
    name('tool name'),
    text('function_call arguments'),
    text('choice 1'),
  ],
  frames(f, ps) {
    const one = (d: (p: string) => object, open?: object, finish = 'stop'): Logical[] => [
      ...(open ? [{ data: chunk([delta(open)]) }] : []),
      ...ps.map((p) => ({ data: chunk([delta(d(p))]) })),
      { data: chunk([delta({}, 0, finish)]) },
      { data: '[DONE]' },
    ];
    switch (f.name) {
      case 'content':
        return one((p) => ({ content: p }), { role: 'assistant', content: '' });
      case 'refusal':
        return one((p) => ({ refusal: p }), { role: 'assistant', content: '' });
      case 'reasoning_content':
      case 'reasoning':
        return one((p) => ({ [f.name]: p }), { role: 'assistant' });
      case 'tool arguments':
        return one(
          (p) => ({ tool_calls: [{ index: 0, function: { arguments: p } }] }),
          {
            tool_calls: [
              {
                index: 0,
                id: 'call_1',
                type: 'function',
                function: { name: 'send', arguments: '' },
              },
            ],
          },
          'tool_calls',
        );
      case 'tool name':
        return one(
          (p) => ({ tool_calls: [{ index: 0, function: { name: p } }] }),
          {
            tool_calls: [
              { index: 0, id: 'call_1', type: 'function', function: { name: '', arguments: '' } },
            ],
          },
          'tool_calls',
        );
      case 'function_call arguments':
        return one(
          (p) => ({ function_call: { arguments: p } }),
          { role: 'assistant', function_call: { name: 'send', arguments: '' } },
          'function_call',
        );
      default:
        // Choice 1 rides in the same frames as a benign choice 0.
        return [
          ...ps.map((p) => ({
            data: chunk([delta({ content: 'ok ' }), delta({ content: p }, 1)]),
          })),
          { data: chunk([delta({}, 0, 'stop'), delta({}, 1, 'stop')]) },
          { data: '[DONE]' },
        ];
    }
  },
  body(f, t) {
    const message =
      f.name === 'content' || f.name === 'choice 1'
        ? { content: f.name === 'content' ? t : 'ok' }
        : f.name === 'refusal'
          ? { content: null, refusal: t }
          : f.name.startsWith('reasoning')
            ? { content: 'done', [f.name]: t }
            : f.name === 'function_call arguments'
              ? { content: null, function_call: { name: 'send', arguments: t } }
              : {
                  content: null,
                  tool_calls: [
                    {
                      id: 'call_1',
                      type: 'function',
                      function:
                        f.name === 'tool name'
                          ? { name: t, arguments: '{}' }
                          : { name: 'send', arguments: t },
                    },
                  ],
                };
    const choices = [
      {
        index: 0,
        message: { role: 'assistant', ...message },
        logprobs: null,
        finish_reason: 'stop',
      },
    ];
    if (f.name === 'choice 1')
      choices.push({
        index: 1,
        message: { role: 'assistant', content: t },
        logprobs: null,
        finish_reason: 'stop',
      });
    return {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o-mini',
      choices,
    };
  },
  read(base, stream) {
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'sk-test', maxRetries: 0 });
    const req = {
      model: 'gpt-4o-mini',
      n: 2,
      messages: [{ role: 'user' as const, content: 'hi' }],
    };
    return stream
      ? collect({
          async *[Symbol.asyncIterator]() {
            yield* await client.chat.completions.create({ ...req, stream: true });
          },
        })
      : whole(() => client.chat.completions.create(req));
  },
};

const completion = (choices: unknown[]) => ({
  id: 'cmpl-1',
  object: 'text_completion',
  created: 1,
  model: 'gpt-3.5-turbo-instruct',
  choices,
});
const openaiCompletions: Wire = {
  name: 'OpenAI completions',
  prefix: '',
  fields: [text('text'), text('choice 1')],
  frames(f, ps) {
    const c = (t: string, index: number, finish: string | null = null) => ({
      index,
      text: t,
      logprobs: null,
      finish_reason: finish,
    });
    return [
      ...ps.map((p) => ({
        data: completion(f.name === 'text' ? [c(p, 0)] : [c('ok ', 0), c(p, 1)]),
      })),
      { data: completion([c('', 0, 'stop'), c('', 1, 'stop')]) },
      { data: '[DONE]' },
    ];
  },
  body(f, t) {
    const c = (x: string, index: number) => ({
      index,
      text: x,
      logprobs: null,
      finish_reason: 'stop',
    });
    return completion(f.name === 'text' ? [c(t, 0)] : [c('ok', 0), c(t, 1)]);
  },
  read(base, stream) {
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'sk-test', maxRetries: 0 });
    const req = { model: 'gpt-3.5-turbo-instruct', prompt: 'hi', n: 2 };
    return stream
      ? collect({
          async *[Symbol.asyncIterator]() {
            yield* await client.completions.create({ ...req, stream: true });
          },
        })
      : whole(() => client.completions.create(req));
  },
};

/** A Responses stream: the events of each output item between `created` and `completed`. */
function responsesFrames(
  items: { item: Record<string, unknown>; events: Logical[] }[],
  final = items.map((i) => i.item),
): Logical[] {
  let seq = 0;
  const ev = (type: string, o: object): Logical => ({
    event: type,
    data: { type, sequence_number: seq++, ...o },
  });
  const response = (status: string, output: unknown[]) => ({
    id: 'resp_1',
    object: 'response',
    created_at: 1,
    model: 'gpt-4o-mini',
    status,
    output,
    usage: { input_tokens: 1, output_tokens: 2, total_tokens: 3 },
  });
  return [
    ev('response.created', { response: response('in_progress', []) }),
    ...items.flatMap(({ events }) => events.map((e) => ev(e.event!, e.data as object))),
    ev('response.completed', { response: response('completed', final) }),
  ];
}

function responsesItem(
  f: Field,
  ps: string[],
): { item: Record<string, unknown>; events: Logical[] } {
  const full = ps.join('');
  const at = (o: number) => ({ output_index: o });
  if (f.name === 'reasoning summary') {
    const item = { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: full }] };
    const s = { item_id: 'rs_1', ...at(0), summary_index: 0 };
    return {
      item,
      events: [
        { event: 'response.output_item.added', data: { ...at(0), item: { ...item, summary: [] } } },
        {
          event: 'response.reasoning_summary_part.added',
          data: { ...s, part: { type: 'summary_text', text: '' } },
        },
        ...ps.map((p) => ({
          event: 'response.reasoning_summary_text.delta',
          data: { ...s, delta: p },
        })),
        { event: 'response.reasoning_summary_text.done', data: { ...s, text: full } },
        {
          event: 'response.reasoning_summary_part.done',
          data: { ...s, part: { type: 'summary_text', text: full } },
        },
        { event: 'response.output_item.done', data: { ...at(0), item } },
      ],
    };
  }
  if (
    f.name === 'function arguments' ||
    f.name === 'function name' ||
    f.name === 'custom tool input'
  ) {
    // A function call's JSON `arguments`, or a custom tool call's free-form `input`.
    const custom = f.name === 'custom tool input';
    const [type, key, events] = custom
      ? ['custom_tool_call', 'input', 'response.custom_tool_call_input']
      : ['function_call', 'arguments', 'response.function_call_arguments'];
    const args = f.name === 'function name' ? '{}' : full;
    const fname = f.name === 'function name' ? full : 'send';
    const item = {
      type,
      id: 'fc_1',
      call_id: 'call_1',
      name: fname,
      [key]: args,
      status: 'completed',
    };
    const a = { item_id: 'fc_1', ...at(0) };
    const argPieces = f.name === 'function name' ? [args] : ps;
    return {
      item,
      events: [
        {
          event: 'response.output_item.added',
          data: { ...at(0), item: { ...item, [key]: '', status: 'in_progress' } },
        },
        ...argPieces.map((p) => ({ event: `${events}.delta`, data: { ...a, delta: p } })),
        { event: `${events}.done`, data: { ...a, [key]: args } },
        { event: 'response.output_item.done', data: { ...at(0), item } },
      ],
    };
  }
  const refusal = f.name === 'refusal';
  const part = refusal
    ? { type: 'refusal', refusal: full }
    : { type: 'output_text', text: full, annotations: [] };
  const empty = refusal
    ? { type: 'refusal', refusal: '' }
    : { type: 'output_text', text: '', annotations: [] };
  const item = {
    type: 'message',
    id: 'msg_1',
    role: 'assistant',
    status: 'completed',
    content: [part],
  };
  const c = { item_id: 'msg_1', ...at(0), content_index: 0 };
  const kind = refusal ? 'refusal' : 'output_text';
  const deltas = f.snapshotOnly ? ['A plain answer.'] : ps;
  const said = deltas.join('');
  const saidPart = refusal ? { ...part, refusal: said } : { ...part, text: said };
  return {
    item,
    events: [
      {
        event: 'response.output_item.added',
        data: { ...at(0), item: { ...item, status: 'in_progress', content: [] } },
      },
      { event: 'response.content_part.added', data: { ...c, part: empty } },
      ...deltas.map((p) => ({ event: `response.${kind}.delta`, data: { ...c, delta: p } })),
      { event: `response.${kind}.done`, data: { ...c, [refusal ? 'refusal' : 'text']: said } },
      { event: 'response.content_part.done', data: { ...c, part: saidPart } },
      {
        event: 'response.output_item.done',
        data: { ...at(0), item: { ...item, content: [saidPart] } },
      },
    ],
  };
}

const openaiResponses: Wire = {
  name: 'OpenAI Responses',
  prefix: '',
  fields: [
    text('output_text'),
    text('refusal'),
    text('reasoning summary'),
    text('function arguments'),
    name('function name'),
    text('custom tool input'),
    { name: 'completed only', kind: 'text', buffered: false, snapshotOnly: true },
  ],
  frames(f, ps) {
    const one = responsesItem(f, ps);
    // The lie: deltas say one thing, the final response another.
    return responsesFrames([one]);
  },
  body(f, t) {
    const completed = responsesFrames([{ item: responsesItem(f, [t]).item, events: [] }]).at(-1)!;
    return (completed.data as { response: unknown }).response;
  },
  read(base, stream) {
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'sk-test', maxRetries: 0 });
    const req = { model: 'gpt-4o-mini', input: 'hi' };
    return stream
      ? collect({
          async *[Symbol.asyncIterator]() {
            yield* await client.responses.create({ ...req, stream: true });
          },
        })
      : whole(() => client.responses.create(req));
  },
};

const anthropicMessages: Wire = {
  name: 'Anthropic Messages',
  prefix: '/anthropic',
  fields: [
    text('text'),
    text('thinking'),
    text('text in block start', false),
    text('tool input'),
    text('tool input in block start', false),
    name('tool name'),
  ],
  frames(f, ps) {
    const full = ps.join('');
    const ev = (type: string, o: object = {}): Logical => ({ event: type, data: { type, ...o } });
    const block = (index: number, content_block: object, deltas: object[]) => [
      ev('content_block_start', { index, content_block }),
      ...deltas.map((delta) => ev('content_block_delta', { index, delta })),
      ev('content_block_stop', { index }),
    ];
    const tool = (o: object, deltas: object[]) =>
      block(0, { type: 'tool_use', id: 'toolu_1', name: 'send', input: {}, ...o }, deltas);
    const blocks =
      f.name === 'text'
        ? block(
            0,
            { type: 'text', text: '' },
            ps.map((p) => ({ type: 'text_delta', text: p })),
          )
        : f.name === 'thinking'
          ? [
              ...block(0, { type: 'thinking', thinking: '', signature: '' }, [
                ...ps.map((p) => ({ type: 'thinking_delta', thinking: p })),
                { type: 'signature_delta', signature: 'c2lnbmF0dXJl' },
              ]),
              ...block(1, { type: 'text', text: '' }, [{ type: 'text_delta', text: 'done' }]),
            ]
          : f.name === 'text in block start'
            ? block(0, { type: 'text', text: full }, [])
            : f.name === 'tool input'
              ? tool(
                  {},
                  ps.map((p) => ({ type: 'input_json_delta', partial_json: p })),
                )
              : f.name === 'tool name'
                ? tool({ name: full }, [{ type: 'input_json_delta', partial_json: '{}' }])
                : tool({ input: JSON.parse(full) as object }, []);
    return [
      ev('message_start', {
        message: {
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model: 'claude-x',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 1, output_tokens: 1 },
        },
      }),
      ev('ping'),
      ...blocks,
      ev('message_delta', {
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: 5 },
      }),
      ev('message_stop'),
    ];
  },
  body(f, t) {
    const content =
      f.name === 'thinking'
        ? [
            { type: 'thinking', thinking: t, signature: 'c2lnbmF0dXJl' },
            { type: 'text', text: 'done' },
          ]
        : f.name === 'tool input'
          ? [{ type: 'tool_use', id: 'toolu_1', name: 'send', input: JSON.parse(t) as object }]
          : f.name === 'tool name'
            ? [{ type: 'tool_use', id: 'toolu_1', name: t, input: {} }]
            : [{ type: 'text', text: t }];
    return {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content,
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 1, output_tokens: 5 },
    };
  },
  read(base, stream) {
    const client = new Anthropic({
      baseURL: `${base}/anthropic`,
      apiKey: 'sk-ant-test',
      maxRetries: 0,
    });
    const req = {
      model: 'claude-x',
      max_tokens: 100,
      messages: [{ role: 'user' as const, content: 'hi' }],
    };
    return stream
      ? collect({
          async *[Symbol.asyncIterator]() {
            yield* await client.messages.create({ ...req, stream: true });
          },
        })
      : whole(() => client.messages.create(req));
  },
};

function ollamaWire(kind: 'chat' | 'generate'): Wire {
  const line = (o: object, done = false): Logical => ({
    data: { model: 'llama3', created_at: '2026-01-01T00:00:00Z', ...o, done },
  });
  const finalExtra = { done_reason: 'stop', prompt_eval_count: 3, eval_count: 9 };
  const piece = (field: Field, p: string): object =>
    kind === 'chat'
      ? {
          message: {
            role: 'assistant',
            content: field.name === 'content' ? p : '',
            ...(field.name === 'thinking' ? { thinking: p } : {}),
          },
        }
      : {
          response: field.name === 'response' ? p : '',
          ...(field.name === 'thinking' ? { thinking: p } : {}),
        };
  const tool = (t: string) => ({
    message: {
      role: 'assistant',
      content: '',
      tool_calls: [{ function: { name: 'send', arguments: JSON.parse(t) as object } }],
    },
  });
  return {
    name: `Ollama ${kind}`,
    prefix: '/ollama',
    ndjson: true,
    fields:
      kind === 'chat'
        ? [text('content'), text('thinking'), text('tool arguments')]
        : [text('response'), text('thinking')],
    frames(f, ps) {
      const body =
        f.name === 'tool arguments' ? [line(tool(ps.join('')))] : ps.map((p) => line(piece(f, p)));
      return [...body, line({ ...piece(f, ''), ...finalExtra }, true)];
    },
    body(f, t) {
      return line({ ...(f.name === 'tool arguments' ? tool(t) : piece(f, t)), ...finalExtra }, true)
        .data;
    },
    read(base, stream) {
      const client = new Ollama({ host: `${base}/ollama` });
      const opts = { model: 'llama3' };
      if (kind === 'chat') {
        const req = { ...opts, messages: [{ role: 'user', content: 'hi' }] };
        return stream
          ? collect({
              async *[Symbol.asyncIterator]() {
                yield* await client.chat({ ...req, stream: true });
              },
            })
          : whole(() => client.chat({ ...req, stream: false }));
      }
      const req = { ...opts, prompt: 'hi' };
      return stream
        ? collect({
            async *[Symbol.asyncIterator]() {
              yield* await client.generate({ ...req, stream: true });
            },
          })
        : whole(() => client.generate({ ...req, stream: false }));
    },
  };
}

const WIRES: Wire[] = [
  openaiChat,
  openaiCompletions,
  openaiResponses,
  anthropicMessages,
  ollamaWire('chat'),
  ollamaWire('generate'),
];

// ---- secrets and framing ---------------------------------------------------------------

interface Secret {
  /** The text placed in the field (JSON-safe: no quotes or backslashes). */
  said: string;
  /** Whether any of it reached the application (after dropping invisible characters). */
  leaked(seen: string): boolean;
}

const stripIgnorable = (s: string) => s.replace(/\p{Default_Ignorable_Code_Point}/gu, '');

const keySecret = (said: string): Secret => ({
  said,
  leaked: (seen) => stripIgnorable(seen).includes(KEY),
});
const secretArb = (kind: Kind): fc.Arbitrary<Secret> =>
  fc.oneof(
    fc.constant(keySecret(KEY)),
    fc
      .tuple(fc.integer({ min: 1, max: KEY.length - 1 }), fc.constantFrom(...IGNORABLE))
      .map(([at, ch]) => keySecret(KEY.slice(0, at) + ch + KEY.slice(at))),
    ...(kind === 'text'
      ? [
          fc.constant<Secret>({
            said: `password: ${VALUE}`,
            // No four characters of the value, anywhere: redaction holds back the whole span.
            leaked: (seen) => {
              const s = stripIgnorable(seen);
              for (let i = 0; i + 4 <= VALUE.length; i++)
                if (s.includes(VALUE.slice(i, i + 4))) return true;
              return false;
            },
          }),
        ]
      : []),
  );

/** The text a field carries: prose around the secret, or JSON arguments, or a bare name. */
function fieldText(f: Field, s: Secret): string {
  if (f.kind === 'name') return s.said;
  const prose = `Here you go: ${s.said} and that is all.`;
  return /argument|input/.test(f.name) ? JSON.stringify({ note: prose }) : prose;
}

/** How one SSE event is written: any framing a WHATWG parser (and the SDKs) reads the same. */
interface Framing {
  eol: '\n' | '\r' | '\r\n';
  space: boolean;
  comment: boolean;
  multiline: boolean;
}
const framingArb: fc.Arbitrary<Framing> = fc.record({
  eol: fc.constantFrom('\n' as const, '\r' as const, '\r\n' as const),
  space: fc.boolean(),
  comment: fc.boolean(),
  multiline: fc.boolean(),
});

function render(w: Wire, frames: Logical[], framings: Framing[], bom: boolean): string {
  if (w.ndjson) {
    // NDJSON: one JSON document per line (LF; a CR before it is JSON whitespace).
    return frames
      .map(
        (f, i) =>
          JSON.stringify(f.data) + (framings[i % framings.length]!.eol === '\r\n' ? '\r\n' : '\n'),
      )
      .join('');
  }
  let out = bom ? '\ufeff' : '';
  frames.forEach((f, i) => {
    const fr = framings[i % framings.length]!;
    const data =
      typeof f.data === 'string'
        ? f.data
        : JSON.stringify(f.data, null, fr.multiline ? 1 : undefined);
    const field = fr.space ? 'data: ' : 'data:';
    if (fr.comment) out += `: keep-alive${fr.eol}`;
    if (f.event) out += `event:${fr.space ? ' ' : ''}${f.event}${fr.eol}`;
    for (const l of data.split('\n')) out += field + l + fr.eol;
    out += fr.eol;
  });
  return out;
}

// ---- the proxies -----------------------------------------------------------------------

let reply: { status: number; contentType: string; chunks: Buffer[] } = {
  status: 200,
  contentType: 'application/json',
  chunks: [],
};
let upstream: HostileUpstream;
let redacting: Running;
let blocking: Running;
let proxies: Awaited<ReturnType<typeof policyProxies>>;

const STRICT = `name: strict
rules:
  - { id: creds, check: secrets, action: block }
  - { id: invisible, check: invisible-unicode, action: block }
`;

beforeAll(async () => {
  upstream = await hostileUpstream(async (_req, res) => {
    const r = reply;
    res.writeHead(r.status, { 'content-type': r.contentType });
    for (const c of r.chunks) {
      await send(res, c);
      await new Promise((ok) => setImmediate(ok));
    }
    res.end();
  });
  proxies = await policyProxies(upstream.url, STRICT);
  ({ redacting, blocking } = proxies);
});

afterAll(async () => {
  await proxies.shutdown();
  await upstream.close();
});

describe.each(WIRES)('the SDK never hands the application a secret: $name', (w) => {
  const caseArb = fc.constantFrom(...w.fields).chain((field) =>
    fc.record({
      field: fc.constant(field),
      secret: secretArb(field.kind),
      stream: field.buffered ? fc.boolean() : fc.constant(true),
      split: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 12 }),
      framings: fc.array(framingArb, { minLength: 1, maxLength: 4 }),
      bom: fc.boolean(),
      bytes: fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 6 }),
      block: fc.boolean(),
    }),
  );

  it('redacts or blocks whatever the field, split, framing and chunking', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const t = fieldText(c.field, c.secret);
        const ps = splitBy(t, c.split);
        const body = c.stream
          ? render(w, w.frames(c.field, ps), c.framings, c.bom)
          : JSON.stringify(w.body(c.field, t));
        reply = {
          status: 200,
          contentType: c.stream
            ? w.ndjson
              ? 'application/x-ndjson'
              : 'text/event-stream'
            : 'application/json',
          chunks: chunked(Buffer.from(body), c.bytes),
        };
        const seen = await w.read((c.block ? blocking : redacting).url, c.stream);
        expect(c.secret.leaked(seen.text), seen.text).toBe(false);
        if (c.block || c.field.snapshotOnly) expect(seen.error).toBeDefined();
        else {
          expect(seen.error).toBeUndefined();
          expect(seen.text).toContain('[REDACTED:');
        }
      }),
      { numRuns: 60 },
    );
  });
});
