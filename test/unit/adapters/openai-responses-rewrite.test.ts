/**
 * The Responses adapter's complete responses (reasoning read, reasoning / tool names / ids
 * written back) and its frame re-rendering: deltas take their piece, snapshots the whole
 * text by the first-part rule, function calls their arguments, names and ids.
 */
import { describe, expect, it } from 'vitest';
import { openAiResponses } from '../../../src/adapters/openai-responses/index.js';
import type { FrameEdit } from '../../../src/adapters/types.js';
import type { ChoiceEdit } from '../../../src/model/exchange.js';
import { fixture } from '../../helpers/fixtures.js';

type O = Record<string, unknown>;
interface Part {
  type?: string;
  text?: string;
  refusal?: string;
  logprobs?: unknown[];
}
interface Item {
  type: string;
  id?: string;
  summary?: Part[];
  content?: Part[];
  encrypted_content?: string;
  call_id?: string;
  name?: string;
  arguments?: string;
}
interface Resp {
  output: Item[];
  output_text?: unknown;
  [k: string]: unknown;
}
const body = () =>
  JSON.parse(fixture('openai-responses/response-reasoning.json').toString()) as Resp;
const texts = (parts: Part[] | undefined) => (parts ?? []).map((p) => p.text);
const S1 = '**Checking the weather** The user asks about Paris.';
const S2 = ' I will call get_weather.';
const RT = 'Paris is a city; the tool takes a location.';

describe('responses: a complete response', () => {
  it('reasoning is the summaries, then the reasoning texts; encrypted content is not read', () => {
    const r = openAiResponses.parseResponse(body())!;
    expect(r.choices[0]).toMatchObject({
      text: 'Let me check the weather in Paris.',
      reasoning: S1 + S2 + RT,
      toolCalls: [{ id: 'call_r', name: 'get_weather' }],
    });
    expect(JSON.stringify(r)).not.toContain('gAAAA');
  });

  it('no reasoning item, no reasoning', () => {
    const b = body();
    b.output = b.output.slice(1);
    expect(openAiResponses.parseResponse(b)!.choices[0]!.reasoning).toBeUndefined();
  });

  it('a part with both text and refusal says both', () => {
    const b = body();
    b.output[1]!.content![0]!.refusal = ' and no';
    expect(openAiResponses.parseResponse(b)!.choices[0]!.text).toBe(
      'Let me check the weather in Paris. and no',
    );
  });

  it.each([
    ['the output_text parts', 'Let me check the weather in Paris.', true],
    ['something else', 'AKIAQYLPMN5HHHFPZAM2', false],
    ['not a string', { t: 'x' }, false],
  ])('an output_text string that is %s: %s', (_n, outputText, ok) => {
    const b = { ...body(), output_text: outputText };
    expect(openAiResponses.parseResponse(b) !== undefined).toBe(ok);
  });

  const edit = (e: Partial<ChoiceEdit>): ChoiceEdit[] => [
    { choice: 0, text: undefined, toolCallArguments: new Map(), ...e },
  ];

  it('new reasoning goes into the first reasoning part, the others emptied', () => {
    const out = openAiResponses.rewriteResponse(body(), edit({ reasoning: 'clean' })) as Resp;
    const rs = out.output[0]!;
    expect(texts(rs.summary)).toEqual(['clean', '']);
    expect(texts(rs.content)).toEqual(['']);
    expect(rs.encrypted_content).toBe('gAAAAABoPaqueBlob==');
    // The message is untouched, logprobs and all.
    expect(out.output[1]).toEqual(body().output[1]);
  });

  it('tool names and call ids by call order', () => {
    const out = openAiResponses.rewriteResponse(
      body(),
      edit({ toolCallNames: new Map([[0, 'N']]), toolCallIds: new Map([[0, 'I']]) }),
    ) as Resp;
    expect(out.output[2]).toMatchObject({ name: 'N', call_id: 'I', id: 'fc_r' });
  });

  it('new text: logprobs dropped, an output_text string says the new text', () => {
    const out = openAiResponses.rewriteResponse(
      { ...body(), output_text: 'Let me check the weather in Paris.' },
      edit({ text: 'clean' }),
    ) as Resp;
    expect(out.output[1]!.content![0]).toMatchObject({ text: 'clean', logprobs: [] });
    expect(out.output_text).toBe('clean');
  });

  it('an edit that says what is there already changes nothing', () => {
    const b = body();
    const out = openAiResponses.rewriteResponse(
      b,
      edit({ text: 'Let me check the weather in Paris.', reasoning: S1 + S2 + RT }),
    );
    expect(out).toEqual(b);
  });
});

const frame = (type: string, o: O) => ({
  event: type,
  data: JSON.stringify({ type, ...o }),
  end: 0,
});
const rewrite = (type: string, o: O, e: FrameEdit): O => {
  const out = openAiResponses.rewriteFrame(frame(type, o), 0, e);
  expect(out.startsWith(`event: ${type}\ndata: `)).toBe(true);
  return JSON.parse(out.split('\n')[1]!.slice(6)) as O;
};
const one = (v: string) => new Map([[3, v]]);

interface FrameCase {
  type: string;
  data: O;
  edit: FrameEdit;
  /** The frame's fields (or a subset) after the rewrite. */
  want: O;
}

const FRAMES: FrameCase[] = [
  {
    type: 'response.output_text.delta',
    data: { content_index: 0, delta: 'a', logprobs: [{ token: 'a' }] },
    edit: { text: 'X' },
    want: { delta: 'X', logprobs: [] },
  },
  {
    type: 'response.refusal.delta',
    data: { delta: 'a' },
    edit: { text: 'X' },
    want: { delta: 'X' },
  },
  {
    type: 'response.reasoning_summary_text.delta',
    data: { summary_index: 0, delta: 'a' },
    edit: { reasoning: 'X' },
    want: { delta: 'X' },
  },
  {
    type: 'response.reasoning_text.delta',
    data: { content_index: 0, delta: 'a' },
    edit: { reasoning: 'X' },
    want: { delta: 'X' },
  },
  {
    type: 'response.reasoning_text.delta',
    data: { content_index: 0, delta: 'a' },
    edit: { text: 'X' },
    want: { delta: 'a' },
  },
  {
    type: 'response.function_call_arguments.delta',
    data: { delta: 'a' },
    edit: { toolCallArguments: one('X') },
    want: { delta: 'X' },
  },
  {
    type: 'response.output_text.done',
    data: { content_index: 0, text: 'a', logprobs: [{ token: 'a' }] },
    edit: { text: 'WHOLE' },
    want: { text: 'WHOLE', logprobs: [] },
  },
  {
    type: 'response.output_text.done',
    data: { content_index: 1, text: 'b' },
    edit: { text: 'WHOLE' },
    want: { text: '' },
  },
  {
    type: 'response.refusal.done',
    data: { content_index: 0, refusal: 'a' },
    edit: { text: 'WHOLE' },
    want: { refusal: 'WHOLE' },
  },
  {
    type: 'response.reasoning_text.done',
    data: { content_index: 0, text: 'a' },
    edit: { text: 'T', reasoning: 'WHOLE' },
    want: { text: 'WHOLE' },
  },
  {
    type: 'response.reasoning_summary_text.done',
    data: { summary_index: 0, text: 'a' },
    edit: { text: 'T', reasoning: 'WHOLE' },
    want: { text: 'WHOLE' },
  },
  {
    type: 'response.reasoning_summary_text.done',
    data: { summary_index: 1, text: 'b' },
    edit: { reasoning: 'WHOLE' },
    want: { text: '' },
  },
  {
    type: 'response.reasoning_summary_text.done',
    data: { summary_index: 0, text: 'a' },
    edit: { text: 'T' },
    want: { text: 'a' },
  },
  {
    type: 'response.content_part.done',
    data: { content_index: 0, part: { type: 'output_text', text: 'a', logprobs: [{}] } },
    edit: { text: 'WHOLE', reasoning: 'R' },
    want: { part: { type: 'output_text', text: 'WHOLE', logprobs: [] } },
  },
  {
    type: 'response.content_part.done',
    data: { content_index: 0, part: { type: 'reasoning_text', text: 'a' } },
    edit: { text: 'T', reasoning: 'WHOLE' },
    want: { part: { type: 'reasoning_text', text: 'WHOLE' } },
  },
  {
    type: 'response.reasoning_summary_part.done',
    data: { summary_index: 0, part: { type: 'summary_text', text: 'a' } },
    edit: { reasoning: 'WHOLE' },
    want: { part: { type: 'summary_text', text: 'WHOLE' } },
  },
  {
    type: 'response.function_call_arguments.done',
    data: { name: 'f', arguments: 'a' },
    edit: { toolCallArguments: one('X'), toolCallNames: one('N') },
    want: { name: 'N', arguments: 'X' },
  },
  {
    type: 'response.output_item.added',
    data: { item: { type: 'function_call', call_id: 'c', name: 'f', arguments: 'a' } },
    edit: { toolCallArguments: one('X'), toolCallNames: one('N'), toolCallIds: one('I') },
    want: { item: { type: 'function_call', call_id: 'I', name: 'N', arguments: 'X' } },
  },
  {
    type: 'response.output_item.done',
    data: { item: { type: 'function_call', call_id: 'c', name: 'f', arguments: 'a' } },
    edit: { toolCallArguments: one('X'), toolCallNames: one('N'), toolCallIds: one('I') },
    want: { item: { type: 'function_call', call_id: 'I', name: 'N', arguments: 'X' } },
  },
  {
    type: 'response.output_item.done',
    data: {
      item: {
        type: 'reasoning',
        summary: [
          { type: 'summary_text', text: 'a' },
          { type: 'summary_text', text: 'b' },
        ],
        content: [{ type: 'reasoning_text', text: 'c' }],
        encrypted_content: 'E',
      },
    },
    edit: { text: 'T', reasoning: 'WHOLE' },
    want: {
      item: {
        type: 'reasoning',
        summary: [
          { type: 'summary_text', text: 'WHOLE' },
          { type: 'summary_text', text: '' },
        ],
        content: [{ type: 'reasoning_text', text: '' }],
        encrypted_content: 'E',
      },
    },
  },
  {
    type: 'response.output_item.done',
    data: {
      item: {
        type: 'message',
        content: [
          { type: 'output_text', text: 'a' },
          { type: 'refusal', refusal: 'b' },
        ],
      },
    },
    edit: { text: 'WHOLE' },
    want: {
      item: {
        type: 'message',
        content: [
          { type: 'output_text', text: 'WHOLE' },
          { type: 'refusal', refusal: '' },
        ],
      },
    },
  },
];

describe('responses: frames re-rendered', () => {
  it.each(FRAMES.map((c, i) => ({ ...c, i })))('#$i $type', (c) => {
    expect(rewrite(c.type, c.data, c.edit)).toMatchObject(c.want);
  });

  it.each(['response.completed', 'response.incomplete', 'response.failed'])(
    '%s: text, reasoning, and every call by call order; output_text follows',
    (type) => {
      const b = body();
      b.output.push({ ...b.output[2]!, call_id: 'call_2', name: 'g' });
      const out = rewrite(
        type,
        { response: { ...b, output_text: 'Let me check the weather in Paris.' } },
        {
          text: 'T',
          reasoning: 'R',
          toolCallArguments: new Map([[1, '{}']]),
          toolCallNames: new Map([[0, 'N']]),
          toolCallIds: new Map([[1, 'I']]),
        },
      )['response'] as Resp;
      const [rs, msg, c0, c1] = out.output;
      expect(texts(rs!.summary)).toEqual(['R', '']);
      expect(texts(rs!.content)).toEqual(['']);
      expect(msg!.content![0]).toMatchObject({ text: 'T', logprobs: [] });
      expect(c0).toMatchObject({
        name: 'N',
        call_id: 'call_r',
        arguments: b.output[2]!.arguments,
      });
      expect(c1).toMatchObject({ name: 'g', call_id: 'I', arguments: '{}' });
      expect(out['output_text']).toBe('T');
    },
  );

  it('a snapshot whose texts are already what the edit says keeps its parts', () => {
    const b = body();
    const out = rewrite(
      'response.completed',
      { response: b },
      { text: 'Let me check the weather in Paris.', reasoning: S1 + S2 + RT },
    );
    expect(out['response']).toEqual(b);
  });
});
