import type { RequestInfo, ToolDeclaration } from '../../model/exchange.js';
import { arr, functionTools, num, obj, roleText, str } from '../read.js';

/** Reads a Chat Completions request: https://platform.openai.com/docs/api-reference/chat/create */
export function parseChatRequest(body: unknown): RequestInfo {
  const b = obj(body) ?? {};
  const system = roleText(b['messages'], ['system', 'developer']);
  const tools: ToolDeclaration[] = functionTools(b['tools']);
  for (const f of arr(b['functions']) ?? []) {
    const name = str(obj(f)?.['name']);
    if (name) tools.push({ name, parameters: obj(f)?.['parameters'] });
  }
  const rf = obj(b['response_format']);
  const responseSchema =
    str(rf?.['type']) === 'json_schema' ? obj(rf?.['json_schema'])?.['schema'] : undefined;
  return {
    operation: 'chat',
    model: str(b['model']),
    stream: b['stream'] === true,
    systemPrompt: system.length ? system.join('\n') : undefined,
    tools,
    responseSchema,
    choices: Math.max(1, Math.floor(num(b['n']) ?? 1)),
  };
}
