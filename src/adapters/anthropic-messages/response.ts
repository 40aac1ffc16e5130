import type { ChoiceEdit, NormalisedResponse, ToolCall } from '../../model/exchange.js';
import type { Obj } from '../read.js';
import { arr, obj, str, usageOf } from '../read.js';
import { isToolBlock, setInput } from './blocks.js';

export const usage = (u: Obj | undefined) => usageOf(u, 'input_tokens', 'output_tokens');

/**
 * A complete `message`: the text blocks joined are the choice's text, the `thinking` blocks
 * joined its reasoning (`redacted_thinking` is encrypted: nothing to read), each `tool_use`
 * block a tool call.
 */
export function parseResponse(body: unknown): NormalisedResponse | undefined {
  const b = obj(body);
  const content = arr(b?.['content']);
  if (!b || str(b['type']) !== 'message' || !content) return undefined;
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  for (const c of content) {
    const block = obj(c);
    const type = str(block?.['type']);
    if (type === 'text') text += str(block?.['text']) ?? '';
    else if (type === 'thinking') reasoning += str(block?.['thinking']) ?? '';
    else if (isToolBlock(type))
      toolCalls.push({
        id: str(block?.['id']),
        name: str(block?.['name']) ?? '',
        arguments: JSON.stringify(block?.['input'] ?? {}),
      });
  }
  return {
    id: str(b['id']),
    model: str(b['model']),
    fingerprint: undefined,
    choices: [
      {
        index: 0,
        text,
        ...(reasoning ? { reasoning } : {}),
        toolCalls,
        finishReason: str(b['stop_reason']),
      },
    ],
    usage: usage(obj(b['usage'])),
  };
}

/**
 * Applies the edit of choice 0 to a parsed `message` (a structured copy). A text is the
 * concatenation of its blocks, so the first block of the kind takes the whole new text and
 * the others are emptied. A thinking block keeps its `signature`: once edited it no longer
 * matches, and the API refuses the block if the client sends it back — accepted, since the
 * alternative is handing over what the redaction removed.
 */
export function rewriteResponse(body: unknown, edits: readonly ChoiceEdit[]): unknown {
  const copy = structuredClone(body);
  const content = arr(obj(copy)?.['content']) ?? [];
  const e = edits.find((x) => x.choice === 0);
  if (!e) return copy;
  let firstText = true;
  let firstThinking = true;
  let tool = 0;
  for (const c of content) {
    const block = obj(c);
    const type = str(block?.['type']);
    if (!block) continue;
    if (type === 'text' && e.text !== undefined) {
      block['text'] = firstText ? e.text : '';
      firstText = false;
    } else if (type === 'thinking' && e.reasoning !== undefined) {
      block['thinking'] = firstThinking ? e.reasoning : '';
      firstThinking = false;
    } else if (isToolBlock(type)) {
      const i = tool++;
      const args = e.toolCallArguments.get(i);
      if (args !== undefined) setInput(block, args);
      const name = e.toolCallNames?.get(i);
      if (name !== undefined) block['name'] = name;
      const id = e.toolCallIds?.get(i);
      if (id !== undefined && typeof block['id'] === 'string') block['id'] = id;
    }
  }
  return copy;
}
