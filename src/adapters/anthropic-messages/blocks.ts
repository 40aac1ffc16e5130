/**
 * What the content blocks of a message (or the `content_block` of a stream's
 * `content_block_start`) carry, read and written back the same way buffered and streamed.
 */
import type { Obj } from '../read.js';
import { obj, parseJson } from '../read.js';

/**
 * Blocks that are tool calls, numbered in order as the choice's tool calls: the client's own
 * tools (`tool_use`) and those the API runs for it (`server_tool_use`, `mcp_tool_use`), whose
 * input the application is shown all the same.
 */
export const isToolBlock = (type: string | undefined): boolean =>
  type === 'tool_use' || type === 'server_tool_use' || type === 'mcp_tool_use';

/**
 * The arguments a `tool_use` block's `input` contributes: its JSON text, or '' for the empty
 * object a streamed block opens with (its arguments then come as `input_json_delta` pieces).
 * Anything else (a non-empty object, or a hostile non-object) is checked as it stands.
 */
export function inputArguments(input: unknown): string {
  if (input === undefined || input === null) return '';
  const o = obj(input);
  if (o && Object.keys(o).length === 0) return '';
  return JSON.stringify(input);
}

/**
 * Redacted arguments back into a `tool_use` block: `input` must stay an object, so the
 * redacted JSON text is parsed, and a text that no longer parses (or is not an object)
 * becomes `{}` — never the original input.
 */
export function setInput(block: Obj, args: string): void {
  block['input'] = obj(parseJson(args)) ?? {};
}
