/**
 * The frames of a Responses stream: typed SSE events.
 * https://platform.openai.com/docs/api-reference/responses-streaming
 * Deltas become text (content, or reasoning for `reasoning_summary_text` / `reasoning_text`)
 * and tool-call pieces; the `*.done` events, `output_item.done` and the final response are
 * snapshots, each checked against what the deltas said (see snapshot-check.ts) — a frame that
 * says more than its deltas, an opening frame that says anything, a delta after its part's
 * snapshot, is malformed (undefined): the stream then fails closed. So is a stream out of
 * order: the gate checks a text as its deltas in stream order, the SDKs join its parts in
 * output order, so items and parts are added in order and each text's deltas come in part
 * order (see `SnapshotLedger.delta`).
 */
import type { StreamEvent } from '../../model/events.js';
import type { Obj } from '../read.js';
import { errorText, num, obj, parseJson, str, toolCallPiece } from '../read.js';
import type { FrameParser } from '../types.js';
import { inputKey } from './output.js';
import { finishReason, responsesUsage } from './response.js';
import type { PartKind } from './snapshot-check.js';
import {
  ARGUMENTS,
  MESSAGE,
  REASONING,
  SUMMARY,
  SnapshotLedger,
  blankItem,
  blankPart,
  blankResponse,
} from './snapshot-check.js';

/**
 * An index field of an event: 0 when absent (the first output item or part); NaN, a bad
 * index the ledger refuses, when not a number (the SDKs would index with `"1"` all the same).
 */
const at = (b: Obj, key: string): number => (b[key] === undefined ? 0 : (num(b[key]) ?? NaN));

/** A field that must be a string when present (an SDK would hand on anything else). */
const notText = (v: unknown): boolean => v !== undefined && v !== null && typeof v !== 'string';

/** Content parts of a reasoning item are `reasoning_text`; of a message, text or refusal. */
const contentKind = (part: unknown): PartKind =>
  str(obj(part)?.['type']) === 'reasoning_text' ? REASONING : MESSAGE;

export function responsesStreamParser(): FrameParser {
  const ledger = new SnapshotLedger();
  /** output_index of each call item (`function_call`, `custom_tool_call`) → its tool-call index. */
  const calls = new Map<number, number>();

  /** A text delta of one part: checked as content, or as reasoning. */
  const piece = (
    b: Obj,
    kind: PartKind,
    index: number,
    field?: 'reasoning',
  ): StreamEvent[] | undefined => {
    const d = b['delta'];
    if (notText(d)) return undefined;
    const text = (d as string | undefined) ?? '';
    if (!ledger.delta(kind, at(b, 'output_index'), index, text)) return undefined;
    if (!text) return [];
    return [field ? { type: 'text', choice: 0, text, field } : { type: 'text', choice: 0, text }];
  };
  /** A snapshot of the content/reasoning (or of one call's arguments) if it checked out. */
  const snapshot = (ok: boolean, toolIndex?: number): StreamEvent[] | undefined =>
    !ok
      ? undefined
      : toolIndex === undefined
        ? [{ type: 'snapshot', choice: 0 }]
        : [{ type: 'snapshot', choice: 0, toolIndex }];

  return (frame) => {
    if (frame.data === undefined) return [];
    const b = obj(parseJson(frame.data));
    if (!b) return undefined;
    const type = str(b['type']) ?? frame.event;
    // A client may dispatch on the SSE event name or on `type`: both must name one event.
    if (frame.event !== undefined && type !== frame.event) return undefined;
    // The openai SDK raises any event with a truthy `error`, whatever its type.
    if (b['error']) return [{ type: 'error', message: errorText(b['error']) }];
    const out = at(b, 'output_index');
    switch (type) {
      case 'response.created':
      case 'response.queued':
      case 'response.in_progress': {
        const r = obj(b['response']);
        if (!blankResponse(r)) return undefined;
        const meta: StreamEvent & { type: 'meta' } = { type: 'meta' };
        const id = str(r?.['id']);
        const model = str(r?.['model']);
        if (id !== undefined) meta.id = id;
        if (model !== undefined) meta.model = model;
        return [meta];
      }
      case 'response.output_item.added': {
        const item = obj(b['item']);
        if (!item) return undefined;
        const key = inputKey(item);
        if (!key) return blankItem(item) && ledger.open(out) ? [] : undefined;
        const { name, call_id: id } = item;
        const args = item[key];
        if (notText(name) || notText(id) || notText(args)) return undefined;
        const call = { name: name as string | undefined, callId: id as string | undefined };
        // Arguments in the opening item are the call's first piece.
        const first = (args as string | undefined) ?? '';
        if (!ledger.open(out, call) || !ledger.delta(ARGUMENTS, out, 0, first)) return undefined;
        const index = calls.size;
        calls.set(out, index);
        return [toolCallPiece(0, index, first, call.callId, call.name)];
      }
      case 'response.content_part.added': {
        const kind = contentKind(b['part']);
        const ok = blankPart(kind, b['part']) && ledger.addPart(kind, out, at(b, 'content_index'));
        return ok ? [] : undefined;
      }
      case 'response.reasoning_summary_part.added': {
        const ok =
          blankPart(SUMMARY, b['part']) && ledger.addPart(SUMMARY, out, at(b, 'summary_index'));
        return ok ? [] : undefined;
      }
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        return piece(b, MESSAGE, at(b, 'content_index'));
      case 'response.reasoning_text.delta':
        return piece(b, REASONING, at(b, 'content_index'), 'reasoning');
      case 'response.reasoning_summary_text.delta':
        return piece(b, SUMMARY, at(b, 'summary_index'), 'reasoning');
      case 'response.function_call_arguments.delta':
      case 'response.custom_tool_call_input.delta': {
        const index = calls.get(out);
        const d = b['delta'];
        // A piece of a call never opened has no call to be checked with; a piece after a later
        // item was added belongs to a call already over (as after the next call, see the gate).
        if (index === undefined || notText(d) || ledger.superseded(out)) return undefined;
        const args = (d as string | undefined) ?? '';
        if (!ledger.delta(ARGUMENTS, out, 0, args)) return undefined;
        return [{ type: 'tool_call', choice: 0, index, arguments: args }];
      }
      case 'response.output_text.done':
        return snapshot(ledger.same(MESSAGE, out, at(b, 'content_index'), b['text']));
      case 'response.refusal.done':
        return snapshot(ledger.same(MESSAGE, out, at(b, 'content_index'), b['refusal']));
      case 'response.reasoning_text.done':
        return snapshot(ledger.same(REASONING, out, at(b, 'content_index'), b['text']));
      case 'response.reasoning_summary_text.done':
        return snapshot(ledger.same(SUMMARY, out, at(b, 'summary_index'), b['text']));
      case 'response.content_part.done': {
        const kind = contentKind(b['part']);
        return snapshot(ledger.part(kind, out, at(b, 'content_index'), b['part']));
      }
      case 'response.reasoning_summary_part.done':
        return snapshot(ledger.part(SUMMARY, out, at(b, 'summary_index'), b['part']));
      case 'response.function_call_arguments.done':
      case 'response.custom_tool_call_input.done': {
        const input = type === 'response.custom_tool_call_input.done' ? b['input'] : b['arguments'];
        if (!ledger.argumentsDone(out, input, b['name'])) return undefined;
        const index = calls.get(out);
        return index === undefined ? [] : snapshot(true, index);
      }
      case 'response.output_item.done': {
        if (!ledger.item(out, b['item'])) return undefined;
        const t = str(obj(b['item'])?.['type']);
        if (inputKey(obj(b['item']))) return snapshot(true, calls.get(out));
        return t === 'message' || t === 'reasoning' ? snapshot(true) : [];
      }
      case 'response.completed':
      case 'response.incomplete': {
        const r = obj(b['response']);
        if (!ledger.response(r)) return undefined;
        const ev: StreamEvent[] = [{ type: 'snapshot', choice: 0 }];
        const model = str(r?.['model']);
        if (model !== undefined) ev.push({ type: 'meta', model });
        const u = responsesUsage(obj(r?.['usage']));
        if (u) ev.push({ type: 'usage', usage: u });
        const reason = finishReason(r ?? {}, calls.size > 0);
        if (reason) ev.push({ type: 'finish', choice: 0, reason });
        ev.push({ type: 'done' });
        return ev;
      }
      case 'response.failed': {
        // The failed response may carry the output so far: a snapshot like the others.
        const r = obj(b['response']);
        if (!ledger.response(r)) return undefined;
        const e = obj(r?.['error']);
        return [
          { type: 'snapshot', choice: 0 },
          { type: 'error', message: str(e?.['message']) ?? 'response failed' },
        ];
      }
      case 'error':
        return [{ type: 'error', message: errorText(b) }];
      default:
        return [];
    }
  };
}
