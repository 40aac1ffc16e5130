/** The one registry of wire adapters. A new format is one folder and one line here. */
import { openAiChat } from './openai-chat/index.js';
import type { WireAdapter } from './types.js';

export const adapters: readonly WireAdapter[] = [openAiChat];

export function findAdapter(method: string, path: string): WireAdapter | undefined {
  for (const a of adapters) if (a.matches(method, path)) return a;
  return undefined;
}

export function findAdapterById(id: string): WireAdapter | undefined {
  return adapters.find((a) => a.id === id);
}
