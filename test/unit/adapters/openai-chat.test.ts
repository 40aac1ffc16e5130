import { describe, expect, it } from 'vitest';
import { openAiChat } from '../../../src/adapters/openai-chat/index.js';
import { findAdapter } from '../../../src/adapters/registry.js';
import { fixture, parseStreamFixture } from '../../helpers/fixtures.js';

const parseStream = (file: string) => parseStreamFixture(openAiChat, file);

describe('openai.chat adapter', () => {
  it.each([
    ['POST', '/v1/chat/completions', true],
    ['POST', '/openai/deployments/gpt4/chat/completions', true],
    ['GET', '/v1/chat/completions', false],
    ['POST', '/v1/completions', false],
  ])('%s %s is ours: %s', (method, path, owned) => {
    expect(findAdapter(method, path) === openAiChat).toBe(owned);
  });

  it('reads the request: model, stream, system prompt, tools, schema, n', () => {
    const info = openAiChat.parseRequest({
      model: 'gpt-4o-mini',
      stream: true,
      n: 2,
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Never reveal X.' }] },
        { role: 'user', content: 'hi' },
      ],
      tools: [
        { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } },
      ],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'x', schema: { type: 'object' } },
      },
    });
    expect(info).toEqual({
      operation: 'chat',
      model: 'gpt-4o-mini',
      stream: true,
      systemPrompt: 'You are terse.\nNever reveal X.',
      tools: [{ name: 'get_weather', parameters: { type: 'object' } }],
      responseSchema: { type: 'object' },
      choices: 2,
    });
  });

  it('treats hostile request bodies leniently', () => {
    for (const body of [null, 42, 'x', [], { messages: 'nope', tools: {}, n: 'many' }]) {
      const info = openAiChat.parseRequest(body);
      expect(info.stream).toBe(false);
      expect(info.choices).toBe(1);
      expect(info.tools).toEqual([]);
    }
  });

  it.each([
    [
      'completion.json',
      {
        model: 'gpt-4o-mini-2024-07-18',
        fingerprint: 'fp_06737a9306',
        texts: ['Mars is known as the Red Planet.'],
        finish: ['stop'],
        usage: { inputTokens: 19, outputTokens: 9 },
      },
    ],
    [
      'completion-n2.json',
      {
        model: 'gpt-4o-mini-2024-07-18',
        fingerprint: 'fp_06737a9306',
        texts: ['Paris.', 'The capital of France is Paris, a city on the Seine'],
        finish: ['stop', 'length'],
        usage: { inputTokens: 14, outputTokens: 16 },
      },
    ],
    [
      'completion-tools.json',
      {
        model: 'gpt-4o-mini-2024-07-18',
        fingerprint: 'fp_06737a9306',
        texts: [''],
        finish: ['tool_calls'],
        usage: { inputTokens: 82, outputTokens: 17 },
      },
    ],
  ])('parses %s', (file, want) => {
    const r = openAiChat.parseResponse(JSON.parse(fixture(`openai-chat/${file}`).toString()));
    expect(r).toBeDefined();
    expect(r?.model).toBe(want.model);
    expect(r?.fingerprint).toBe(want.fingerprint);
    expect(r?.choices.map((c) => c.text)).toEqual(want.texts);
    expect(r?.choices.map((c) => c.finishReason)).toEqual(want.finish);
    expect(r?.usage).toEqual(want.usage);
  });

  it('parses tool calls of a complete response', () => {
    const r = openAiChat.parseResponse(
      JSON.parse(fixture('openai-chat/completion-tools.json').toString()),
    );
    expect(r?.choices[0]?.toolCalls).toEqual([
      {
        id: 'call_abc123',
        name: 'get_current_weather',
        arguments: '{\n"location": "Boston, MA"\n}',
      },
    ]);
  });

  it.each([[null], [{}], [{ choices: 'x' }], ['text']])(
    'rejects a body that is not a completion: %j',
    (body) => {
      expect(openAiChat.parseResponse(body)).toBeUndefined();
    },
  );

  it('accumulates a streamed completion with a usage chunk', () => {
    const acc = parseStream('openai-chat/stream-basic.sse.txt');
    expect(acc.done).toBe(true);
    expect(acc.response.choices[0]?.text).toBe('Mars is known as the Red Planet — ü 🚀.');
    expect(acc.response.choices[0]?.finishReason).toBe('stop');
    expect(acc.response.usage).toEqual({ inputTokens: 19, outputTokens: 12 });
    expect(acc.response.fingerprint).toBe('fp_06737a9306');
  });

  it('accumulates streamed tool calls by index', () => {
    const acc = parseStream('openai-chat/stream-tools.sse.txt');
    expect(acc.response.choices[0]?.toolCalls).toEqual([
      {
        id: 'call_DdmO9pD3xa9XTPNJ32zg2hcA',
        name: 'get_current_weather',
        arguments: '{"location":"Boston, MA"}',
      },
      { id: 'call_second', name: 'get_time', arguments: '{"tz":"EST"}' },
    ]);
    expect(acc.response.choices[0]?.finishReason).toBe('tool_calls');
  });

  it('accumulates interleaved choices (n = 2) and skips keep-alive comments', () => {
    const acc = parseStream('openai-chat/stream-n2.sse.txt');
    expect(acc.response.choices.map((c) => [c.text, c.finishReason])).toEqual([
      ['Paris.', 'stop'],
      ['The capital', 'length'],
    ]);
  });

  it.each([
    ['not JSON', '{"id": "x", "choices": ['],
    ['JSON but not a chunk', '[1,2]'],
    ['object without choices', '{"id":"x"}'],
  ])('flags a malformed frame: %s', (_n, data) => {
    expect(openAiChat.streamParser()({ event: undefined, data, end: 0 })).toBeUndefined();
  });

  it('reads an in-band error frame', () => {
    expect(
      openAiChat.streamParser()({
        event: undefined,
        data: '{"error":{"message":"overloaded"}}',
        end: 0,
      }),
    ).toEqual([{ type: 'error', message: 'overloaded' }]);
  });

  it('writes errors in OpenAI format, in-band as an SSE data event', () => {
    const err = {
      status: 400,
      message: 'blocked',
      type: 'policy_violation',
      code: 'coalmine_policy_violation',
    };
    expect(JSON.parse(openAiChat.errorBody(err))).toEqual({
      error: {
        message: 'blocked',
        type: 'policy_violation',
        param: null,
        code: 'coalmine_policy_violation',
      },
    });
    const frame = openAiChat.streamError(err);
    expect(frame).toMatch(/^data: \{.*\}\n\n$/);
  });
});

describe('openai.chat adapter: every text field', () => {
  const frame = (data: unknown) => ({ event: undefined, data: JSON.stringify(data), end: 0 });
  const chunk = (delta: Record<string, unknown>, index = 0) =>
    frame({ id: 'c', choices: [{ index, delta, finish_reason: null }] });

  it.each([
    ['content', { content: 'a' }, [{ text: 'a' }]],
    [
      'empty content and a refusal',
      { content: '', refusal: 'r' },
      [{ text: 'r', field: 'refusal' }],
    ],
    [
      'content and refusal in one delta',
      { content: 'a', refusal: 'r' },
      [{ text: 'a' }, { text: 'r', field: 'refusal' }],
    ],
    [
      'content parts',
      {
        content: [
          { type: 'text', text: 'p' },
          { type: 'text', text: 'q' },
        ],
      },
      [{ text: 'pq' }],
    ],
    ['reasoning_content', { reasoning_content: 'think' }, [{ text: 'think', field: 'reasoning' }]],
    ['reasoning', { reasoning: 'think' }, [{ text: 'think', field: 'reasoning' }]],
  ])('stream: %s', (_name, delta, texts) => {
    const evs = openAiChat.streamParser()(chunk(delta)) ?? [];
    expect(evs.filter((e) => e.type === 'text')).toEqual(
      texts.map((t) => ({ type: 'text', choice: 0, ...t })),
    );
  });

  it.each([
    ['string content', { content: 'a' }, { text: 'a' }],
    ['refusal apart from content', { content: 'a', refusal: 'r' }, { text: 'a', refusal: 'r' }],
    [
      'content parts',
      {
        content: [
          { type: 'text', text: 'p' },
          { type: 'text', text: 'q' },
        ],
      },
      { text: 'pq' },
    ],
    ['reasoning_content', { content: 'a', reasoning_content: 't' }, { text: 'a', reasoning: 't' }],
    ['reasoning', { content: 'a', reasoning: 't' }, { text: 'a', reasoning: 't' }],
  ])('buffered: %s', (_name, message, want) => {
    const r = openAiChat.parseResponse({ choices: [{ index: 0, message, finish_reason: 'stop' }] });
    expect(r?.choices[0]).toMatchObject(want);
  });

  it.each([
    ['content', { content: 'a' }, { text: 'X' }, { content: 'X' }],
    ['refusal', { content: null, refusal: 'r' }, { refusal: 'X' }, { content: null, refusal: 'X' }],
    [
      'content parts',
      {
        content: [
          { type: 'text', text: 'p' },
          { type: 'text', text: 'q' },
        ],
      },
      { text: 'X' },
      {
        content: [
          { type: 'text', text: 'X' },
          { type: 'text', text: '' },
        ],
      },
    ],
    [
      'reasoning_content',
      { reasoning_content: 't' },
      { reasoning: 'X' },
      { reasoning_content: 'X' },
    ],
    ['reasoning', { reasoning: 't' }, { reasoning: 'X' }, { reasoning: 'X' }],
    [
      'tool name and id',
      { tool_calls: [{ id: 'i', type: 'function', function: { name: 'n', arguments: '{}' } }] },
      { toolCallNames: new Map([[0, 'N']]), toolCallIds: new Map([[0, 'I']]) },
      { tool_calls: [{ id: 'I', type: 'function', function: { name: 'N', arguments: '{}' } }] },
    ],
  ])('buffered rewrite: %s', (_name, message, edit, want) => {
    const lp = { content: [] };
    const out = openAiChat.rewriteResponse({ choices: [{ index: 0, message, logprobs: lp }] }, [
      { choice: 0, text: undefined, toolCallArguments: new Map(), ...edit },
    ]) as { choices: { message: unknown; logprobs: unknown }[] };
    expect(out.choices[0]!.message).toEqual(want);
    // Logprobs repeat the text: dropped when a text changed.
    const textChanged = 'text' in edit || 'refusal' in edit || 'reasoning' in edit;
    expect(out.choices[0]!.logprobs).toEqual(textChanged ? null : lp);
  });

  it.each([
    ['content', { content: 'a' }, { text: 'X' }, { content: 'X' }],
    [
      'refusal beside empty content',
      { content: '', refusal: 'r' },
      { refusal: 'X' },
      { content: '', refusal: 'X' },
    ],
    [
      'content parts',
      { content: [{ type: 'text', text: 'p' }] },
      { text: 'X' },
      { content: [{ type: 'text', text: 'X' }] },
    ],
    [
      'reasoning_content',
      { reasoning_content: 't' },
      { reasoning: 'X' },
      { reasoning_content: 'X' },
    ],
    [
      'tool name and id',
      { tool_calls: [{ index: 0, id: 'i', function: { name: 'n', arguments: '' } }] },
      { toolCallNames: new Map([[0, 'N']]), toolCallIds: new Map([[0, 'I']]) },
      { tool_calls: [{ index: 0, id: 'I', function: { name: 'N', arguments: '' } }] },
    ],
  ])('frame rewrite: %s', (_name, delta, edit, want) => {
    const out = openAiChat.rewriteFrame(chunk(delta), 0, edit);
    const o = JSON.parse(out.slice('data: '.length)) as { choices: { delta: unknown }[] };
    expect(o.choices[0]!.delta).toEqual(want);
  });

  it('a frame of two choices keeps both choices edits', () => {
    const f = frame({
      choices: [
        { index: 0, delta: { content: 'a' }, logprobs: { content: [] } },
        { index: 1, delta: { content: 'b' }, logprobs: { content: [] } },
      ],
    });
    const out = openAiChat.rewriteFrameChoices!(
      f,
      new Map([
        [0, { text: 'A' }],
        [1, { text: 'B' }],
      ]),
    );
    const o = JSON.parse(out.slice('data: '.length)) as {
      choices: { delta: { content: string }; logprobs: unknown }[];
    };
    expect(o.choices.map((c) => c.delta.content)).toEqual(['A', 'B']);
    expect(o.choices.map((c) => c.logprobs)).toEqual([null, null]);
  });
});

describe('openai.chat adapter: streamed legacy function_call', () => {
  const chunk = (delta: Record<string, unknown>, index = 0) => ({
    event: undefined,
    data: JSON.stringify({ id: 'c', choices: [{ index, delta, finish_reason: null }] }),
    end: 0,
  });

  it('is tool call 0 of its choice: the name first, then arguments pieces', () => {
    const parse = openAiChat.streamParser();
    const evs = [
      chunk({ role: 'assistant', content: null, function_call: { name: 'f', arguments: '' } }),
      chunk({ function_call: { arguments: '{"a":' } }),
      chunk({ function_call: { arguments: '1}' } }, 1),
    ].flatMap((f) => (parse(f) ?? []).filter((e) => e.type === 'tool_call'));
    expect(evs).toEqual([
      { type: 'tool_call', choice: 0, index: 0, name: 'f', arguments: '' },
      { type: 'tool_call', choice: 0, index: 0, arguments: '{"a":' },
      { type: 'tool_call', choice: 1, index: 0, arguments: '1}' },
    ]);
  });

  it.each([
    [
      'tool_calls, then function_call',
      [
        chunk({ tool_calls: [{ index: 0, id: 'i', function: { name: 'f', arguments: '' } }] }),
        chunk({ function_call: { arguments: '{}' } }),
      ],
    ],
    [
      'function_call, then tool_calls',
      [
        chunk({ function_call: { name: 'f', arguments: '' } }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{}' } }] }),
      ],
    ],
    [
      'both in one delta',
      [
        chunk({
          function_call: { name: 'f', arguments: '' },
          tool_calls: [{ index: 0, function: { name: 'g', arguments: '' } }],
        }),
      ],
    ],
  ])('mixed with tool_calls for one choice: malformed (%s)', (_n, frames) => {
    const parse = openAiChat.streamParser();
    const results = frames.map((f) => parse(f));
    expect(results.at(-1)).toBeUndefined();
    expect(results.slice(0, -1).every((r) => r !== undefined)).toBe(true);
  });

  it('each choice and each stream has its own style', () => {
    const parse = openAiChat.streamParser();
    expect(parse(chunk({ function_call: { name: 'f', arguments: '' } }, 0))).toBeDefined();
    expect(
      parse(chunk({ tool_calls: [{ index: 0, function: { name: 'g', arguments: '' } }] }, 1)),
    ).toBeDefined();
    // A new stream starts afresh; empty tool_calls arrays are no style at all.
    const other = openAiChat.streamParser();
    expect(other(chunk({ tool_calls: [] }))).toBeDefined();
    expect(
      other(chunk({ tool_calls: [{ index: 0, function: { name: 'g', arguments: '' } }] })),
    ).toBeDefined();
  });

  it('frame rewrite: arguments and name of the function_call (call 0)', () => {
    const out = openAiChat.rewriteFrame(
      chunk({ function_call: { name: 'n', arguments: 'a' } }),
      0,
      { toolCallArguments: new Map([[0, 'X']]), toolCallNames: new Map([[0, 'N']]) },
    );
    const o = JSON.parse(out.slice('data: '.length)) as { choices: { delta: unknown }[] };
    expect(o.choices[0]!.delta).toEqual({ function_call: { name: 'N', arguments: 'X' } });
  });

  it('frame rewrite: a name edit does not add a name to an arguments-only piece', () => {
    const out = openAiChat.rewriteFrame(chunk({ function_call: { arguments: 'a' } }), 0, {
      toolCallNames: new Map([[0, 'N']]),
    });
    const o = JSON.parse(out.slice('data: '.length)) as { choices: { delta: unknown }[] };
    expect(o.choices[0]!.delta).toEqual({ function_call: { arguments: 'a' } });
  });
});

describe('openai.chat adapter: custom tool calls, audio transcripts, duplicate indexes, logprobs', () => {
  const frame = (data: unknown) => ({ event: undefined, data: JSON.stringify(data), end: 0 });
  const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    frame({ id: 'c', choices: [{ index: 0, delta, finish_reason: null, ...extra }] });
  const tok = (token: string) => ({ token, logprob: -0.1, bytes: null, top_logprobs: [] });
  const custom = (name: string, input: string) => ({
    id: 'call_1',
    type: 'custom',
    custom: { name, input },
  });
  const fn = { name: 'f', arguments: '{}' };
  const audio = (transcript: string) => ({
    id: 'audio_1',
    data: 'UklGRg==',
    expires_at: 1,
    transcript,
  });
  const parseMessage = (message: unknown, extra: Record<string, unknown> = {}) =>
    openAiChat.parseResponse({
      choices: [{ index: 0, message, finish_reason: 'stop', ...extra }],
    });
  const delta = (out: string) =>
    (JSON.parse(out.slice('data: '.length)) as { choices: { delta: unknown; logprobs: unknown }[] })
      .choices[0]!;

  it('buffered: a custom tool call is a tool call (its input the arguments)', () => {
    const r = parseMessage({ content: null, tool_calls: [custom('run', 'echo hi')] });
    expect(r?.choices[0]?.toolCalls).toEqual([{ id: 'call_1', name: 'run', arguments: 'echo hi' }]);
  });

  it('stream: custom tool call pieces are tool call events', () => {
    const parse = openAiChat.streamParser();
    const evs = [
      chunk({ tool_calls: [{ index: 0, ...custom('run', '') }] }),
      chunk({ tool_calls: [{ index: 0, custom: { input: 'echo ' } }] }),
      chunk({ tool_calls: [{ index: 0, custom: { input: 'hi' } }] }),
    ].flatMap((f) => (parse(f) ?? []).filter((e) => e.type === 'tool_call'));
    expect(evs).toEqual([
      { type: 'tool_call', choice: 0, index: 0, id: 'call_1', name: 'run', arguments: '' },
      { type: 'tool_call', choice: 0, index: 0, arguments: 'echo ' },
      { type: 'tool_call', choice: 0, index: 0, arguments: 'hi' },
    ]);
  });

  it('buffered rewrite: a custom call takes new input, name and id', () => {
    const out = openAiChat.rewriteResponse(
      { choices: [{ index: 0, message: { tool_calls: [custom('run', 'x')] } }] },
      [
        {
          choice: 0,
          text: undefined,
          toolCallArguments: new Map([[0, 'X']]),
          toolCallNames: new Map([[0, 'N']]),
          toolCallIds: new Map([[0, 'I']]),
        },
      ],
    ) as { choices: { message: unknown }[] };
    expect(out.choices[0]!.message).toEqual({
      tool_calls: [{ id: 'I', type: 'custom', custom: { name: 'N', input: 'X' } }],
    });
  });

  it('frame rewrite: a custom call piece takes new input and name', () => {
    const out = openAiChat.rewriteFrame(
      chunk({ tool_calls: [{ index: 0, ...custom('run', 'x') }] }),
      0,
      { toolCallArguments: new Map([[0, 'X']]), toolCallNames: new Map([[0, 'N']]) },
    );
    expect(delta(out).delta).toEqual({
      tool_calls: [{ index: 0, id: 'call_1', type: 'custom', custom: { name: 'N', input: 'X' } }],
    });
  });

  it('a tool call that is both a function and a custom call is malformed', () => {
    const both = { id: 'call_1', type: 'custom', function: fn, custom: { name: 'r', input: 'x' } };
    expect(parseMessage({ content: null, tool_calls: [both] })).toBeUndefined();
    expect(
      openAiChat.streamParser()(chunk({ tool_calls: [{ index: 0, ...both }] })),
    ).toBeUndefined();
  });

  it('a streamed call switching between function and custom is malformed', () => {
    const parse = openAiChat.streamParser();
    expect(parse(chunk({ tool_calls: [{ index: 0, id: 'i', function: fn }] }))).toBeDefined();
    expect(parse(chunk({ tool_calls: [{ index: 0, custom: { input: 'x' } }] }))).toBeUndefined();
    // Another call (or another stream) may be of the other kind.
    expect(parse(chunk({ tool_calls: [{ index: 1, custom: { input: 'x' } }] }))).toBeDefined();
  });

  it('buffered: the audio transcript is a text of its own; the audio data is not', () => {
    const r = parseMessage({ content: null, audio: audio('said aloud') });
    expect(r?.choices[0]).toMatchObject({ text: '', transcript: 'said aloud' });
  });

  it('stream: audio transcript pieces are transcript text events', () => {
    const evs = openAiChat.streamParser()(
      chunk({ audio: { id: 'audio_1', transcript: 'said', data: 'AAAA' } }),
    );
    expect(evs?.filter((e) => e.type === 'text')).toEqual([
      { type: 'text', choice: 0, text: 'said', field: 'transcript' },
    ]);
  });

  it('buffered rewrite: the transcript is replaced, the audio data kept, logprobs dropped', () => {
    const out = openAiChat.rewriteResponse(
      {
        choices: [
          { index: 0, message: { content: null, audio: audio('t') }, logprobs: { content: [] } },
        ],
      },
      [{ choice: 0, text: undefined, toolCallArguments: new Map(), transcript: 'X' }],
    ) as { choices: { message: unknown; logprobs: unknown }[] };
    expect(out.choices[0]).toEqual({
      index: 0,
      message: { content: null, audio: audio('X') },
      logprobs: null,
    });
  });

  it('frame rewrite: the transcript piece is replaced, logprobs dropped', () => {
    const out = openAiChat.rewriteFrame(
      chunk({ audio: { transcript: 't', data: 'AAAA' } }, { logprobs: { content: [] } }),
      0,
      { transcript: 'X' },
    );
    expect(delta(out)).toMatchObject({
      delta: { audio: { transcript: 'X', data: 'AAAA' } },
      logprobs: null,
    });
  });

  it.each([
    ['explicit', [0, 0]],
    ['implicit (position) and explicit', [undefined, 0]],
  ])('buffered: two choices with one index (%s) are malformed', (_n, indexes) => {
    const choices = indexes.map((index, i) => ({
      ...(index === undefined ? {} : { index }),
      message: { content: `c${i}` },
      finish_reason: 'stop',
    }));
    expect(openAiChat.parseResponse({ choices })).toBeUndefined();
    expect(
      openAiChat.parseResponse({ choices: [choices[0], { ...choices[1], index: 1 }] }),
    ).toBeDefined();
  });

  it('stream: a frame naming one choice index twice is malformed', () => {
    const f = frame({
      id: 'c',
      choices: [
        { index: 0, delta: { content: 'a' }, finish_reason: null },
        { index: 0, delta: { content: 'b' }, finish_reason: null },
      ],
    });
    expect(openAiChat.streamParser()(f)).toBeUndefined();
  });

  const KEY = 'AKIAQYLPMN5HHHFPZAM2';
  it.each([
    ['null', { content: 'key ' }, null, true],
    [
      'content tokens spell the content',
      { content: 'a b' },
      { content: [tok('a'), tok(' b')] },
      true,
    ],
    ['empty tokens, empty content', { content: '' }, { content: [], refusal: null }, true],
    ['refusal tokens spell the refusal', { refusal: 'no' }, { refusal: [tok('no')] }, true],
    ['a token the content lacks', { content: 'key ' }, { content: [tok(KEY)] }, false],
    [
      'tokens longer than the content',
      { content: 'key ' },
      { content: [tok('key '), tok(KEY)] },
      false,
    ],
    ['tokens shorter than the content', { content: 'key x' }, { content: [tok('key ')] }, false],
    ['content tokens without content', { tool_calls: [] }, { content: [tok(KEY)] }, false],
    ['a refusal token the refusal lacks', { refusal: 'no' }, { refusal: [tok(KEY)] }, false],
    ['a token entry without token', { content: 'a' }, { content: [{ bytes: [97] }] }, false],
    ['logprobs that are not an object', { content: 'a' }, KEY, false],
    ['content tokens that are not a list', { content: 'a' }, { content: 'a' }, false],
  ])('logprobs: %s', (_n, msg, logprobs, ok) => {
    const buffered = parseMessage(msg, { logprobs });
    expect(buffered !== undefined).toBe(ok);
    const streamed = openAiChat.streamParser()(chunk(msg, { logprobs }));
    expect(streamed !== undefined).toBe(ok);
  });

  it('logprobs: top_logprobs alternatives are not compared', () => {
    const lp = { content: [{ ...tok('a'), top_logprobs: [{ token: KEY, logprob: -9 }] }] };
    expect(parseMessage({ content: 'a' }, { logprobs: lp })).toBeDefined();
  });
});
