/**
 * OpenAI Responses (`POST /v1/responses`): https://platform.openai.com/docs/api-reference/responses
 * The answer is the `output_text` and `refusal` parts of `message` items, the reasoning is the
 * summaries and texts of `reasoning` items (encrypted reasoning is opaque, left alone); tool
 * calls are `function_call` items. Streams are typed SSE events (`response.output_text.delta`,
 * `response.reasoning_summary_text.delta`, `response.function_call_arguments.delta`, …) ending
 * with `response.completed`, `response.incomplete` or `response.failed`; the `*.done` events
 * and the final response repeat the output, so they are snapshots: checked against the deltas
 * (stream.ts, snapshot-check.ts) and re-rendered after a redaction (frame.ts).
 */
import { openAiErrorBody } from '../openai-chat/index.js';
import { num, obj, parseJson } from '../read.js';
import type { StreamPosition, WireAdapter, WireError } from '../types.js';
import { rewriteResponsesFrame } from './frame.js';
import { parseResponsesRequest } from './request.js';
import { parseResponsesResponse, rewriteResponsesResponse } from './response.js';
import { responsesStreamParser } from './stream.js';

/**
 * The sequence number of an event Coalmine adds to a stream: one more than the last event's
 * the client was sent (the upstream numbers its events from 0), 0 when it was sent none.
 */
function nextSequence(at: StreamPosition | undefined): number {
  const last = at?.lastSent?.data;
  const seq = last === undefined ? undefined : num(obj(parseJson(last))?.['sequence_number']);
  return seq !== undefined && Number.isSafeInteger(seq) && seq >= 0 ? seq + 1 : 0;
}

/**
 * The Responses API's in-band stream error event (`ResponseErrorEvent`: `type`, `code`,
 * `message`, `param`, `sequence_number` — all required; the Vercel AI SDK rejects the event
 * without `sequence_number`), plus the `error` object of OpenAI's error body, which makes the
 * official SDKs raise their `APIError` instead of handing the event to the caller.
 */
function streamError(err: WireError, at?: StreamPosition): string {
  const event = {
    type: 'error',
    code: err.code,
    message: err.message,
    param: null,
    sequence_number: nextSequence(at),
    error: { message: err.message, type: err.type, code: err.code, param: null },
  };
  return `event: error\ndata: ${JSON.stringify(event)}\n\n`;
}

export const openAiResponses: WireAdapter = {
  id: 'openai.responses',
  operation: 'chat',
  streamHasTerminator: true,
  snapshots: true,
  matches: (method, path) => method === 'POST' && path.endsWith('/responses'),
  parseRequest: parseResponsesRequest,
  streamFraming: (ct) => (ct.startsWith('text/event-stream') ? 'sse' : undefined),
  parseResponse: parseResponsesResponse,
  streamParser: responsesStreamParser,
  rewriteResponse: rewriteResponsesResponse,
  rewriteFrame: rewriteResponsesFrame,
  errorBody: openAiErrorBody,
  streamError,
  canaryRequest: (model, request) => ({ ...request, model, stream: false }),
};
