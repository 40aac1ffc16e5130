/**
 * OpenAI Embeddings (`POST /v1/embeddings`): https://platform.openai.com/docs/api-reference/embeddings
 * Vectors arrive as JSON numbers (`encoding_format: float`) or base64 of little-endian
 * float32 (`base64`, what the official SDKs ask for by default); both are decoded so the
 * `embeddings` check and canaries see numbers. Never streamed; nothing to redact.
 */
import type { Choice, NormalisedResponse } from '../../model/exchange.js';
import { openAiErrorBody } from '../openai-chat/index.js';
import { arr, num, obj, str } from '../read.js';
import type { WireAdapter } from '../types.js';

/** A base64 float32 (little-endian) vector, or undefined when the text is not one. */
export function decodeBase64Vector(b64: string): Float32Array | undefined {
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length % 4 !== 0) return undefined;
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

function vectorOf(v: unknown): ArrayLike<number> | undefined {
  const a = arr(v);
  if (a) return a.every((x) => typeof x === 'number') ? a : undefined;
  const s = str(v);
  return s === undefined ? undefined : decodeBase64Vector(s);
}

function parseResponse(body: unknown): NormalisedResponse | undefined {
  const b = obj(body);
  const data = arr(b?.['data']);
  if (!b || !data) return undefined;
  const choices: Choice[] = [];
  for (const [i, d] of data.entries()) {
    const vector = vectorOf(obj(d)?.['embedding']);
    if (!vector) return undefined;
    choices.push({
      index: num(obj(d)?.['index']) ?? i,
      text: '',
      toolCalls: [],
      finishReason: undefined,
      vector,
    });
  }
  const u = obj(b['usage']);
  return {
    id: undefined,
    model: str(b['model']),
    fingerprint: undefined,
    choices,
    usage: u ? { inputTokens: num(u['prompt_tokens']), outputTokens: undefined } : undefined,
  };
}

export const openAiEmbeddings: WireAdapter = {
  id: 'openai.embeddings',
  operation: 'embeddings',
  streamHasTerminator: false,
  matches: (method, path) => method === 'POST' && path.endsWith('/embeddings'),
  parseRequest(body) {
    const b = obj(body) ?? {};
    const input = b['input'];
    return {
      operation: 'embeddings',
      model: str(b['model']),
      stream: false,
      systemPrompt: undefined,
      tools: [],
      responseSchema: undefined,
      choices:
        Array.isArray(input) && !input.every((x) => typeof x === 'number') ? input.length || 1 : 1,
    };
  },
  streamFraming: () => undefined,
  parseResponse,
  streamParser: () => () => undefined,
  // Vectors carry no text to redact: the body goes out as it came.
  rewriteResponse: (body) => body,
  rewriteFrame: (frame) => `data: ${frame.data ?? ''}\n\n`,
  errorBody: openAiErrorBody,
  streamError: (err) => `data: ${openAiErrorBody(err)}\n\n`,
  canaryRequest: (model, request) => ({ ...request, model }),
};
