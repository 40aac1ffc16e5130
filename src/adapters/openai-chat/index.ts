/**
 * OpenAI Chat Completions (`POST /v1/chat/completions`), also spoken by vLLM, Ollama's
 * OpenAI-compatible endpoint and most gateways.
 * Streaming: https://platform.openai.com/docs/api-reference/chat-streaming
 * Every text a client reads is checked: content (a string or text parts), `refusal`,
 * reasoning (`reasoning_content` / `reasoning`), the audio's `transcript`, tool calls' names,
 * ids and arguments (a custom tool call's `input` is its arguments), and the legacy
 * `function_call` (buffered: after the `tool_calls`; streamed: call 0 of its choice).
 * `logprobs` must spell the content and refusal exactly (logprobs.ts); `top_logprobs`
 * alternatives and the audio `data` are not checked.
 */
import type { WireAdapter, WireError } from '../types.js';
import { parseChatRequest } from './request.js';
import { parseChatResponse, rewriteChatResponse } from './response.js';
import { chatStreamParser, rewriteChatFrame, rewriteChatFrameChoices } from './stream.js';

export function openAiErrorBody(err: WireError): string {
  return JSON.stringify({
    error: { message: err.message, type: err.type, param: null, code: err.code },
  });
}

export const openAiChat: WireAdapter = {
  id: 'openai.chat',
  operation: 'chat',
  streamHasTerminator: true,
  matches: (method, path) => method === 'POST' && path.endsWith('/chat/completions'),
  parseRequest: parseChatRequest,
  streamFraming: (ct) => (ct.startsWith('text/event-stream') ? 'sse' : undefined),
  parseResponse: parseChatResponse,
  rewriteResponse: rewriteChatResponse,
  rewriteFrame: rewriteChatFrame,
  rewriteFrameChoices: rewriteChatFrameChoices,
  streamParser: chatStreamParser,
  errorBody: openAiErrorBody,
  streamError: (err) => `data: ${openAiErrorBody(err)}\n\n`,
  canaryRequest: (model, request) => ({ ...request, model, stream: false }),
  // https://platform.openai.com/docs/api-reference/chat/create#chat-create-logprobs
  canaryLogprobs: (body, o) => ({
    max_tokens: 'max_completion_tokens' in body ? undefined : o.tokens,
    ...body,
    logprobs: true,
    top_logprobs: o.topK,
  }),
};
