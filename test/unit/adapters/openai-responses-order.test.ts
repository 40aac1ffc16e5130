/**
 * The Responses stream parser refuses a stream out of order. The gate checks each text (the
 * content: output_text and refusal parts; the reasoning: summary parts, then reasoning-text
 * parts, of each reasoning item) as its deltas in stream order, while the SDKs join the parts
 * in output order: deltas out of part order would join into a text no rule saw. So items are
 * added in order, the parts of an item's list too, and a text's deltas come in (output_index,
 * part index) order; a function call's arguments stop when a later item is added.
 */
import { describe, expect, it } from 'vitest';
import { openAiResponses } from '../../../src/adapters/openai-responses/index.js';
import type { Frame } from '../../../src/adapters/types.js';
import { parseStreamFixture } from '../../helpers/fixtures.js';

type O = Record<string, unknown>;
const ev = (type: string, o: O = {}): Frame => ({
  event: type,
  data: JSON.stringify({ type, ...o }),
  end: 0,
});

const created = ev('response.created', {
  response: { id: 'r', status: 'in_progress', output: [] },
});
const message = (out: number) =>
  ev('response.output_item.added', {
    output_index: out,
    item: { type: 'message', id: `msg${out}`, role: 'assistant', content: [] },
  });
const reasoning = (out: number) =>
  ev('response.output_item.added', {
    output_index: out,
    item: { type: 'reasoning', id: `rs${out}`, summary: [] },
  });
const call = (out: number) =>
  ev('response.output_item.added', {
    output_index: out,
    item: { type: 'function_call', id: `fc${out}`, call_id: `c${out}`, name: 'f', arguments: '' },
  });
const partAdded = (out: number, ci: number, type = 'output_text') =>
  ev('response.content_part.added', {
    output_index: out,
    content_index: ci,
    part: type === 'refusal' ? { type, refusal: '' } : { type, text: '' },
  });
const summaryAdded = (out: number, si: number) =>
  ev('response.reasoning_summary_part.added', {
    output_index: out,
    summary_index: si,
    part: { type: 'summary_text', text: '' },
  });
const text = (out: number, ci: number, delta: string) =>
  ev('response.output_text.delta', { output_index: out, content_index: ci, delta });
const refusal = (out: number, ci: number, delta: string) =>
  ev('response.refusal.delta', { output_index: out, content_index: ci, delta });
const summary = (out: number, si: number, delta: string) =>
  ev('response.reasoning_summary_text.delta', { output_index: out, summary_index: si, delta });
const thought = (out: number, ci: number, delta: string) =>
  ev('response.reasoning_text.delta', { output_index: out, content_index: ci, delta });
const args = (out: number, delta: string) =>
  ev('response.function_call_arguments.delta', { output_index: out, delta });

/** The index of the first frame the parser refuses, or -1 when all parse. */
function firstRefused(frames: Frame[]): number {
  const p = openAiResponses.streamParser();
  return frames.findIndex((f) => p(f) === undefined);
}

describe('responses stream: out of order is malformed', () => {
  it.each([
    [
      'content part 1 streamed before part 0 (the AKIA split)',
      [
        message(0),
        partAdded(0, 0),
        partAdded(0, 1),
        text(0, 1, 'QYLPMN5HHHFPZAM2'),
        text(0, 0, ' AKIA'),
      ],
    ],
    [
      'the same, without part announcements',
      [message(0), text(0, 1, 'QYLPMN5HHHFPZAM2'), text(0, 0, ' AKIA')],
    ],
    [
      'message item 1 streamed before item 0',
      [
        message(0),
        partAdded(0, 0),
        message(1),
        partAdded(1, 0),
        text(1, 0, 'QYLP'),
        text(0, 0, 'AKIA'),
      ],
    ],
    [
      'a refusal part before the text part ahead of it',
      [message(0), refusal(0, 1, 'QYLP'), text(0, 0, 'AKIA')],
    ],
    [
      'back to an earlier part after a later one',
      [message(0), text(0, 0, 'a'), text(0, 1, 'b'), text(0, 0, 'c')],
    ],
    [
      'summary part 1 before summary part 0',
      [
        reasoning(0),
        summaryAdded(0, 0),
        summaryAdded(0, 1),
        summary(0, 1, 'QYLP'),
        summary(0, 0, 'AKIA'),
      ],
    ],
    [
      'reasoning-text part 1 before part 0',
      [
        reasoning(0),
        partAdded(0, 0, 'reasoning_text'),
        partAdded(0, 1, 'reasoning_text'),
        thought(0, 1, 'QYLP'),
        thought(0, 0, 'AKIA'),
      ],
    ],
    [
      'reasoning text before the summary of its item',
      [reasoning(0), thought(0, 0, 'QYLP'), summary(0, 0, 'AKIA')],
    ],
    [
      'reasoning item 1 before reasoning item 0',
      [reasoning(0), reasoning(1), summary(1, 0, 'QYLP'), summary(0, 0, 'AKIA')],
    ],
    [
      'reasoning text of item 1 before the summary of item 0',
      [reasoning(0), reasoning(1), thought(1, 0, 'QYLP'), summary(0, 0, 'AKIA')],
    ],
    ['an item added at output_index 0 after 1', [message(1), message(0)]],
    ['an item added twice at one index', [message(0), message(0)]],
    ['a call added below a message', [message(1), call(0)]],
    ['content part 0 announced after part 1', [message(0), partAdded(0, 1), partAdded(0, 0)]],
    ['a content part announced twice', [message(0), partAdded(0, 0), partAdded(0, 0)]],
    [
      'summary part 0 announced after part 1',
      [reasoning(0), summaryAdded(0, 1), summaryAdded(0, 0)],
    ],
    [
      'arguments of a call after a later item was added',
      [call(0), args(0, '{"k":"'), message(1), text(1, 0, 'x'), args(0, 'AKIA"}')],
    ],
    ['arguments of a call after the next call was added', [call(0), call(1), args(0, '{}')]],
    [
      'an output_index that is a string (the SDK reads output["1"])',
      [
        message(0),
        message(1),
        ev('response.output_text.delta', { output_index: '1', delta: 'QYLP' }),
      ],
    ],
    [
      'a content_index that is a string',
      [
        message(0),
        ev('response.output_text.delta', { output_index: 0, content_index: '1', delta: 'x' }),
      ],
    ],
    [
      'a summary_index that is a string',
      [
        reasoning(0),
        ev('response.reasoning_summary_text.delta', {
          output_index: 0,
          summary_index: '1',
          delta: 'x',
        }),
      ],
    ],
    [
      'an item added at a string index',
      [
        message(0),
        ev('response.output_item.added', {
          output_index: '1',
          item: { type: 'message', content: [] },
        }),
      ],
    ],
  ])('%s', (_name, frames) => {
    expect(firstRefused([created, ...frames])).toBe(frames.length);
  });
});

describe('responses stream: in order parses', () => {
  it.each([
    [
      'parts of a message in order, several deltas each',
      [message(0), partAdded(0, 0), partAdded(0, 1, 'refusal')],
      [text(0, 0, ' AK'), text(0, 0, 'IA'), refusal(0, 1, 'QYLP'), refusal(0, 1, 'MN5')],
    ],
    [
      'two message items in order',
      [message(0), message(1)],
      [text(0, 0, 'a'), text(0, 1, 'b'), text(1, 0, 'c')],
    ],
    [
      'a part with no deltas is skipped',
      [message(0), partAdded(0, 0), partAdded(0, 1), partAdded(0, 2)],
      [text(0, 0, 'a'), text(0, 2, 'c')],
    ],
    [
      'summaries, then reasoning text, then the next reasoning item',
      [reasoning(0), summaryAdded(0, 0), summaryAdded(0, 1)],
      [
        summary(0, 0, 'a'),
        summary(0, 1, 'b'),
        thought(0, 0, 'c'),
        thought(0, 1, 'd'),
        reasoning(1),
        summary(1, 0, 'e'),
      ],
    ],
    [
      'content and reasoning are separate texts',
      [reasoning(0), summary(0, 0, 'r'), message(1)],
      [text(1, 0, 'a'), reasoning(2), summary(2, 0, 'b'), message(3), text(3, 0, 'c')],
    ],
    ['an empty delta of the current part', [message(0)], [text(0, 1, 'a'), text(0, 1, '')]],
    [
      'calls in turn, a message between',
      [call(0), args(0, '{"a":'), args(0, '1}'), message(1)],
      [text(1, 0, 'x'), call(2), args(2, '{}')],
    ],
    ['item indexes with gaps, increasing', [message(0), message(2)], [text(2, 0, 'x')]],
  ])('%s', (_name, head, tail) => {
    expect(firstRefused([created, ...head, ...tail])).toBe(-1);
  });

  it.each(['stream.sse.txt', 'stream-reasoning.sse.txt', 'stream-error.sse.txt'])(
    'the recorded fixture %s parses, every frame',
    (file) => {
      parseStreamFixture(openAiResponses, `openai-responses/${file}`);
    },
  );
});
