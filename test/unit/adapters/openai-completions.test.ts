import { describe, expect, it } from 'vitest';
import { openAiCompletions } from '../../../src/adapters/openai-completions/index.js';
import type { Frame } from '../../../src/adapters/types.js';

/** Logprobs that spell `text`, as a server's do. */
const lpOf = (text: string) => ({ tokens: [text], token_logprobs: [-0.1] });
const lp = lpOf('a');
const frame = (choices: object[]): Frame => ({
  event: undefined,
  data: JSON.stringify({ id: 'cmpl-1', object: 'text_completion', choices }),
  end: 0,
});
const choicesOf = (out: string) => {
  expect(out).toMatch(/^data: .*\n\n$/);
  return (JSON.parse(out.slice('data: '.length)) as { choices: unknown[] }).choices;
};

describe('openai.completions: a frame of several choices', () => {
  const two = frame([
    { index: 0, text: 'a', logprobs: lp, finish_reason: null },
    { index: 1, text: 'b', logprobs: lpOf('b'), finish_reason: null },
  ]);

  it('parses a text piece per choice', () => {
    const evs = openAiCompletions.streamParser()(two);
    expect(evs?.filter((e) => e.type === 'text')).toEqual([
      { type: 'text', choice: 0, text: 'a' },
      { type: 'text', choice: 1, text: 'b' },
    ]);
  });

  it('rewriteFrameChoices applies each choice its edit; edited choices lose logprobs', () => {
    const out = openAiCompletions.rewriteFrameChoices!(
      two,
      new Map([
        [0, { text: 'A' }],
        [1, { text: 'B' }],
      ]),
    );
    expect(choicesOf(out)).toEqual([
      { index: 0, text: 'A', logprobs: null, finish_reason: null },
      { index: 1, text: 'B', logprobs: null, finish_reason: null },
    ]);
  });

  it('rewriteFrame edits one choice and leaves the other as it was', () => {
    expect(choicesOf(openAiCompletions.rewriteFrame(two, 1, { text: 'B' }))).toEqual([
      { index: 0, text: 'a', logprobs: lp, finish_reason: null },
      { index: 1, text: 'B', logprobs: null, finish_reason: null },
    ]);
  });

  it('an edit without text changes nothing', () => {
    expect(choicesOf(openAiCompletions.rewriteFrameChoices!(two, new Map([[0, {}]])))).toEqual(
      choicesOf(`data: ${two.data}\n\n`),
    );
  });
});

describe('openai.completions: malformed choices', () => {
  const KEY = 'AKIAQYLPMN5HHHFPZAM2';
  const parseFrame = (choices: object[]) => openAiCompletions.streamParser()(frame(choices));
  const parseBody = (choices: object[]) => openAiCompletions.parseResponse({ choices });
  const choice = (index: number | undefined, text: string, logprobs: unknown = null) => ({
    ...(index === undefined ? {} : { index }),
    text,
    logprobs,
    finish_reason: null,
  });

  it.each([
    ['explicit', [choice(0, 'hello'), choice(0, KEY)]],
    ['implicit (position) and explicit', [choice(undefined, 'hello'), choice(0, KEY)]],
  ])('two choices with one index (%s): buffered', (_n, choices) => {
    expect(parseBody(choices)).toBeUndefined();
  });

  it('a frame naming one choice index twice is malformed', () => {
    expect(parseFrame([choice(0, 'hello'), choice(0, KEY)])).toBeUndefined();
    expect(parseFrame([choice(0, 'hello'), choice(1, KEY)])).toBeDefined();
  });

  it.each([
    ['null', 'key ', null, true],
    ['tokens spell the text', 'a b', { tokens: ['a', ' b'] }, true],
    ['no tokens list', 'a', { token_logprobs: [] }, true],
    ['a token the text lacks', 'key ', { tokens: [KEY] }, false],
    ['tokens longer than the text', 'key ', { tokens: ['key ', KEY] }, false],
    ['tokens shorter than the text', 'key x', { tokens: ['key '] }, false],
    ['a token that is not a string', 'a', { tokens: [{ token: 'a' }] }, false],
    ['logprobs that are not an object', 'a', KEY, false],
  ])('logprobs: %s', (_n, text, logprobs, ok) => {
    expect(parseBody([choice(0, text, logprobs)]) !== undefined).toBe(ok);
    expect(parseFrame([choice(0, text, logprobs)]) !== undefined).toBe(ok);
  });

  it('logprobs: top_logprobs alternatives are not compared', () => {
    const lp = { tokens: ['a'], top_logprobs: [{ [KEY]: -9, a: -0.1 }] };
    expect(parseBody([choice(0, 'a', lp)])).toBeDefined();
  });
});
