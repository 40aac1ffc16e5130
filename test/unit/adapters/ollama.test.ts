import { describe, expect, it } from 'vitest';
import { ollamaChat, ollamaGenerate } from '../../../src/adapters/ollama/index.js';
import type { Frame, FrameEdit } from '../../../src/adapters/types.js';

const lp = [{ token: 'x', logprob: -0.1 }];
const frame = (o: object): Frame => ({ event: undefined, data: JSON.stringify(o), end: 0 });
const msg = (o: object) => ({ message: { role: 'assistant', content: '', ...o } });
const lineOf = (out: string) => {
  expect(out.endsWith('\n')).toBe(true);
  return JSON.parse(out) as Record<string, unknown>;
};

describe('ollama: thinking is reasoning', () => {
  it('buffered chat and generate', () => {
    expect(
      ollamaChat.parseResponse({ ...msg({ content: 'a', thinking: 't' }), done: true })?.choices[0],
    ).toMatchObject({ text: 'a', reasoning: 't' });
    expect(
      ollamaGenerate.parseResponse({ response: 'a', thinking: 't', done: true })?.choices[0],
    ).toMatchObject({ text: 'a', reasoning: 't' });
    expect(
      ollamaGenerate.parseResponse({ response: 'a', done: true })?.choices[0],
    ).not.toHaveProperty('reasoning');
  });

  it('a response with thinking and no text field is still a response', () => {
    expect(ollamaGenerate.parseResponse({ thinking: 't', done: true })?.choices[0]).toMatchObject({
      text: '',
      reasoning: 't',
    });
  });

  it.each([
    [ollamaChat, msg({ thinking: 't', content: 'a' })],
    [ollamaGenerate, { thinking: 't', response: 'a' }],
  ] as const)('%#: a streamed line: a reasoning piece and a content piece', (adapter, line) => {
    const evs = adapter.streamParser()(frame({ model: 'm', ...line, done: false }));
    expect(evs?.filter((e) => e.type === 'text')).toEqual([
      { type: 'text', choice: 0, text: 't', field: 'reasoning' },
      { type: 'text', choice: 0, text: 'a' },
    ]);
  });
});

describe('ollama: rewrites', () => {
  it('buffered chat: content, thinking, tool names and arguments; logprobs dropped', () => {
    const out = ollamaChat.rewriteResponse(
      {
        ...msg({
          content: 'a',
          thinking: 't',
          tool_calls: [
            { function: { name: 'f', arguments: { x: 1 } } },
            { function: { name: 'g', arguments: { y: 2 } } },
          ],
        }),
        logprobs: lp,
        done: true,
      },
      [
        {
          choice: 0,
          text: undefined,
          reasoning: 'T',
          toolCallArguments: new Map([[1, '{"y":"[R]"}']]),
          toolCallNames: new Map([[0, 'F']]),
        },
      ],
    ) as Record<string, unknown>;
    expect(out).toEqual({
      ...msg({
        content: 'a',
        thinking: 'T',
        tool_calls: [
          { function: { name: 'F', arguments: { x: 1 } } },
          { function: { name: 'g', arguments: { y: '[R]' } } },
        ],
      }),
      done: true,
    });
  });

  it('buffered chat: a tool-only edit keeps the logprobs', () => {
    const out = ollamaChat.rewriteResponse(
      { ...msg({ tool_calls: [{ function: { name: 'f', arguments: {} } }] }), logprobs: lp },
      [
        {
          choice: 0,
          text: undefined,
          toolCallArguments: new Map(),
          toolCallNames: new Map([[0, 'F']]),
        },
      ],
    );
    expect(out).toHaveProperty('logprobs', lp);
  });

  it('buffered generate: thinking replaced, context and logprobs dropped', () => {
    const out = ollamaGenerate.rewriteResponse(
      { response: 'a', thinking: 't', context: [1], logprobs: lp, done: true },
      [{ choice: 0, text: undefined, reasoning: 'T', toolCallArguments: new Map() }],
    );
    expect(out).toEqual({ response: 'a', thinking: 'T', done: true });
  });

  it.each([
    [
      'chat thinking',
      ollamaChat,
      { ...msg({ thinking: 't' }), logprobs: lp, done: false },
      { reasoning: 'T' },
      { ...msg({ thinking: 'T' }), done: false },
    ],
    [
      'chat content beside thinking',
      ollamaChat,
      { ...msg({ content: 'a', thinking: 't' }), logprobs: lp, done: false },
      { text: 'A' },
      { ...msg({ content: 'A', thinking: 't' }), done: false },
    ],
    [
      'generate thinking',
      ollamaGenerate,
      { response: '', thinking: 't', logprobs: lp, done: false },
      { reasoning: 'T' },
      { response: '', thinking: 'T', done: false },
    ],
    [
      'generate summary line: its empty texts stay empty, its context goes',
      ollamaGenerate,
      { response: '', thinking: '', context: [1], done: true },
      { text: 'whole answer', reasoning: 'whole reasoning' },
      { response: '', thinking: '', done: true },
    ],
    [
      'chat tool name',
      ollamaChat,
      { ...msg({ tool_calls: [{ function: { name: 'f', arguments: {} } }] }), done: false },
      { toolCallNames: new Map([[0, 'F']]) },
      { ...msg({ tool_calls: [{ function: { name: 'F', arguments: {} } }] }), done: false },
    ],
  ] as const)('frame rewrite: %s', (_n, adapter, line, edit: FrameEdit, want) => {
    expect(lineOf(adapter.rewriteFrame(frame(line), 0, edit))).toEqual(want);
  });

  it('a streamed line of calls is edited by the calls numbers across the stream', () => {
    const call = (name: string, args: object) => ({ function: { name, arguments: args } });
    const parse = ollamaChat.streamParser();
    const first = frame({ ...msg({ tool_calls: [call('a', {})] }), done: false });
    const second = frame({
      ...msg({ tool_calls: [call('b', { x: 1 }), call('c', { q: 'secret' })] }),
      done: false,
    });
    parse(first);
    expect(
      parse(second)
        ?.filter((e) => e.type === 'tool_call')
        .map((e) => e.index),
    ).toEqual([1, 2]);
    // Only call 2 (the second of the line) is edited.
    const out = lineOf(
      ollamaChat.rewriteFrame(second, 0, { toolCallArguments: new Map([[2, '{"q":"[R]"}']]) }),
    );
    expect(out).toEqual({
      ...msg({ tool_calls: [call('b', { x: 1 }), call('c', { q: '[R]' })] }),
      done: false,
    });
  });
});
