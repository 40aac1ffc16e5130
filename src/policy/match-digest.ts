/**
 * Digests of matched text for the audit log: a decision names what it matched by SHA-256, never
 * by the text, so an investigator holding a leaked value can confirm it was the one stopped.
 */
import { createHash } from 'node:crypto';
import type { ToolCall } from '../model/exchange.js';
import type { Span } from '../model/verdict.js';

export const MAX_MATCH_DIGESTS = 8;

/**
 * SHA-256 (hex) of the UTF-8 text of each span, the first `MAX_MATCH_DIGESTS`: spans index
 * `text`, or the arguments of tool call `span.toolCall`.
 */
export function matchDigests(
  spans: readonly Span[],
  text: string,
  toolCalls: readonly (ToolCall | undefined)[],
): string[] {
  const out: string[] = [];
  for (const s of spans.slice(0, MAX_MATCH_DIGESTS)) {
    const of = s.toolCall === undefined ? text : (toolCalls[s.toolCall]?.arguments ?? '');
    out.push(createHash('sha256').update(of.slice(s.start, s.end)).digest('hex'));
  }
  return out;
}
