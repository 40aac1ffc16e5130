/**
 * Anthropic Messages (`POST /v1/messages`): https://docs.anthropic.com/en/api/messages
 * The answer is the message's content blocks: `text` blocks are the content, `thinking`
 * blocks the reasoning (checked by the rules that check reasoning), `tool_use` blocks the
 * tool calls (numbered in block order). `redacted_thinking` blocks and thinking signatures
 * are encrypted and opaque: not checked. Streams are named SSE events (`message_start`,
 * `content_block_start|delta|stop`, `message_delta`, `message_stop`, `ping`, `error`;
 * https://docs.anthropic.com/en/docs/build-with-claude/streaming): text from `text_delta`,
 * reasoning from `thinking_delta`, tool arguments from `input_json_delta`, and whatever a
 * `content_block_start` already carries (text, thinking, a non-empty tool `input`). A
 * redacted thinking block keeps its signature, which then no longer matches (see
 * `rewriteResponse`). Errors are `{"type":"error","error":{"type","message"}}`.
 */
import { codedMessage } from '../error-code.js';
import type { WireAdapter, WireError } from '../types.js';
import { parseRequest } from './request.js';
import { parseResponse, rewriteResponse } from './response.js';
import { rewriteFrame, streamParser } from './stream.js';

/**
 * One of Anthropic's published error types (https://docs.anthropic.com/en/api/errors), by
 * status: the type is fixed by the schema, so Coalmine's own code goes in the message.
 * A quarantine is no overload (`overloaded_error` tells clients to come back soon).
 */
function errorType(err: WireError): string {
  if (err.status === 413) return 'request_too_large';
  if (err.status === 404) return 'not_found_error';
  if (err.status === 401) return 'authentication_error';
  if (err.status === 403) return 'permission_error';
  if (err.status === 429) return 'rate_limit_error';
  // The request was fine; the model is held (423).
  if (err.code === 'model_quarantined') return 'api_error';
  if (err.status >= 400 && err.status < 500 && err.status !== 408) return 'invalid_request_error';
  if (err.status === 503 || err.status === 529) return 'overloaded_error';
  if (err.status === 504 || err.status === 408) return 'timeout_error';
  return 'api_error';
}

/** `{"type":"error","error":{"type","message"}}`, the message starting with `[code] `. */
export function anthropicErrorBody(err: WireError): string {
  return JSON.stringify({
    type: 'error',
    error: { type: errorType(err), message: codedMessage(err) },
  });
}

export const anthropicMessages: WireAdapter = {
  id: 'anthropic.messages',
  operation: 'chat',
  streamHasTerminator: true,
  matches: (method, path) => method === 'POST' && path.endsWith('/v1/messages'),
  parseRequest,
  streamFraming: (ct) => (ct.startsWith('text/event-stream') ? 'sse' : undefined),
  parseResponse,
  streamParser,
  rewriteResponse,
  rewriteFrame,
  errorBody: anthropicErrorBody,
  streamError: (err) => `event: error\ndata: ${anthropicErrorBody(err)}\n\n`,
  canaryRequest: (model, request) => ({ max_tokens: 256, ...request, model, stream: false }),
  canaryHeaders: { 'anthropic-version': '2023-06-01' },
};
