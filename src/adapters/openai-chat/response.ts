import type { Choice, ChoiceEdit, NormalisedResponse, ToolCall } from '../../model/exchange.js';
import { arr, num, obj, str } from '../read.js';
import { contentText, reasoningText, setContent, setReasoning, usage } from './fields.js';

/** A complete `chat.completion` object. */
export function parseChatResponse(body: unknown): NormalisedResponse | undefined {
  const b = obj(body);
  const choices = arr(b?.['choices']);
  if (!b || !choices) return undefined;
  const out: Choice[] = [];
  for (const [i, c] of choices.entries()) {
    const co = obj(c);
    const msg = obj(co?.['message']);
    const toolCalls: ToolCall[] = [];
    for (const tc of arr(msg?.['tool_calls']) ?? []) {
      const t = obj(tc);
      const fn = obj(t?.['function']);
      toolCalls.push({
        id: str(t?.['id']),
        name: str(fn?.['name']) ?? '',
        arguments: str(fn?.['arguments']) ?? '',
      });
    }
    const fc = obj(msg?.['function_call']);
    if (fc)
      toolCalls.push({
        id: undefined,
        name: str(fc['name']) ?? '',
        arguments: str(fc['arguments']) ?? '',
      });
    const choice: Choice = {
      index: num(co?.['index']) ?? i,
      text: contentText(msg?.['content']) ?? '',
      toolCalls,
      finishReason: str(co?.['finish_reason']),
    };
    const refusal = str(msg?.['refusal']);
    const reasoning = reasoningText(msg);
    if (refusal) choice.refusal = refusal;
    if (reasoning) choice.reasoning = reasoning;
    out.push(choice);
  }
  return {
    id: str(b['id']),
    model: str(b['model']),
    fingerprint: str(b['system_fingerprint']),
    choices: out,
    usage: usage(obj(b['usage'])),
  };
}
/** Applies choice edits to a parsed `chat.completion` (a structured copy; the input is not mutated). */
export function rewriteChatResponse(body: unknown, edits: readonly ChoiceEdit[]): unknown {
  const copy = structuredClone(body);
  const choices = arr(obj(copy)?.['choices']) ?? [];
  for (const e of edits) {
    const c = choices.map(obj).find((x, i) => (num(x?.['index']) ?? i) === e.choice);
    const msg = obj(c?.['message']);
    if (!c || !msg) continue;
    if (e.text !== undefined) setContent(msg, e.text);
    if (e.refusal !== undefined) msg['refusal'] = e.refusal;
    if (e.reasoning !== undefined) setReasoning(msg, e.reasoning);
    // Log probabilities repeat the tokens of the text: gone with the text they repeat.
    if (
      (e.text !== undefined || e.refusal !== undefined || e.reasoning !== undefined) &&
      c['logprobs'] != null
    )
      c['logprobs'] = null;
    const calls = arr(msg['tool_calls']);
    const fnCall = obj(msg['function_call']);
    // Tool calls are numbered as parsed: `tool_calls` first, then a legacy `function_call`.
    const call = (i: number) =>
      i < (calls?.length ?? 0)
        ? obj(calls?.[i])
        : i === (calls?.length ?? 0)
          ? { function: fnCall }
          : undefined;
    for (const [i, args] of e.toolCallArguments) {
      const fn = obj(call(i)?.['function']);
      if (fn) fn['arguments'] = args;
    }
    for (const [i, name] of e.toolCallNames ?? []) {
      const fn = obj(call(i)?.['function']);
      if (fn) fn['name'] = name;
    }
    for (const [i, id] of e.toolCallIds ?? []) {
      const t = call(i);
      if (t && typeof t['id'] === 'string') t['id'] = id;
    }
  }
  return copy;
}
