/**
 * A Responses stream frame re-rendered after a redaction. A delta takes its new piece. A
 * snapshot takes the whole text the client was shown (content in `text`, reasoning in
 * `reasoning`) by the first-part rule: the first part takes it all, the others are emptied.
 * A frame of one part cannot see the others, so there "first" is index 0 of its item (its
 * `content_index` / `summary_index`); items and responses are rewritten whole. A frame of one
 * function call takes the edit's entry (the gate passes the frame's own call); the final
 * response takes every call's, by call order.
 */
import type { Obj } from '../read.js';
import { arr, num, obj, parseJson, str } from '../read.js';
import type { Frame, FrameEdit } from '../types.js';
import { editCall, editOutput, inputKey, syncOutputText } from './output.js';

const only = (m: ReadonlyMap<number, string> | undefined): string | undefined =>
  m?.values().next().value;

/** Whether a part is the first of its item (its `content_index` / `summary_index`). */
const firstOf = (index: unknown): boolean => (num(index) ?? 0) === 0;

/** Sets `o[key]` (a string field) to the part's share of `whole`; log-probabilities go with a change. */
function setPart(o: Obj, key: string, whole: string | undefined, first: boolean): void {
  if (whole === undefined || typeof o[key] !== 'string') return;
  const next = first ? whole : '';
  if (o[key] === next) return;
  o[key] = next;
  if (Array.isArray(o['logprobs'])) o['logprobs'] = [];
}

/** A delta's new piece. */
function setDelta(b: Obj, piece: string | undefined): void {
  if (piece === undefined || b['delta'] === piece) return;
  b['delta'] = piece;
  if (Array.isArray(b['logprobs'])) b['logprobs'] = [];
}

export function rewriteResponsesFrame(frame: Frame, _choice: number, edit: FrameEdit): string {
  const b = obj(parseJson(frame.data ?? '')) ?? {};
  const type = str(b['type']) ?? frame.event ?? '';
  const { text, reasoning } = edit;
  switch (type) {
    case 'response.output_text.delta':
    case 'response.refusal.delta':
      setDelta(b, text);
      break;
    case 'response.reasoning_summary_text.delta':
    case 'response.reasoning_text.delta':
      setDelta(b, reasoning);
      break;
    case 'response.function_call_arguments.delta':
    case 'response.custom_tool_call_input.delta':
      setDelta(b, only(edit.toolCallArguments));
      break;
    case 'response.output_text.done':
      setPart(b, 'text', text, firstOf(b['content_index']));
      break;
    case 'response.refusal.done':
      setPart(b, 'refusal', text, firstOf(b['content_index']));
      break;
    case 'response.reasoning_text.done':
      setPart(b, 'text', reasoning, firstOf(b['content_index']));
      break;
    case 'response.reasoning_summary_text.done':
      setPart(b, 'text', reasoning, firstOf(b['summary_index']));
      break;
    case 'response.content_part.done': {
      const part = obj(b['part']);
      if (!part) break;
      const whole = str(part['type']) === 'reasoning_text' ? reasoning : text;
      // A part says its text in `text` (output_text) or `refusal`: the first of them takes it.
      const keys = ['text', 'refusal'].filter((k) => typeof part[k] === 'string');
      const first = firstOf(b['content_index']);
      keys.forEach((k, i) => setPart(part, k, whole, first && i === 0));
      break;
    }
    case 'response.reasoning_summary_part.done': {
      const part = obj(b['part']);
      if (part) setPart(part, 'text', reasoning, firstOf(b['summary_index']));
      break;
    }
    case 'response.function_call_arguments.done':
      editCall(b, 'arguments', only(edit.toolCallArguments), only(edit.toolCallNames), undefined);
      break;
    case 'response.custom_tool_call_input.done':
      editCall(b, 'input', only(edit.toolCallArguments), only(edit.toolCallNames), undefined);
      break;
    case 'response.output_item.added':
    case 'response.output_item.done': {
      const item = obj(b['item']);
      const key = inputKey(item);
      if (item && key)
        editCall(
          item,
          key,
          only(edit.toolCallArguments),
          only(edit.toolCallNames),
          only(edit.toolCallIds),
        );
      else if (item) editOutput([item], { text, reasoning });
      break;
    }
    case 'response.completed':
    case 'response.incomplete':
    case 'response.failed': {
      const r = obj(b['response']);
      const output = arr(r?.['output']);
      if (!r || !output) break;
      const changed = editOutput(output, {
        text,
        reasoning,
        args: edit.toolCallArguments,
        names: edit.toolCallNames,
        ids: edit.toolCallIds,
      });
      if (changed) syncOutputText(r);
      break;
    }
    default:
      break;
  }
  return `event: ${frame.event ?? type}\ndata: ${JSON.stringify(b)}\n\n`;
}
