/**
 * The Anthropic stream parser refuses a stream out of order. The gate checks the text as its
 * deltas in stream order; the SDKs put each delta into the block its `index` names (blocks in
 * the order they started) and the application joins the blocks: a delta for block 0 after
 * block 1's would join into a text no rule saw. So blocks start 0, 1, 2…, a delta is for the
 * block started last and not stopped, and a stop closes that block.
 */
import { describe, expect, it } from 'vitest';
import { anthropicMessages } from '../../../src/adapters/anthropic-messages/index.js';
import type { Frame } from '../../../src/adapters/types.js';
import { parseStreamFixture } from '../../helpers/fixtures.js';

const frame = (type: string, o: object): Frame => ({
  event: type,
  data: JSON.stringify({ type, ...o }),
  end: 0,
});
const messageStart = frame('message_start', {
  message: { id: 'm', type: 'message', role: 'assistant', content: [] },
});
const start = (index: unknown, content_block: object = { type: 'text', text: '' }) =>
  frame('content_block_start', { index, content_block });
const stop = (index: unknown) => frame('content_block_stop', { index });
const text = (index: unknown, t: string) =>
  frame('content_block_delta', { index, delta: { type: 'text_delta', text: t } });
const thinking = (index: number, t: string) =>
  frame('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: t } });
const json = (index: number, partial_json: string) =>
  frame('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } });
const signature = (index: number) =>
  frame('content_block_delta', { index, delta: { type: 'signature_delta', signature: 'c2ln' } });
const tool = (index: number) =>
  start(index, { type: 'tool_use', id: `toolu_${index}`, name: 'f', input: {} });
const thinkingBlock = (index: number) => start(index, { type: 'thinking', thinking: '' });

/** The index of the first frame the parser refuses, or -1 when all parse. */
function firstRefused(frames: Frame[]): number {
  const p = anthropicMessages.streamParser();
  return frames.findIndex((f) => p(f) === undefined);
}

describe('anthropic stream: out of order is malformed', () => {
  it.each([
    [
      'a delta for block 1, then block 0 (the AKIA split)',
      [start(0), start(1), text(1, 'QYLPMN5HHHFPZAM2'), text(0, ' AKIA')],
    ],
    ['a delta for a block stopped', [start(0), text(0, 'a'), stop(0), text(0, 'b')]],
    [
      'a delta for an earlier block, the later one stopped',
      [start(0), stop(0), start(1), stop(1), text(0, 'x')],
    ],
    ['a delta for a block not started yet', [start(0), text(1, 'x')]],
    ['a delta before any block', [text(0, 'x')]],
    ['a thinking delta for an earlier block', [thinkingBlock(0), start(1), thinking(0, 'x')]],
    ['a signature delta for an earlier block', [thinkingBlock(0), start(1), signature(0)]],
    ['tool input for an earlier tool block', [tool(0), stop(0), tool(1), json(0, '{}')]],
    ['a block start below an earlier one', [start(1)]],
    ['block 0 started again after block 1', [start(0), stop(0), start(1), stop(1), start(0)]],
    ['a block started twice', [start(0), stop(0), start(0)]],
    ['a block index skipped (the SDK would put block 2 at place 1)', [start(0), stop(0), start(2)]],
    [
      'a negative block index (content.at(-1) is the last block)',
      [start(0), start(1), text(-1, 'x')],
    ],
    ['a block index that is a string', [start(0), start(1), text('1', 'x')]],
    ['a stop for another block', [start(0), start(1), stop(0)]],
    ['a stop twice', [start(0), stop(0), stop(0)]],
  ])('%s', (_name, frames) => {
    expect(firstRefused([messageStart, ...frames])).toBe(frames.length);
  });
});

describe('anthropic stream: in order parses', () => {
  it.each([
    [
      'blocks in turn',
      [start(0), text(0, ' AK'), text(0, 'IA'), stop(0), start(1), text(1, 'QYLP'), stop(1)],
    ],
    [
      'thinking, text, tools',
      [
        thinkingBlock(0),
        thinking(0, 't'),
        signature(0),
        stop(0),
        start(1),
        text(1, 'x'),
        stop(1),
        tool(2),
        json(2, '{"a":'),
        json(2, '1}'),
        stop(2),
      ],
    ],
    ['an index left out is block 0', [start(undefined), text(undefined, 'x'), stop(undefined)]],
  ])('%s', (_name, frames) => {
    expect(firstRefused([messageStart, ...frames])).toBe(-1);
  });

  it.each(['stream.sse.txt', 'stream-error.sse.txt'])(
    'the recorded fixture %s parses, every frame',
    (file) => {
      parseStreamFixture(anthropicMessages, `anthropic-messages/${file}`);
    },
  );
});
