/** The wire formats the simulator speaks; a new one is one file and one line here. */
import { simAnthropic } from './anthropic.js';
import { simOllamaChat, simOllamaGenerate } from './ollama.js';
import { simOpenAiChat } from './openai-chat.js';
import { simOpenAiCompletions } from './openai-completions.js';
import { simOpenAiEmbeddings } from './openai-embeddings.js';
import { simOpenAiResponses } from './openai-responses.js';
import type { SimFormat } from './types.js';

export const simFormats: readonly SimFormat[] = [
  simOpenAiChat,
  simOpenAiCompletions,
  simOpenAiResponses,
  simOpenAiEmbeddings,
  simAnthropic,
  simOllamaChat,
  simOllamaGenerate,
];
