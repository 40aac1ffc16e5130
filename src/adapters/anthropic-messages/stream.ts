import type { StreamEvent } from '../../model/events.js';
import type { Obj } from '../read.js';
import { arr, errorText, num, obj, parseJson, str, toolCallPiece } from '../read.js';
import type { Frame, FrameEdit, FrameParser } from '../types.js';
import { inputArguments, isToolBlock, setInput } from './blocks.js';
import { usage } from './response.js';

/**
 * A block index of an event: absent is 0 (as the SDKs read it); anything but a number is
 * malformed (`content.at("1")` would still find block 1).
 */
const blockIndex = (v: unknown): number | undefined => (v === undefined ? 0 : num(v));

/**
 * A parser for one stream; its state is which content block is which tool call (tool calls
 * are numbered in the order of their `tool_use` blocks), and which block is open.
 *
 * The gate checks each text as its deltas in stream order, but the SDKs put a delta into the
 * block its `index` names and join the blocks in block order: a delta for an earlier block
 * sent after a later one's would join into a text no rule saw (`…QYLP` then `AKIA` before it).
 * So blocks start in order, 0, 1, 2… (the SDKs push each start: its index must be its place),
 * and a delta must be for the block started last and not yet stopped; otherwise malformed.
 */
export function streamParser(): FrameParser {
  const toolIndex = new Map<number, number>();
  /** How many blocks have started; the open block (started last, not stopped), if any. */
  let started = 0;
  let open: number | undefined;
  return (frame) => {
    if (frame.data === undefined) return [];
    const b = obj(parseJson(frame.data));
    if (!b) return undefined;
    const type = str(b['type']) ?? frame.event;
    // The SDK filters (and raises `error`) by the event name, accumulates by `type`: both must
    // name one event.
    if (frame.event !== undefined && type !== frame.event) return undefined;
    switch (type) {
      case 'message_start': {
        const m = obj(b['message']);
        // The SDKs start their message from this one: content here (never sent by the API)
        // would reach the application unchecked, so the stream is malformed.
        if (arr(m?.['content'])?.length) return undefined;
        const meta: StreamEvent & { type: 'meta' } = { type: 'meta' };
        const id = str(m?.['id']);
        const model = str(m?.['model']);
        if (id !== undefined) meta.id = id;
        if (model !== undefined) meta.model = model;
        const ev: StreamEvent[] = [meta];
        const u = usage(obj(m?.['usage']));
        if (u)
          ev.push({
            type: 'usage',
            usage: { inputTokens: u.inputTokens, outputTokens: undefined },
          });
        return ev;
      }
      case 'content_block_start': {
        const index = blockIndex(b['index']);
        if (index !== started) return undefined;
        started += 1;
        open = index;
        return blockStart(obj(b['content_block']), index, toolIndex);
      }
      case 'content_block_stop': {
        if (open === undefined || blockIndex(b['index']) !== open) return undefined;
        open = undefined;
        return [];
      }
      case 'content_block_delta': {
        if (open === undefined || blockIndex(b['index']) !== open) return undefined;
        const d = obj(b['delta']);
        switch (str(d?.['type'])) {
          case 'text_delta': {
            const text = str(d?.['text']);
            return text ? [{ type: 'text', choice: 0, text }] : [];
          }
          case 'thinking_delta': {
            const text = str(d?.['thinking']);
            return text ? [{ type: 'text', choice: 0, text, field: 'reasoning' }] : [];
          }
          case 'input_json_delta': {
            // Input for a block that is no tool call has nowhere to be checked: malformed.
            const index = toolIndex.get(open);
            if (index === undefined) return undefined;
            return [
              { type: 'tool_call', choice: 0, index, arguments: str(d?.['partial_json']) ?? '' },
            ];
          }
          // `signature_delta` (of a thinking block) is opaque; citations quote the documents.
          default:
            return [];
        }
      }
      case 'message_delta': {
        const ev: StreamEvent[] = [];
        const reason = str(obj(b['delta'])?.['stop_reason']);
        if (reason) ev.push({ type: 'finish', choice: 0, reason });
        const u = usage(obj(b['usage']));
        if (u?.outputTokens !== undefined)
          ev.push({
            type: 'usage',
            usage: { inputTokens: u.inputTokens, outputTokens: u.outputTokens },
          });
        return ev;
      }
      case 'message_stop':
        return [{ type: 'done' }];
      case 'error':
        return [{ type: 'error', message: errorText(b['error'] ?? b) }];
      default:
        // `ping`, and event types added later.
        return [];
    }
  };
}

/**
 * A `content_block_start` may already carry output: a `text` block its first text, a
 * `thinking` block its first reasoning, a `tool_use` block a non-empty `input` (the SDKs keep
 * it when no `input_json_delta` follows). `redacted_thinking` is encrypted: nothing to check.
 */
function blockStart(
  block: Obj | undefined,
  blockIndex: number,
  toolIndex: Map<number, number>,
): StreamEvent[] {
  const type = str(block?.['type']);
  if (isToolBlock(type)) {
    const index = toolIndex.size;
    toolIndex.set(blockIndex, index);
    return [
      toolCallPiece(
        0,
        index,
        inputArguments(block?.['input']),
        str(block?.['id']),
        str(block?.['name']),
      ),
    ];
  }
  switch (type) {
    case 'text': {
      const text = str(block?.['text']);
      return text ? [{ type: 'text', choice: 0, text }] : [];
    }
    case 'thinking': {
      const text = str(block?.['thinking']);
      return text ? [{ type: 'text', choice: 0, text, field: 'reasoning' }] : [];
    }
    default:
      return [];
  }
}

/** The one value of a per-frame map: a frame carries (a piece of) one block, so one call. */
const only = (m: ReadonlyMap<number, string> | undefined): string | undefined =>
  m?.size ? [...m.values()][0] : undefined;

/**
 * One frame with its edit applied: the text, thinking or tool call of its
 * `content_block_start`, or its `text_delta`, `thinking_delta` or `input_json_delta`.
 * A thinking block's signature stays (see `rewriteResponse`).
 */
export function rewriteFrame(frame: Frame, _choice: number, edit: FrameEdit): string {
  const b = obj(parseJson(frame.data ?? '')) ?? {};
  const block = obj(b['content_block']);
  const d = obj(b['delta']);
  const args = only(edit.toolCallArguments);
  if ((str(b['type']) ?? frame.event) === 'content_block_start' && block) {
    const type = str(block['type']);
    if (type === 'text' && edit.text !== undefined) block['text'] = edit.text;
    else if (type === 'thinking' && edit.reasoning !== undefined)
      block['thinking'] = edit.reasoning;
    else if (isToolBlock(type)) {
      if (args !== undefined) setInput(block, args);
      const name = only(edit.toolCallNames);
      if (name !== undefined) block['name'] = name;
      const id = only(edit.toolCallIds);
      if (id !== undefined && typeof block['id'] === 'string') block['id'] = id;
    }
  } else if (d) {
    const type = str(d['type']);
    if (type === 'text_delta' && edit.text !== undefined) d['text'] = edit.text;
    else if (type === 'thinking_delta' && edit.reasoning !== undefined)
      d['thinking'] = edit.reasoning;
    else if (type === 'input_json_delta' && args !== undefined) d['partial_json'] = args;
  }
  return `event: ${frame.event ?? str(b['type']) ?? 'message'}\ndata: ${JSON.stringify(b)}\n\n`;
}
