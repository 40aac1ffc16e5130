import { fromPrompt, strOr } from './shared.js';
import { simOpenAiChat } from './openai-chat.js';
import type { SimFormat } from './types.js';

export const simOpenAiEmbeddings: SimFormat = {
  matches: (method, path) => method === 'POST' && path.endsWith('/embeddings'),
  streamContentType: 'application/json',
  malformedFrame: '{',
  parse(body) {
    const b = (body ?? {}) as Record<string, unknown>;
    const input = b['input'];
    const inputs = Array.isArray(input) ? input.map((x) => strOr(x)) : [strOr(input)];
    return {
      ...fromPrompt(b['model'], inputs.join('\n')),
      temperature: 0,
      seed: undefined,
      choices: 1,
      tools: [],
      stream: false,
      includeUsage: false,
      inputs,
      dimensions: typeof b['dimensions'] === 'number' ? b['dimensions'] : 16,
      base64: b['encoding_format'] === 'base64',
    };
  },
  json(a) {
    const base64 = a.request.base64 === true;
    return JSON.stringify({
      object: 'list',
      model: a.model,
      data: a.vectors.map((v, index) => ({
        object: 'embedding',
        index,
        embedding: base64 ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v,
      })),
      usage: { prompt_tokens: a.promptTokens, total_tokens: a.promptTokens },
    });
  },
  frames: () => [],
  error: (status, message, code) => simOpenAiChat.error(status, message, code),
};
