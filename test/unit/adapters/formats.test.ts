import type { ResponseErrorEvent } from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import { anthropicMessages } from '../../../src/adapters/anthropic-messages/index.js';
import { createFramer } from '../../../src/adapters/framing.js';
import { ollamaChat, ollamaGenerate } from '../../../src/adapters/ollama/index.js';
import { openAiChat } from '../../../src/adapters/openai-chat/index.js';
import { openAiCompletions } from '../../../src/adapters/openai-completions/index.js';
import { openAiEmbeddings } from '../../../src/adapters/openai-embeddings/index.js';
import { openAiResponses } from '../../../src/adapters/openai-responses/index.js';
import { findAdapter } from '../../../src/adapters/registry.js';
import { fixture, parseStreamFixture } from '../../helpers/fixtures.js';

const json = (file: string) => JSON.parse(fixture(file).toString()) as unknown;

const parseStream = parseStreamFixture;

describe('adapter routing', () => {
  it.each([
    ['POST', '/v1/chat/completions', 'openai.chat'],
    ['POST', '/v1/completions', 'openai.completions'],
    ['POST', '/v1/responses', 'openai.responses'],
    ['POST', '/v1/embeddings', 'openai.embeddings'],
    ['POST', '/v1/messages', 'anthropic.messages'],
    ['POST', '/api/chat', 'ollama.chat'],
    ['POST', '/api/generate', 'ollama.generate'],
    ['GET', '/v1/models', undefined],
    ['POST', '/v1/messages/count_tokens', undefined],
  ])('%s %s → %s', (method, path, id) => {
    expect(findAdapter(method, path)?.id).toBe(id);
  });
});

describe('buffered responses from recorded fixtures', () => {
  it.each([
    [
      'anthropic: thinking, text and tool_use',
      anthropicMessages,
      'anthropic-messages/response.json',
      {
        id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
        model: 'claude-sonnet-4-20250514',
        choices: [
          {
            text: "I'll check the weather in Paris.",
            reasoning: 'The user wants the weather; I should call the tool.',
            finishReason: 'tool_use',
            toolCalls: [
              {
                id: 'toolu_01A09q90qw90lq917835lq9',
                name: 'get_weather',
                arguments: '{"location":"Paris, France","unit":"celsius"}',
              },
            ],
          },
        ],
        usage: { inputTokens: 472, outputTokens: 89 },
      },
    ],
    [
      'anthropic: refusal',
      anthropicMessages,
      'anthropic-messages/refusal.json',
      { choices: [{ text: "I can't help with that.", finishReason: 'refusal' }] },
    ],
    [
      'responses: reasoning, message and function call',
      openAiResponses,
      'openai-responses/response.json',
      {
        model: 'gpt-4.1-2025-04-14',
        choices: [
          {
            text: 'In a peaceful grove beneath a silver moon, a unicorn named Lumina discovered a hidden pool.',
            finishReason: 'tool_calls',
            toolCalls: [
              {
                id: 'call_12345xyz',
                name: 'get_weather',
                arguments: '{"location":"Paris, France"}',
              },
            ],
          },
        ],
        usage: { inputTokens: 36, outputTokens: 87 },
      },
    ],
    [
      'responses: refusal part',
      openAiResponses,
      'openai-responses/refusal.json',
      { choices: [{ text: "I'm sorry, I can't assist with that request.", finishReason: 'stop' }] },
    ],
    [
      'responses: incomplete',
      openAiResponses,
      'openai-responses/incomplete.json',
      { choices: [{ text: 'Once upon a', finishReason: 'length' }] },
    ],
    [
      'completions',
      openAiCompletions,
      'openai-completions/response.json',
      {
        fingerprint: 'fp_44709d6fcb',
        choices: [{ text: '\n\nThis is indeed a test', finishReason: 'length' }],
        usage: { inputTokens: 5, outputTokens: 7 },
      },
    ],
    [
      'ollama chat',
      ollamaChat,
      'ollama/chat.json',
      {
        model: 'llama3.2',
        choices: [{ text: 'Hello! How are you today?', finishReason: 'stop' }],
        usage: { inputTokens: 26, outputTokens: 298 },
      },
    ],
    [
      'ollama chat with tools',
      ollamaChat,
      'ollama/chat-tools.json',
      {
        choices: [
          {
            text: '',
            toolCalls: [
              {
                name: 'get_current_weather',
                arguments: '{"format":"celsius","location":"Paris, FR"}',
              },
            ],
          },
        ],
      },
    ],
    [
      'ollama generate',
      ollamaGenerate,
      'ollama/generate.json',
      {
        choices: [
          { text: 'The sky is blue because of Rayleigh scattering.', finishReason: 'stop' },
        ],
      },
    ],
  ] as const)('%s', (_n, adapter, file, expected) => {
    expect(adapter.parseResponse(json(file))).toMatchObject(expected);
  });

  it('embeddings: float and base64 decode to the same vector', () => {
    const f = openAiEmbeddings.parseResponse(json('openai-embeddings/float.json'))!;
    const b = openAiEmbeddings.parseResponse(json('openai-embeddings/base64.json'))!;
    expect(f.choices[0]?.vector).toHaveLength(4);
    for (let i = 0; i < 4; i++)
      expect(b.choices[0]!.vector![i]).toBeCloseTo(f.choices[0]!.vector![i]!, 7);
    expect(openAiEmbeddings.parseResponse({ data: [{ embedding: 'abc' }] })).toBeUndefined();
  });
});

describe('streams from recorded fixtures', () => {
  it.each([
    [
      'anthropic: thinking, text, input_json_delta',
      anthropicMessages,
      'anthropic-messages/stream.sse.txt',
      'sse',
      {
        id: 'msg_014p7gG3wDgGV9EUtLvnow3U',
        choices: [
          {
            text: "Okay, let's check the weather for Paris.",
            reasoning: 'I need the weather tool.',
            finishReason: 'tool_use',
            toolCalls: [
              {
                id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
                name: 'get_weather',
                arguments: '{"location": "Paris, France", "unit": "celsius"}',
              },
            ],
          },
        ],
        usage: { inputTokens: 472, outputTokens: 89 },
      },
    ],
    [
      'responses: text and a function call',
      openAiResponses,
      'openai-responses/stream.sse.txt',
      'sse',
      {
        id: 'resp_stream',
        choices: [
          {
            text: 'Hi there! How can I help?',
            finishReason: 'tool_calls',
            toolCalls: [{ id: 'call_s', name: 'get_weather', arguments: '{"location":"Paris"}' }],
          },
        ],
        usage: { inputTokens: 37, outputTokens: 11 },
      },
    ],
    [
      'completions',
      openAiCompletions,
      'openai-completions/stream.sse.txt',
      'sse',
      { choices: [{ text: '\n\nThis is indeed a test', finishReason: 'length' }] },
    ],
    [
      'ollama chat',
      ollamaChat,
      'ollama/chat.ndjson',
      'ndjson',
      {
        model: 'llama3.2',
        choices: [{ text: 'The sky is blue.', finishReason: 'stop' }],
        usage: { inputTokens: 26, outputTokens: 282 },
      },
    ],
    [
      'ollama generate',
      ollamaGenerate,
      'ollama/generate.ndjson',
      'ndjson',
      { choices: [{ text: 'The sky is blue.', finishReason: 'stop' }] },
    ],
  ] as const)('%s', (_n, adapter, file, framing, expected) => {
    const acc = parseStream(adapter, file, framing);
    expect(acc.done).toBe(true);
    expect(acc.response).toMatchObject(expected);
  });

  it.each([
    [anthropicMessages, 'anthropic-messages/stream-error.sse.txt', 'sse', 'Overloaded'],
    [
      openAiResponses,
      'openai-responses/stream-error.sse.txt',
      'sse',
      'The server had an error while processing your request.',
    ],
    [ollamaGenerate, 'ollama/error.ndjson', 'ndjson', 'an unexpected error occurred'],
  ] as const)('%s: an in-band upstream error is recognised', (adapter, file, framing, message) => {
    const acc = parseStream(adapter, file, framing);
    expect(acc.upstreamError).toBe(message);
    expect(acc.done).toBe(false);
  });
});

describe('errors in each provider shape', () => {
  const err = {
    status: 400,
    message: 'blocked by policy p, rule r',
    type: 'policy_violation',
    code: 'coalmine_policy_violation',
  };
  /** Formats without a field for a code carry it at the start of the message. */
  const coded = `[${err.code}] ${err.message}`;
  const openAiBody = {
    error: { message: err.message, type: err.type, code: err.code, param: null },
  };
  it.each([
    [
      anthropicMessages,
      { type: 'error', error: { type: 'invalid_request_error', message: coded } },
    ],
    [ollamaChat, { error: coded }],
    [ollamaGenerate, { error: coded }],
    [openAiChat, openAiBody],
    [openAiResponses, openAiBody],
    [openAiCompletions, openAiBody],
    [openAiEmbeddings, openAiBody],
  ] as const)('%s: error body', (adapter, body) => {
    expect(JSON.parse(adapter.errorBody(err))).toEqual(body);
  });

  /** A Responses frame the client was last sent, numbered as the upstream numbered it. */
  const sent = (seq: number) => ({
    lastSent: { event: 'response.output_text.delta', data: `{"sequence_number":${seq}}`, end: 0 },
  });
  const responsesEvent = (seq: number) => ({
    type: 'error',
    code: err.code,
    message: err.message,
    param: null,
    sequence_number: seq,
    error: openAiBody.error,
  });
  // The provider's published stream error events: https://platform.openai.com/docs/api-reference/responses-streaming/error,
  // https://docs.anthropic.com/en/docs/build-with-claude/streaming#error-events, Chat
  // Completions' `data: {"error": …}` (what the openai SDK and the AI SDK raise), Ollama's
  // `{"error": "…"}` line.
  it.each([
    [openAiResponses, undefined, 'error', responsesEvent(0)],
    [openAiResponses, sent(41), 'error', responsesEvent(42)],
    [openAiResponses, { lastSent: undefined }, 'error', responsesEvent(0)],
    [
      openAiResponses,
      { lastSent: { event: undefined, data: 'not json', end: 0 } },
      'error',
      responsesEvent(0),
    ],
    [openAiChat, sent(3), undefined, openAiBody],
    [openAiCompletions, undefined, undefined, openAiBody],
    [
      anthropicMessages,
      undefined,
      'error',
      { type: 'error', error: { type: 'invalid_request_error', message: coded } },
    ],
  ] as const)('%s: in-band stream error (after %o)', (adapter, at, event, data) => {
    const f = createFramer('sse').push(Buffer.from(adapter.streamError(err, at))).frames;
    expect(f).toHaveLength(1);
    expect(f[0]?.event).toBe(event);
    expect(JSON.parse(f[0]?.data ?? '')).toEqual(data);
  });
  it.each([ollamaChat, ollamaGenerate])('%s: in-band stream error', (adapter) => {
    expect(adapter.streamError(err)).toBe(`${JSON.stringify({ error: coded })}\n`);
  });

  it('responses: the error event has every field OpenAI requires, typed as published', () => {
    const f = createFramer('sse').push(Buffer.from(openAiResponses.streamError(err, sent(7))));
    const e = JSON.parse(f.frames[0]?.data ?? '') as ResponseErrorEvent;
    expect(e.type).toBe('error');
    expect(typeof e.message).toBe('string');
    expect(e.code === null || typeof e.code === 'string').toBe(true);
    expect(e.param).toBeNull();
    expect(e.sequence_number).toBe(8);
  });

  // Anthropic's published error types (https://docs.anthropic.com/en/api/errors), by status.
  it.each([
    [400, 'coalmine_policy_violation', 'invalid_request_error'],
    [400, 'request_invalid_json', 'invalid_request_error'],
    [404, 'route_not_found', 'not_found_error'],
    [408, 'request_body_timeout', 'timeout_error'],
    [413, 'request_body_too_large', 'request_too_large'],
    [500, 'internal', 'api_error'],
    [502, 'upstream_connect_failed', 'api_error'],
    [423, 'model_quarantined', 'api_error'],
    [503, 'request_budget_exhausted', 'overloaded_error'],
    [504, 'upstream_first_byte_timeout', 'timeout_error'],
  ] as const)('anthropic: %i %s → %s', (status, code, type) => {
    const body = JSON.parse(
      anthropicMessages.errorBody({ status, code, message: 'm', type: 'x' }),
    ) as { error: { type: string; message: string } };
    expect(body.error).toEqual({ type, message: `[${code}] m` });
  });

  it('in-band stream errors parse back as errors with the same adapter', () => {
    for (const [adapter, framing, message] of [
      [anthropicMessages, 'sse', coded],
      [openAiResponses, 'sse', err.message],
      [openAiCompletions, 'sse', err.message],
      [ollamaChat, 'ndjson', coded],
    ] as const) {
      const f = createFramer(framing).push(Buffer.from(adapter.streamError(err))).frames[0]!;
      expect(adapter.streamParser()(f), adapter.id).toEqual([{ type: 'error', message }]);
    }
  });
});

describe('redaction rewrites', () => {
  it('anthropic: text into the first text block, tool input re-parsed', () => {
    const out = anthropicMessages.rewriteResponse(json('anthropic-messages/response.json'), [
      {
        choice: 0,
        text: 'X [REDACTED:r]',
        toolCallArguments: new Map([[0, '{"location":"[REDACTED:r]"}']]),
      },
    ]) as { content: { type: string; text?: string; input?: unknown; thinking?: string }[] };
    expect(out.content.map((c) => c.text ?? c.input ?? c.thinking)).toEqual([
      'The user wants the weather; I should call the tool.',
      'X [REDACTED:r]',
      { location: '[REDACTED:r]' },
    ]);
  });

  it('responses: message text, output_text convenience and function arguments', () => {
    const out = openAiResponses.rewriteResponse(json('openai-responses/response.json'), [
      { choice: 0, text: 'clean', toolCallArguments: new Map([[0, '{}']]) },
    ]) as { output: { type: string; content?: { text: string }[]; arguments?: string }[] };
    expect(out.output[1]?.content?.[0]?.text).toBe('clean');
    expect(out.output[2]?.arguments).toBe('{}');
  });

  it('ollama generate: the context that encodes the answer goes with a redaction', () => {
    const out = ollamaGenerate.rewriteResponse(json('ollama/generate.json'), [
      { choice: 0, text: 'clean', toolCallArguments: new Map() },
    ]) as Record<string, unknown>;
    expect(out['response']).toBe('clean');
    expect(out).not.toHaveProperty('context');
  });

  it('completions: text replaced, logprobs dropped', () => {
    const body = {
      ...(json('openai-completions/response.json') as object),
      choices: [
        { text: 'secret', index: 0, logprobs: { tokens: ['secret'] }, finish_reason: 'stop' },
      ],
    };
    const out = openAiCompletions.rewriteResponse(body, [
      { choice: 0, text: 'clean', toolCallArguments: new Map() },
    ]) as { choices: { text: string; logprobs: unknown }[] };
    expect(out.choices[0]).toMatchObject({ text: 'clean', logprobs: null });
  });
});

describe('requests', () => {
  it.each([
    [
      anthropicMessages,
      {
        model: 'claude',
        system: [{ type: 'text', text: 'Be brief.' }],
        stream: true,
        tools: [{ name: 't', input_schema: {} }],
      },
      { model: 'claude', stream: true, systemPrompt: 'Be brief.', tools: [{ name: 't' }] },
    ],
    [
      openAiResponses,
      {
        model: 'gpt',
        instructions: 'Be brief.',
        input: 'hi',
        tools: [{ type: 'function', name: 'f', parameters: {} }, { type: 'web_search' }],
      },
      { stream: false, systemPrompt: 'Be brief.', tools: [{ name: 'f' }] },
    ],
    [
      ollamaChat,
      { model: 'llama3', messages: [{ role: 'system', content: 'Be brief.' }] },
      { stream: true, systemPrompt: 'Be brief.' },
    ],
    [
      ollamaGenerate,
      { model: 'llama3', prompt: 'hi', stream: false, format: { type: 'object' } },
      { stream: false, operation: 'text_completion', responseSchema: { type: 'object' } },
    ],
    [
      openAiEmbeddings,
      { model: 'e', input: ['a', 'b', 'c'] },
      { operation: 'embeddings', choices: 3 },
    ],
  ] as const)('%s', (adapter, body, expected) => {
    expect(adapter.parseRequest(body)).toMatchObject(expected);
  });
});
