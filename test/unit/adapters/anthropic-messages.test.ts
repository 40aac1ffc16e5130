import { describe, expect, it } from 'vitest';
import { anthropicMessages } from '../../../src/adapters/anthropic-messages/index.js';
import type { Frame, FrameEdit } from '../../../src/adapters/types.js';
import type { StreamEvent } from '../../../src/model/events.js';
import { fixture, parseStreamFixture } from '../../helpers/fixtures.js';

const frame = (type: string, o: object): Frame => ({
  event: type,
  data: JSON.stringify({ type, ...o }),
  end: 0,
});
const start = (content_block: object, index = 0) =>
  frame('content_block_start', { index, content_block });
const delta = (d: object, index = 0) => frame('content_block_delta', { index, delta: d });
/** The data of a rewritten frame, parsed. */
const dataOf = (out: string) => {
  expect(out).toMatch(/^event: \w+\ndata: .*\n\n$/);
  return JSON.parse(out.split('\ndata: ')[1]!) as Record<string, unknown>;
};

describe('anthropic.messages: buffered', () => {
  it('thinking blocks are the reasoning, joined; redacted_thinking is opaque', () => {
    const r = anthropicMessages.parseResponse({
      type: 'message',
      content: [
        { type: 'thinking', thinking: 'first ', signature: 's1' },
        { type: 'redacted_thinking', data: 'ZW5jcnlwdGVk' },
        { type: 'text', text: 'answer' },
        { type: 'thinking', thinking: 'second', signature: 's2' },
      ],
    });
    expect(r?.choices[0]).toMatchObject({ text: 'answer', reasoning: 'first second' });
  });

  it('no thinking: no reasoning', () => {
    const r = anthropicMessages.parseResponse({
      type: 'message',
      content: [{ type: 'text', text: 'a' }],
    });
    expect(r?.choices[0]).not.toHaveProperty('reasoning');
  });

  it('the recorded fixture: reasoning from its thinking block', () => {
    const r = anthropicMessages.parseResponse(
      JSON.parse(fixture('anthropic-messages/response.json').toString()),
    );
    expect(r?.choices[0]?.reasoning).toBe('The user wants the weather; I should call the tool.');
  });

  it('rewrite: reasoning into the first thinking block, signatures kept; tool names and ids', () => {
    const out = anthropicMessages.rewriteResponse(
      {
        type: 'message',
        content: [
          { type: 'thinking', thinking: 'a', signature: 's1' },
          { type: 'redacted_thinking', data: 'ZW5j' },
          { type: 'thinking', thinking: 'b', signature: 's2' },
          { type: 'tool_use', id: 'toolu_1', name: 'one', input: { x: 1 } },
          { type: 'tool_use', id: 'toolu_2', name: 'two', input: { y: 2 } },
        ],
      },
      [
        {
          choice: 0,
          text: undefined,
          reasoning: 'R',
          toolCallArguments: new Map([[1, 'not json']]),
          toolCallNames: new Map([[1, 'N']]),
          toolCallIds: new Map([[0, 'I']]),
        },
      ],
    ) as { content: unknown[] };
    expect(out.content).toEqual([
      { type: 'thinking', thinking: 'R', signature: 's1' },
      { type: 'redacted_thinking', data: 'ZW5j' },
      { type: 'thinking', thinking: '', signature: 's2' },
      { type: 'tool_use', id: 'I', name: 'one', input: { x: 1 } },
      // Arguments that no longer parse: an empty object, never the original input.
      { type: 'tool_use', id: 'toolu_2', name: 'N', input: {} },
    ]);
  });
});

describe('anthropic.messages: stream', () => {
  const parse = (frames: Frame[]): StreamEvent[] => {
    const p = anthropicMessages.streamParser();
    return frames.flatMap((f) => p(f) ?? []);
  };

  it.each([
    [
      'thinking_delta',
      [start({ type: 'thinking', thinking: '' }), delta({ type: 'thinking_delta', thinking: 't' })],
      't',
      'reasoning',
    ],
    [
      'text_delta',
      [start({ type: 'text', text: '' }), delta({ type: 'text_delta', text: 'x' })],
      'x',
      undefined,
    ],
    ['text in a block start', [start({ type: 'text', text: 'x' })], 'x', undefined],
    [
      'thinking in a block start',
      [start({ type: 'thinking', thinking: 't', signature: '' })],
      't',
      'reasoning',
    ],
  ] as const)('%s is a text piece', (_n, frames, text, field) => {
    expect(parse([...frames])).toEqual([
      { type: 'text', choice: 0, text, ...(field ? { field } : {}) },
    ]);
  });

  it.each([
    ['an empty text block start', [start({ type: 'text', text: '' })]],
    ['an empty thinking block start', [start({ type: 'thinking', thinking: '' })]],
    [
      'a signature_delta',
      [
        start({ type: 'thinking', thinking: '' }),
        delta({ type: 'signature_delta', signature: 'c2ln' }),
      ],
    ],
    ['a redacted_thinking block', [start({ type: 'redacted_thinking', data: 'ZW5j' })]],
    [
      'a citations_delta',
      [
        start({ type: 'text', text: '' }),
        delta({ type: 'citations_delta', citation: { cited_text: 'q' } }),
      ],
    ],
  ])('%s carries nothing to check', (_n, frames) => {
    const p = anthropicMessages.streamParser();
    expect(frames.map((f) => p(f))).toEqual(frames.map(() => []));
  });

  it('a tool_use start: its non-empty input is the first arguments piece', () => {
    expect(
      parse([
        start({ type: 'text', text: '' }, 0),
        start({ type: 'tool_use', id: 'toolu_1', name: 'f', input: { q: 'x' } }, 1),
        start({ type: 'tool_use', id: 'toolu_2', name: 'g', input: {} }, 2),
        delta({ type: 'input_json_delta', partial_json: '{"a"' }, 2),
      ]),
    ).toEqual([
      { type: 'tool_call', choice: 0, index: 0, id: 'toolu_1', name: 'f', arguments: '{"q":"x"}' },
      { type: 'tool_call', choice: 0, index: 1, id: 'toolu_2', name: 'g', arguments: '' },
      { type: 'tool_call', choice: 0, index: 1, arguments: '{"a"' },
    ]);
  });

  it('the recorded fixture: thinking deltas are the reasoning', () => {
    const acc = parseStreamFixture(anthropicMessages, 'anthropic-messages/stream.sse.txt');
    expect(acc.response.choices[0]).toMatchObject({
      text: "Okay, let's check the weather for Paris.",
      reasoning: 'I need the weather tool.',
    });
  });

  it.each([
    [
      'text_delta',
      delta({ type: 'text_delta', text: 'a' }),
      { text: 'X' },
      { type: 'text_delta', text: 'X' },
    ],
    [
      'thinking_delta',
      delta({ type: 'thinking_delta', thinking: 'a' }),
      { reasoning: 'X' },
      { type: 'thinking_delta', thinking: 'X' },
    ],
    [
      'input_json_delta',
      delta({ type: 'input_json_delta', partial_json: 'a' }),
      { toolCallArguments: new Map([[3, 'X']]) },
      { type: 'input_json_delta', partial_json: 'X' },
    ],
    [
      'signature_delta (untouched)',
      delta({ type: 'signature_delta', signature: 's' }),
      { reasoning: 'X' },
      { type: 'signature_delta', signature: 's' },
    ],
  ] as const)('frame rewrite: %s', (_n, f, edit: FrameEdit, want) => {
    const o = dataOf(anthropicMessages.rewriteFrame(f, 0, edit));
    expect(o['delta']).toEqual(want);
  });

  it.each([
    ['text', { type: 'text', text: 'a' }, { text: 'X' }, { type: 'text', text: 'X' }],
    [
      'thinking (signature kept)',
      { type: 'thinking', thinking: 'a', signature: 's' },
      { reasoning: 'X' },
      { type: 'thinking', thinking: 'X', signature: 's' },
    ],
    [
      'tool_use input, name and id',
      { type: 'tool_use', id: 'toolu_1', name: 'n', input: { q: 'secret' } },
      {
        toolCallArguments: new Map([[0, '{"q":"[R]"}']]),
        toolCallNames: new Map([[0, 'N']]),
        toolCallIds: new Map([[0, 'I']]),
      },
      { type: 'tool_use', id: 'I', name: 'N', input: { q: '[R]' } },
    ],
    [
      'tool_use input that no longer parses',
      { type: 'tool_use', id: 'toolu_1', name: 'n', input: { q: 'secret' } },
      { toolCallArguments: new Map([[0, '{"q":"[R]"}{']]) },
      { type: 'tool_use', id: 'toolu_1', name: 'n', input: {} },
    ],
    [
      'tool_use input that is not an object',
      { type: 'tool_use', id: 'toolu_1', name: 'n', input: { q: 'secret' } },
      { toolCallArguments: new Map([[0, '["[R]"]']]) },
      { type: 'tool_use', id: 'toolu_1', name: 'n', input: {} },
    ],
    [
      'a text edit leaves a thinking block alone',
      { type: 'thinking', thinking: 'a', signature: 's' },
      { text: 'X' },
      { type: 'thinking', thinking: 'a', signature: 's' },
    ],
  ] as const)('block start rewrite: %s', (_n, block, edit: FrameEdit, want) => {
    const o = dataOf(anthropicMessages.rewriteFrame(start(block), 0, edit));
    expect(o).toEqual({ type: 'content_block_start', index: 0, content_block: want });
  });

  it('a message_start that already carries content is malformed', () => {
    const p = anthropicMessages.streamParser();
    const ms = (content: unknown[]) =>
      frame('message_start', { message: { id: 'm', type: 'message', content } });
    expect(p(ms([]))).toBeDefined();
    expect(p(ms([{ type: 'text', text: 'x' }]))).toBeUndefined();
  });

  it('a block start whose input is not an object is checked as it stands', () => {
    expect(parse([start({ type: 'tool_use', id: 't', name: 'f', input: 'raw' })])).toMatchObject([
      { type: 'tool_call', arguments: '"raw"' },
    ]);
  });
});
