/** The one registry of wire adapters. A new format is one folder and one line here. */
import { anthropicMessages } from './anthropic-messages/index.js';
import { ollamaChat, ollamaGenerate } from './ollama/index.js';
import { openAiChat } from './openai-chat/index.js';
import { openAiCompletions } from './openai-completions/index.js';
import { openAiEmbeddings } from './openai-embeddings/index.js';
import { openAiResponses } from './openai-responses/index.js';
import type { WireAdapter } from './types.js';

export const adapters: readonly WireAdapter[] = [
  openAiChat,
  openAiCompletions,
  openAiResponses,
  openAiEmbeddings,
  anthropicMessages,
  ollamaChat,
  ollamaGenerate,
];

export function findAdapter(method: string, path: string): WireAdapter | undefined {
  for (const a of adapters) if (a.matches(method, path)) return a;
  return undefined;
}

export function findAdapterById(id: string): WireAdapter | undefined {
  return adapters.find((a) => a.id === id);
}
