/**
 * The Responses stream parser: reasoning deltas are reasoning text, and every snapshot frame
 * (`*.done`, `output_item.done`, the final response) is checked against what the deltas of
 * its parts said — equal, it is a snapshot; different, the frame is malformed (undefined).
 * Opening frames that carry text, and deltas after their part's snapshot, are malformed too.
 */
import { describe, expect, it } from 'vitest';
import { openAiResponses } from '../../../src/adapters/openai-responses/index.js';
import type { Frame } from '../../../src/adapters/types.js';
import type { StreamEvent } from '../../../src/model/events.js';
import { parseStreamFixture } from '../../helpers/fixtures.js';

type O = Record<string, unknown>;
const ev = (type: string, o: O = {}): Frame => ({
  event: type,
  data: JSON.stringify({ type, ...o }),
  end: 0,
});

/** What the stream below streams: summary, reasoning text, output_text, refusal, arguments. */
const SAID = {
  summary: 'I think the answer is 4.',
  reasoning: 'Two plus two.',
  text: 'The answer is 4.',
  refusal: 'No more.',
  args: '{"n":4}',
};
type Said = typeof SAID;

const R = { output_index: 0 };
const M = { output_index: 1 };
const F = { output_index: 2 };

const reasoningItem = (s: Said) => ({
  type: 'reasoning',
  id: 'rs',
  summary: [{ type: 'summary_text', text: s.summary }],
  content: [{ type: 'reasoning_text', text: s.reasoning }],
  encrypted_content: 'opaque',
});
const messageItem = (s: Said) => ({
  type: 'message',
  id: 'msg',
  role: 'assistant',
  content: [
    { type: 'output_text', text: s.text, annotations: [] },
    { type: 'refusal', refusal: s.refusal },
  ],
});
const callItem = (s: Said, o: O = {}) => ({
  type: 'function_call',
  id: 'fc',
  call_id: 'call_1',
  name: 'add',
  arguments: s.args,
  ...o,
});
const response = (s: Said, o: O = {}) => ({
  id: 'resp',
  status: 'completed',
  output: [reasoningItem(s), messageItem(s), callItem(s)],
  ...o,
});

/** Opening frames and deltas (split in two) of a reasoning item, a message and a call. */
function deltas(): Frame[] {
  const half = (t: string) => [t.slice(0, 5), t.slice(5)];
  return [
    ev('response.created', { response: { id: 'resp', status: 'in_progress', output: [] } }),
    ev('response.output_item.added', { ...R, item: { type: 'reasoning', id: 'rs', summary: [] } }),
    ev('response.reasoning_summary_part.added', {
      ...R,
      summary_index: 0,
      part: { type: 'summary_text', text: '' },
    }),
    ...half(SAID.summary).map((d) =>
      ev('response.reasoning_summary_text.delta', { ...R, summary_index: 0, delta: d }),
    ),
    ev('response.content_part.added', {
      ...R,
      content_index: 0,
      part: { type: 'reasoning_text', text: '' },
    }),
    ...half(SAID.reasoning).map((d) =>
      ev('response.reasoning_text.delta', { ...R, content_index: 0, delta: d }),
    ),
    ev('response.output_item.added', {
      ...M,
      item: { type: 'message', id: 'msg', role: 'assistant', content: [] },
    }),
    ev('response.content_part.added', {
      ...M,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] },
    }),
    ...half(SAID.text).map((d) =>
      ev('response.output_text.delta', { ...M, content_index: 0, delta: d }),
    ),
    ev('response.content_part.added', {
      ...M,
      content_index: 1,
      part: { type: 'refusal', refusal: '' },
    }),
    ...half(SAID.refusal).map((d) =>
      ev('response.refusal.delta', { ...M, content_index: 1, delta: d }),
    ),
    ev('response.output_item.added', { ...F, item: callItem(SAID, { arguments: '' }) }),
    ...half(SAID.args).map((d) => ev('response.function_call_arguments.delta', { ...F, delta: d })),
  ];
}

/** Runs frames through one parser; returns each frame's result. */
function parse(frames: Frame[]): (StreamEvent[] | undefined)[] {
  const p = openAiResponses.streamParser();
  return frames.map((f) => p(f));
}
const last = <T>(xs: T[]): T => xs[xs.length - 1]!;

const SECRET = 'AKIAQYLPMN5HHHFPZAM2';
/** The same stream's texts with one of them replaced. */
const lie = (k: keyof Said): Said => ({
  ...SAID,
  [k]: k === 'args' ? `{"k":"${SECRET}"}` : SECRET,
});

interface SnapshotCase {
  name: string;
  /** The snapshot frame, given the texts it repeats. */
  frame: (s: Said) => Frame;
  /** Which text a lying snapshot changes. */
  lies: (keyof Said)[];
  /** The snapshot event it means when true. */
  toolIndex?: number;
}

const SNAPSHOTS: SnapshotCase[] = [
  {
    name: 'output_text.done',
    frame: (s) => ev('response.output_text.done', { ...M, content_index: 0, text: s.text }),
    lies: ['text'],
  },
  {
    name: 'refusal.done',
    frame: (s) => ev('response.refusal.done', { ...M, content_index: 1, refusal: s.refusal }),
    lies: ['refusal'],
  },
  {
    name: 'content_part.done (output_text)',
    frame: (s) =>
      ev('response.content_part.done', { ...M, content_index: 0, part: messageItem(s).content[0] }),
    lies: ['text'],
  },
  {
    name: 'content_part.done (refusal)',
    frame: (s) =>
      ev('response.content_part.done', { ...M, content_index: 1, part: messageItem(s).content[1] }),
    lies: ['refusal'],
  },
  {
    name: 'reasoning_text.done',
    frame: (s) => ev('response.reasoning_text.done', { ...R, content_index: 0, text: s.reasoning }),
    lies: ['reasoning'],
  },
  {
    name: 'content_part.done (reasoning_text)',
    frame: (s) =>
      ev('response.content_part.done', {
        ...R,
        content_index: 0,
        part: { type: 'reasoning_text', text: s.reasoning },
      }),
    lies: ['reasoning'],
  },
  {
    name: 'reasoning_summary_text.done',
    frame: (s) =>
      ev('response.reasoning_summary_text.done', { ...R, summary_index: 0, text: s.summary }),
    lies: ['summary'],
  },
  {
    name: 'reasoning_summary_part.done',
    frame: (s) =>
      ev('response.reasoning_summary_part.done', {
        ...R,
        summary_index: 0,
        part: { type: 'summary_text', text: s.summary },
      }),
    lies: ['summary'],
  },
  {
    name: 'function_call_arguments.done',
    frame: (s) =>
      ev('response.function_call_arguments.done', { ...F, name: 'add', arguments: s.args }),
    lies: ['args'],
    toolIndex: 0,
  },
  {
    name: 'output_item.done (reasoning)',
    frame: (s) => ev('response.output_item.done', { ...R, item: reasoningItem(s) }),
    lies: ['summary', 'reasoning'],
  },
  {
    name: 'output_item.done (message)',
    frame: (s) => ev('response.output_item.done', { ...M, item: messageItem(s) }),
    lies: ['text', 'refusal'],
  },
  {
    name: 'output_item.done (function_call)',
    frame: (s) => ev('response.output_item.done', { ...F, item: callItem(s) }),
    lies: ['args'],
    toolIndex: 0,
  },
  {
    name: 'response.completed',
    frame: (s) => ev('response.completed', { response: response(s) }),
    lies: ['summary', 'reasoning', 'text', 'refusal', 'args'],
  },
  {
    name: 'response.incomplete',
    frame: (s) =>
      ev('response.incomplete', {
        response: response(s, {
          status: 'incomplete',
          incomplete_details: { reason: 'max_output_tokens' },
        }),
      }),
    lies: ['summary', 'reasoning', 'text', 'refusal', 'args'],
  },
  {
    name: 'response.failed',
    frame: (s) =>
      ev('response.failed', {
        response: response(s, { status: 'failed', error: { message: 'boom' } }),
      }),
    lies: ['summary', 'reasoning', 'text', 'refusal', 'args'],
  },
];

describe('responses stream: snapshots are checked against the deltas', () => {
  it.each(SNAPSHOTS)('$name: the same text → a snapshot event', (c) => {
    const out = parse([...deltas(), c.frame(SAID)]);
    expect(out.slice(0, -1).every((x) => x !== undefined)).toBe(true);
    expect(last(out)).toContainEqual(
      c.toolIndex === undefined
        ? { type: 'snapshot', choice: 0 }
        : { type: 'snapshot', choice: 0, toolIndex: c.toolIndex },
    );
  });

  const lies = SNAPSHOTS.flatMap((c) => c.lies.map((k) => ({ ...c, k })));
  it.each(lies)('$name: a different $k → malformed', (c) => {
    expect(last(parse([...deltas(), c.frame(lie(c.k))]))).toBeUndefined();
  });

  it.each(SNAPSHOTS)('$name: the same length, one character off → malformed', (c) => {
    const k = c.lies[0]!;
    const off = { ...SAID, [k]: SAID[k].slice(0, -1) + '!' };
    expect(last(parse([...deltas(), c.frame(off)]))).toBeUndefined();
  });

  it.each(SNAPSHOTS.filter((c) => c.toolIndex === undefined))(
    '$name: a text no delta streamed → malformed; empty → fine',
    (c) => {
      // Nothing was streamed but the opening frames: the snapshot must be empty.
      const opening = deltas().filter((f) => !f.event!.endsWith('.delta'));
      expect(last(parse([...opening, c.frame(SAID)]))).toBeUndefined();
      const empty = { summary: '', reasoning: '', text: '', refusal: '', args: '' };
      expect(last(parse([...opening, c.frame(empty)]))).toBeDefined();
    },
  );

  it.each([
    ['a part streamed but absent from the item', { ...M, item: { type: 'message', content: [] } }],
    ['an item with no parts list', { ...M, item: { type: 'message' } }],
    ['a reasoning item with only encrypted content', { ...R, item: { type: 'reasoning' } }],
  ])('output_item.done: %s → malformed (a whole-item snapshot repeats every part)', (_n, o) => {
    expect(last(parse([...deltas(), ev('response.output_item.done', o)]))).toBeUndefined();
  });

  it('a whole snapshot that leaves out a middle part → malformed', () => {
    const at = (i: number) => ({ item_id: 'm', output_index: 0, content_index: i });
    const part = (text: string) => ({ type: 'output_text', text, annotations: [] });
    const frames = [
      ev('response.output_item.added', {
        output_index: 0,
        item: { type: 'message', id: 'm', role: 'assistant', content: [] },
      }),
      ...['AKIAQYLP', 'xx', 'MN5HHHFPZAM2'].map((d, i) =>
        ev('response.output_text.delta', { ...at(i), delta: d }),
      ),
    ];
    const item = (texts: string[]) => ({ type: 'message', id: 'm', content: texts.map(part) });
    const done = (texts: string[]) =>
      ev('response.output_item.done', { output_index: 0, item: item(texts) });
    expect(last(parse([...frames, done(['AKIAQYLP', 'xx', 'MN5HHHFPZAM2'])]))).toBeDefined();
    expect(last(parse([...frames, done(['AKIAQYLP', '', 'MN5HHHFPZAM2'])]))).toBeUndefined();
    expect(last(parse([...frames, done(['AKIAQYLP'])]))).toBeUndefined();
  });

  it('the final response may leave out its output list, not items of it', () => {
    const none = { id: 'resp', status: 'completed' };
    expect(last(parse([...deltas(), ev('response.completed', { response: none })]))).toBeDefined();
    // The SDK joins the output_text of the items it gets: leaving one out joins its
    // neighbours into a text no rule saw.
    const r = { id: 'resp', status: 'completed', output: [] };
    expect(last(parse([...deltas(), ev('response.completed', { response: r })]))).toBeUndefined();
  });

  const extraPart = (s: Said) => {
    const m = messageItem(s);
    return { ...m, content: [...m.content, { type: 'output_text', text: SECRET }] };
  };
  it.each([
    ['a part never streamed', ev('response.output_item.done', { ...M, item: extraPart(SAID) })],
    [
      'a part never streamed, in the final response',
      ev('response.completed', {
        response: { ...response(SAID), output: [reasoningItem(SAID), extraPart(SAID)] },
      }),
    ],
    [
      'an item never streamed',
      ev('response.completed', {
        response: {
          ...response(SAID),
          output: [...response(SAID).output, messageItem({ ...SAID, text: SECRET })],
        },
      }),
    ],
    [
      'a function call never opened',
      ev('response.output_item.done', { output_index: 5, item: callItem(SAID) }),
    ],
    [
      'another function name in output_item.done',
      ev('response.output_item.done', { ...F, item: callItem(SAID, { name: SECRET }) }),
    ],
    [
      'another call_id in the final response',
      ev('response.completed', {
        response: {
          ...response(SAID),
          output: [reasoningItem(SAID), messageItem(SAID), callItem(SAID, { call_id: SECRET })],
        },
      }),
    ],
    [
      'another function name in function_call_arguments.done',
      ev('response.function_call_arguments.done', { ...F, name: SECRET, arguments: SAID.args }),
    ],
    [
      'a text that is not a string',
      ev('response.output_text.done', { ...M, content_index: 0, text: { t: SECRET } }),
    ],
    [
      'a part with a refusal besides its text',
      ev('response.content_part.done', {
        ...M,
        content_index: 0,
        part: { type: 'output_text', text: SAID.text, refusal: SECRET },
      }),
    ],
    [
      'text streamed as reasoning, repeated as content',
      ev('response.output_item.done', {
        ...R,
        item: { type: 'message', content: [{ type: 'output_text', text: SAID.reasoning }] },
      }),
    ],
    [
      'an output_text string the output does not say',
      ev('response.completed', { response: response(SAID, { output_text: SECRET }) }),
    ],
    [
      'an output_text that is not a string',
      ev('response.completed', { response: response(SAID, { output_text: [SECRET] }) }),
    ],
    [
      'an output index out of range',
      ev('response.output_text.done', { output_index: 2 ** 40, content_index: 0, text: 'x' }),
    ],
  ])('%s → malformed', (_n, f) => {
    expect(last(parse([...deltas(), f]))).toBeUndefined();
  });

  it.each([
    ['every output_text part', SAID.text],
    ['every message text, refusals included', SAID.text + SAID.refusal],
  ])('an output_text string that is %s is fine', (_n, outputText) => {
    const f = ev('response.completed', { response: response(SAID, { output_text: outputText }) });
    expect(last(parse([...deltas(), f]))).toBeDefined();
  });

  it('a snapshot of text split inside a surrogate pair matches', () => {
    const at = { ...M, content_index: 0 };
    const out = parse([
      ev('response.output_text.delta', { ...at, delta: 'a \ud83d' }),
      ev('response.output_text.delta', { ...at, delta: '\ude00 b' }),
      ev('response.output_text.done', { ...at, text: 'a 😀 b' }),
    ]);
    expect(last(out)).toEqual([{ type: 'snapshot', choice: 0 }]);
    // A lone surrogate is not U+FFFD (UTF-8 would confuse them).
    const lone = parse([
      ev('response.output_text.delta', { ...at, delta: 'x\ud800' }),
      ev('response.output_text.done', { ...at, text: 'x\ufffd' }),
    ]);
    expect(last(lone)).toBeUndefined();
  });
});

describe('responses stream: deltas', () => {
  it.each([
    ['reasoning_summary_text.delta', { ...R, summary_index: 0 }],
    ['reasoning_text.delta', { ...R, content_index: 0 }],
  ])('%s → reasoning text', (type, at) => {
    expect(parse([ev(`response.${type}`, { ...at, delta: 'hmm' })])[0]).toEqual([
      { type: 'text', choice: 0, text: 'hmm', field: 'reasoning' },
    ]);
  });

  it.each([
    ['output_text', { ...M, content_index: 0 }],
    ['refusal', { ...M, content_index: 1 }],
  ])('%s.delta → content text', (kind, at) => {
    expect(parse([ev(`response.${kind}.delta`, { ...at, delta: 'x' })])[0]).toEqual([
      { type: 'text', choice: 0, text: 'x' },
    ]);
  });

  const AFTER: [string, Frame, Frame][] = [
    [
      'output_text',
      ev('response.output_text.done', { ...M, content_index: 0, text: SAID.text }),
      ev('response.output_text.delta', { ...M, content_index: 0, delta: SECRET }),
    ],
    [
      'refusal',
      ev('response.output_item.done', { ...M, item: messageItem(SAID) }),
      ev('response.refusal.delta', { ...M, content_index: 1, delta: SECRET }),
    ],
    [
      'reasoning summary',
      ev('response.reasoning_summary_part.done', {
        ...R,
        summary_index: 0,
        part: { type: 'summary_text', text: SAID.summary },
      }),
      ev('response.reasoning_summary_text.delta', { ...R, summary_index: 0, delta: SECRET }),
    ],
    [
      'reasoning text',
      ev('response.reasoning_text.done', { ...R, content_index: 0, text: SAID.reasoning }),
      ev('response.reasoning_text.delta', { ...R, content_index: 0, delta: SECRET }),
    ],
    [
      'function arguments',
      ev('response.function_call_arguments.done', { ...F, arguments: SAID.args }),
      ev('response.function_call_arguments.delta', { ...F, delta: SECRET }),
    ],
    [
      'anything, after the final response',
      ev('response.completed', { response: response(SAID) }),
      ev('response.output_text.delta', { ...M, content_index: 0, delta: SECRET }),
    ],
  ];
  it.each(AFTER)('a %s delta after its part was summarised → malformed', (_n, done, after) => {
    const out = parse([...deltas(), done, after]);
    expect(out.at(-2)).toBeDefined();
    expect(last(out)).toBeUndefined();
  });

  it.each([
    ['a delta that is not a string', ev('response.output_text.delta', { ...M, delta: [SECRET] })],
    [
      'arguments of a call never opened',
      ev('response.function_call_arguments.delta', { output_index: 7, delta: SECRET }),
    ],
    [
      'an SSE event name other than its type',
      {
        event: 'response.output_text.delta',
        data: JSON.stringify({ type: 'response.in_progress', delta: SECRET }),
        end: 0,
      },
    ],
    [
      'a negative content index',
      ev('response.output_text.delta', { ...M, content_index: -1, delta: 'x' }),
    ],
  ])('%s → malformed', (_n, f) => {
    expect(last(parse([...deltas(), f]))).toBeUndefined();
  });

  it('the arguments of an opening function_call item are its first piece', () => {
    const out = parse([
      ev('response.output_item.added', { ...F, item: callItem(SAID, { arguments: '{"n":' }) }),
      ev('response.function_call_arguments.delta', { ...F, delta: '4}' }),
      ev('response.function_call_arguments.done', { ...F, arguments: SAID.args }),
    ]);
    expect(out[0]).toEqual([
      { type: 'tool_call', choice: 0, index: 0, id: 'call_1', name: 'add', arguments: '{"n":' },
    ]);
    expect(out[2]).toEqual([{ type: 'snapshot', choice: 0, toolIndex: 0 }]);
  });
});

describe('responses stream: opening frames carry no text', () => {
  it.each([
    [
      'output_item.added (message)',
      ev('response.output_item.added', {
        ...M,
        item: { type: 'message', content: [{ type: 'output_text', text: SECRET }] },
      }),
    ],
    [
      'output_item.added (reasoning summary)',
      ev('response.output_item.added', {
        ...R,
        item: { type: 'reasoning', summary: [{ type: 'summary_text', text: SECRET }] },
      }),
    ],
    [
      'output_item.added (reasoning text)',
      ev('response.output_item.added', {
        ...R,
        item: {
          type: 'reasoning',
          summary: [],
          content: [{ type: 'reasoning_text', text: SECRET }],
        },
      }),
    ],
    [
      'content_part.added (output_text)',
      ev('response.content_part.added', {
        ...M,
        content_index: 0,
        part: { type: 'output_text', text: SECRET },
      }),
    ],
    [
      'content_part.added (refusal)',
      ev('response.content_part.added', {
        ...M,
        content_index: 0,
        part: { type: 'refusal', refusal: SECRET },
      }),
    ],
    [
      'content_part.added (reasoning_text)',
      ev('response.content_part.added', {
        ...R,
        content_index: 0,
        part: { type: 'reasoning_text', text: SECRET },
      }),
    ],
    [
      'reasoning_summary_part.added',
      ev('response.reasoning_summary_part.added', {
        ...R,
        summary_index: 0,
        part: { type: 'summary_text', text: SECRET },
      }),
    ],
    [
      'response.created',
      ev('response.created', { response: { id: 'r', output: [messageItem(SAID)] } }),
    ],
    [
      'response.in_progress (output_text)',
      ev('response.in_progress', { response: { id: 'r', output: [], output_text: SECRET } }),
    ],
    [
      'a second output_item.added at the same index',
      ev('response.output_item.added', { ...M, item: { type: 'message', content: [] } }),
    ],
    [
      'a function_call item whose name is not a string',
      ev('response.output_item.added', {
        output_index: 3,
        item: { type: 'function_call', name: { n: SECRET }, arguments: '' },
      }),
    ],
  ])('%s → malformed', (_n, f) => {
    const out = parse([
      ev('response.output_item.added', { ...M, item: { type: 'message', content: [] } }),
      f,
    ]);
    expect(out[0]).toEqual([]);
    expect(out[1]).toBeUndefined();
  });

  it('empty opening frames parse', () => {
    expect(
      deltas().filter((f) => f.event!.endsWith('.added') || f.event!.endsWith('created')),
    ).toHaveLength(8);
    expect(parse(deltas()).every((x) => x !== undefined)).toBe(true);
  });
});

describe('responses stream: a recorded-style stream with reasoning', () => {
  it('parses whole: reasoning, content, the call, every snapshot', () => {
    const acc = parseStreamFixture(openAiResponses, 'openai-responses/stream-reasoning.sse.txt');
    expect(acc.done).toBe(true);
    expect(acc.response.choices[0]).toMatchObject({
      text: 'Let me check the weather in Paris.',
      reasoning:
        '**Checking the weather** The user asks about Paris. I will call get_weather.' +
        'Paris is a city; the tool takes a location.',
      toolCalls: [{ id: 'call_r', name: 'get_weather', arguments: '{"location":"Paris, France"}' }],
      finishReason: 'tool_calls',
    });
  });
});
