import type { RequestInfo } from '../../model/exchange.js';
import { arr, obj, roleText, str } from '../read.js';

/** A `POST /v1/responses` body: instructions, system/developer input, function tools, text format. */
export function parseResponsesRequest(body: unknown): RequestInfo {
  const b = obj(body) ?? {};
  const instructions = str(b['instructions']);
  const system = [
    ...(instructions ? [instructions] : []),
    ...roleText(b['input'], ['system', 'developer']),
  ];
  const tools = (arr(b['tools']) ?? []).flatMap((t) => {
    const to = obj(t);
    const name = str(to?.['name']);
    return str(to?.['type']) === 'function' && name
      ? [{ name, parameters: to?.['parameters'] }]
      : [];
  });
  const format = obj(obj(b['text'])?.['format']);
  return {
    operation: 'chat',
    model: str(b['model']),
    stream: b['stream'] === true,
    systemPrompt: system.length ? system.join('\n') : undefined,
    tools,
    responseSchema: str(format?.['type']) === 'json_schema' ? format?.['schema'] : undefined,
    choices: 1,
  };
}
