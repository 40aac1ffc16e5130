/**
 * A complete Responses object: its message text, reasoning and function calls, and the same
 * put back after a redaction.
 */
import type {
  Choice,
  ChoiceEdit,
  NormalisedResponse,
  ToolCall,
  Usage,
} from '../../model/exchange.js';
import type { Obj } from '../read.js';
import { arr, obj, str, usageOf } from '../read.js';
import { editOutput, inputKey, joined, outputTextHolds, slots, syncOutputText } from './output.js';

export const responsesUsage = (u: Obj | undefined): Usage | undefined =>
  usageOf(u, 'input_tokens', 'output_tokens');

export function finishReason(r: Obj, hasCalls: boolean): string | undefined {
  const status = str(r['status']);
  if (status === 'incomplete') {
    const reason = str(obj(r['incomplete_details'])?.['reason']);
    return reason === 'max_output_tokens' ? 'length' : (reason ?? 'incomplete');
  }
  if (status === 'completed') return hasCalls ? 'tool_calls' : 'stop';
  return status;
}

/**
 * The answer is the message text (`output_text` and `refusal` parts, in order), the reasoning
 * is the `reasoning` items' summaries and texts, tool calls the `function_call` and
 * `custom_tool_call` items. A
 * body whose `output_text` contradicts its output is malformed: a client may read either.
 */
export function parseResponsesResponse(body: unknown): NormalisedResponse | undefined {
  const b = obj(body);
  const output = arr(b?.['output']);
  if (!b || !output || !outputTextHolds(b)) return undefined;
  const toolCalls: ToolCall[] = [];
  for (const o of output) {
    const item = obj(o);
    const key = inputKey(item);
    if (item && key)
      toolCalls.push({
        id: str(item['call_id']),
        name: str(item['name']) ?? '',
        arguments: str(item[key]) ?? '',
      });
  }
  const choice: Choice = {
    index: 0,
    text: joined(slots(output, 'message')),
    toolCalls,
    finishReason: finishReason(b, toolCalls.length > 0),
  };
  const reasoning = joined(slots(output, 'reasoning'));
  if (reasoning) choice.reasoning = reasoning;
  return {
    id: str(b['id']),
    model: str(b['model']),
    fingerprint: undefined,
    choices: [choice],
    usage: responsesUsage(obj(b['usage'])),
  };
}

export function rewriteResponsesResponse(body: unknown, edits: readonly ChoiceEdit[]): unknown {
  const copy = structuredClone(body);
  const b = obj(copy);
  const e = edits.find((x) => x.choice === 0);
  if (!b || !e) return copy;
  const changed = editOutput(arr(b['output']) ?? [], {
    text: e.text,
    reasoning: e.reasoning,
    args: e.toolCallArguments,
    names: e.toolCallNames,
    ids: e.toolCallIds,
  });
  if (changed) syncOutputText(b);
  return copy;
}
