import type { Choice, ChoiceEdit, NormalisedResponse, ToolCall } from '../../model/exchange.js';
import type { Obj } from '../read.js';
import { arr, num, obj, str } from '../read.js';
import {
  callBody,
  contentText,
  reasoningText,
  setContent,
  setReasoning,
  setTranscript,
  transcriptText,
  usage,
} from './fields.js';
import { chatLogprobsMatch, readChatLogprobs } from './logprobs.js';

/**
 * A complete `chat.completion` object; undefined when it is not one, or when a client could
 * read it more than one way: two choices with one index (an edit would reach only one), a
 * tool call that is both a function and a custom call, or `logprobs` tokens that do not
 * spell the content / refusal (see logprobs.ts).
 */
export function parseChatResponse(body: unknown): NormalisedResponse | undefined {
  const b = obj(body);
  const choices = arr(b?.['choices']);
  if (!b || !choices) return undefined;
  const out: Choice[] = [];
  const seen = new Set<number>();
  for (const [i, c] of choices.entries()) {
    const co = obj(c);
    const msg = obj(co?.['message']);
    const index = num(co?.['index']) ?? i;
    if (seen.has(index)) return undefined;
    seen.add(index);
    const toolCalls: ToolCall[] = [];
    for (const tc of arr(msg?.['tool_calls']) ?? []) {
      const t = obj(tc);
      const call = callBody(t);
      if (!call) return undefined;
      toolCalls.push({
        id: str(t?.['id']),
        name: str(call.body?.['name']) ?? '',
        arguments: str(call.body?.[call.input]) ?? '',
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
      index,
      text: contentText(msg?.['content']) ?? '',
      toolCalls,
      finishReason: str(co?.['finish_reason']),
    };
    const refusal = str(msg?.['refusal']);
    const reasoning = reasoningText(msg);
    const transcript = transcriptText(msg);
    if (!chatLogprobsMatch(co?.['logprobs'], choice.text, refusal ?? '')) return undefined;
    if (refusal) choice.refusal = refusal;
    if (reasoning) choice.reasoning = reasoning;
    if (transcript) choice.transcript = transcript;
    const logprobs = readChatLogprobs(co?.['logprobs']);
    if (logprobs) choice.logprobs = logprobs;
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
    if (e.transcript !== undefined) setTranscript(msg, e.transcript);
    // Log probabilities repeat the tokens of the text: gone with the text they repeat.
    if ((e.text ?? e.refusal ?? e.reasoning ?? e.transcript) !== undefined && c['logprobs'] != null)
      c['logprobs'] = null;
    const calls = arr(msg['tool_calls']);
    const fnCall = obj(msg['function_call']);
    // Tool calls are numbered as parsed: `tool_calls` first, then a legacy `function_call`.
    const call = (i: number): Obj | undefined =>
      i < (calls?.length ?? 0)
        ? obj(calls?.[i])
        : i === (calls?.length ?? 0)
          ? { function: fnCall }
          : undefined;
    for (const [i, args] of e.toolCallArguments) {
      const b = callBody(call(i));
      if (b?.body) b.body[b.input] = args;
    }
    for (const [i, name] of e.toolCallNames ?? []) {
      const b = callBody(call(i))?.body;
      if (b) b['name'] = name;
    }
    for (const [i, id] of e.toolCallIds ?? []) {
      const t = call(i);
      if (t && typeof t['id'] === 'string') t['id'] = id;
    }
  }
  return copy;
}
