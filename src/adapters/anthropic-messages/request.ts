import type { RequestInfo } from '../../model/exchange.js';
import { arr, contentText, obj, str } from '../read.js';

/** Reads a Messages request: https://docs.anthropic.com/en/api/messages */
export function parseRequest(body: unknown): RequestInfo {
  const b = obj(body) ?? {};
  const tools = (arr(b['tools']) ?? []).flatMap((t) => {
    const name = str(obj(t)?.['name']);
    return name ? [{ name, parameters: obj(t)?.['input_schema'] }] : [];
  });
  return {
    operation: 'chat',
    model: str(b['model']),
    stream: b['stream'] === true,
    systemPrompt: contentText(b['system']) || undefined,
    tools,
    responseSchema: undefined,
    choices: 1,
  };
}
