/**
 * Providers: how each kind of upstream authenticates and which adapter speaks for it when the
 * proxy must answer with an error before (or without) knowing the route.
 */
import { anthropicMessages } from './anthropic-messages/index.js';
import { ollamaChat } from './ollama/index.js';
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
  /** The endpoint canaries call unless they name a path (the adapter completes the body). */
  readonly canaryPath: string;
}

const bearer = (apiKey: string) => ({ authorization: `Bearer ${apiKey}` });

export const providers: readonly [Provider, ...Provider[]] = [
  {
    id: 'openai',
    authHeaders: ['authorization', 'x-api-key'],
    auth: bearer,
    fallback: openAiChat,
    canaryPath: '/v1/chat/completions',
  },
  {
    id: 'openai-compatible',
    authHeaders: ['authorization', 'x-api-key'],
    auth: bearer,
    fallback: openAiChat,
    canaryPath: '/v1/chat/completions',
  },
  {
    id: 'anthropic',
    authHeaders: ['x-api-key', 'authorization'],
    auth: (apiKey) => ({ 'x-api-key': apiKey }),
    fallback: anthropicMessages,
    canaryPath: '/v1/messages',
  },
  {
    id: 'ollama',
    authHeaders: ['authorization'],
    auth: bearer,
    fallback: ollamaChat,
    canaryPath: '/api/chat',
  },
];

export function providerIds(): [string, ...string[]] {
  return providers.map((p) => p.id) as [string, ...string[]];
}

export function getProvider(id: string): Provider {
  return providers.find((p) => p.id === id) ?? providers[0];
}
