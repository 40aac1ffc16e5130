import { describe, expect, it } from 'vitest';
import { openAiCompletions } from '../../../src/adapters/openai-completions/index.js';
import type { Frame } from '../../../src/adapters/types.js';

const lp = { tokens: ['x'], token_logprobs: [-0.1] };
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
    { index: 1, text: 'b', logprobs: lp, finish_reason: null },
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
