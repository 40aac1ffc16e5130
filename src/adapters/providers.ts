/**
 * Providers: how each kind of upstream authenticates and which adapter speaks for it when the
 * proxy must answer with an error before (or without) knowing the route.
 */
import { openAiChat } from './openai-chat/index.js';
import type { WireAdapter } from './types.js';

export interface Provider {
  readonly id: string;
  /** Headers that carry the provider key, to replace with the upstream's configured key. */
  readonly authHeaders: readonly string[];
  /** The header(s) to send for a configured API key. */
  auth(apiKey: string): Record<string, string>;
  /** Adapter whose error format is used for routes no adapter owns. */
  readonly fallback: WireAdapter;
  /** The chat endpoint canaries call, and how a canary's request body is completed. */
  readonly canary: { path: string; body(model: string, request: object): object };
}

const bearer = (apiKey: string) => ({ authorization: `Bearer ${apiKey}` });
const openAiCanary = {
  path: '/v1/chat/completions',
  body: (model: string, request: object) => ({ ...request, model, stream: false }),
};

export const providers: readonly [Provider, ...Provider[]] = [
  {
    id: 'openai',
    authHeaders: ['authorization', 'x-api-key'],
    auth: bearer,
    fallback: openAiChat,
    canary: openAiCanary,
  },
  {
    id: 'openai-compatible',
    authHeaders: ['authorization', 'x-api-key'],
    auth: bearer,
    fallback: openAiChat,
    canary: openAiCanary,
  },
];

export function providerIds(): [string, ...string[]] {
  return providers.map((p) => p.id) as [string, ...string[]];
}

export function getProvider(id: string): Provider {
  return providers.find((p) => p.id === id) ?? providers[0];
}
