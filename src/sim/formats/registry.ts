/** The wire formats the simulator speaks; a new one is one file and one line here. */
import { simOpenAiChat } from './openai-chat.js';
import type { SimFormat } from './types.js';

export const simFormats: readonly SimFormat[] = [simOpenAiChat];
