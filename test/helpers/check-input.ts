import type { RequestInfo } from '../../src/model/exchange.js';
import type { CheckInput } from '../../src/policy/checks/types.js';

export const REQUEST: RequestInfo = {
  operation: 'chat',
  model: 'm',
  stream: false,
  systemPrompt: undefined,
  tools: [],
  responseSchema: undefined,
  choices: 1,
};

export function input(text: string, request: Partial<RequestInfo> = {}): CheckInput {
  return { text, toolCalls: [], finishReason: 'stop', request: { ...REQUEST, ...request } };
}
