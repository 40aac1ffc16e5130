/**
 * OpenAI Completions (`POST /v1/completions`, legacy text completion; also vLLM and most
 * OpenAI-compatible servers): https://platform.openai.com/docs/api-reference/completions
 * Streams are `text_completion` chunks with `choices[].text` deltas, ended by `[DONE]`.
 * Malformed (buffered: no completion; streamed: the frame fails the stream closed): two
 * choices with one index, or `logprobs.tokens` that do not spell the choice's `text`
 * (`top_logprobs` alternatives are not checked).
 */
import type { StreamEvent } from '../../model/events.js';
import type { Choice, ChoiceEdit, NormalisedResponse } from '../../model/exchange.js';
import { openAiErrorBody } from '../openai-chat/index.js';
import type { Obj } from '../read.js';
import { arr, errorText, num, obj, parseJson, str, streamIndex, usageOf } from '../read.js';
import type { Frame, FrameEdit, WireAdapter } from '../types.js';
import { completionLogprobsMatch, readCompletionLogprobs } from '../openai-chat/logprobs.js';

const usage = (u: Obj | undefined) => usageOf(u, 'prompt_tokens', 'completion_tokens');

function parseResponse(body: unknown): NormalisedResponse | undefined {
  const b = obj(body);
  const choices = arr(b?.['choices']);
  if (!b || !choices) return undefined;
  const out: Choice[] = [];
  const seen = new Set<number>();
  for (const [i, c] of choices.entries()) {
    const co = obj(c);
    const index = num(co?.['index']) ?? i;
    const text = str(co?.['text']) ?? '';
    if (seen.has(index) || !completionLogprobsMatch(co?.['logprobs'], text)) return undefined;
    seen.add(index);
    const choice: Choice = { index, text, toolCalls: [], finishReason: str(co?.['finish_reason']) };
    const logprobs = readCompletionLogprobs(co?.['logprobs']);
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

function parseData(data: string): StreamEvent[] | undefined {
  const b = obj(parseJson(data));
  if (!b) return undefined;
  // The openai SDK raises any truthy `error` of a frame, whatever its type.
  if (b['error']) return [{ type: 'error', message: errorText(b['error']) }];
  const events: StreamEvent[] = [];
  const meta: StreamEvent & { type: 'meta' } = { type: 'meta' };
  const id = str(b['id']);
  const model = str(b['model']);
  const fp = str(b['system_fingerprint']);
  if (id !== undefined) meta.id = id;
  if (model !== undefined) meta.model = model;
  if (fp !== undefined) meta.fingerprint = fp;
  events.push(meta);
  const choices = arr(b['choices']);
  if (!choices && !obj(b['usage'])) return undefined;
  const seen = new Set<number>();
  for (const c of choices ?? []) {
    const co = obj(c);
    const choice = streamIndex(co?.['index']);
    const text = str(co?.['text']);
    if (
      choice === undefined ||
      seen.has(choice) ||
      !completionLogprobsMatch(co?.['logprobs'], text ?? '')
    )
      return undefined;
    seen.add(choice);
    if (text) events.push({ type: 'text', choice, text });
    const finish = str(co?.['finish_reason']);
    if (finish) events.push({ type: 'finish', choice, reason: finish });
  }
  const u = usage(obj(b['usage']));
  if (u) events.push({ type: 'usage', usage: u });
  return events;
}

function rewriteResponse(body: unknown, edits: readonly ChoiceEdit[]): unknown {
  const copy = structuredClone(body);
  const choices = arr(obj(copy)?.['choices']) ?? [];
  for (const e of edits) {
    const c = choices.map(obj).find((x, i) => (num(x?.['index']) ?? i) === e.choice);
    if (!c || e.text === undefined) continue;
    c['text'] = e.text;
    // Log-probabilities spell out the original tokens: they go with the redaction.
    if ('logprobs' in c) c['logprobs'] = null;
  }
  return copy;
}

/**
 * A `text_completion` chunk with the edits of each of its choices applied (with `n` > 1 a
 * frame may carry several choices). An edited choice loses its `logprobs`, which repeat it.
 */
function rewriteFrameChoices(frame: Frame, edits: ReadonlyMap<number, FrameEdit>): string {
  const body = obj(parseJson(frame.data ?? '')) ?? {};
  for (const c of arr(body['choices']) ?? []) {
    const co = obj(c);
    const text = co && edits.get(num(co['index']) ?? 0)?.text;
    if (!co || text === undefined) continue;
    co['text'] = text;
    if ('logprobs' in co) co['logprobs'] = null;
  }
  return `data: ${JSON.stringify(body)}\n\n`;
}

export const openAiCompletions: WireAdapter = {
  id: 'openai.completions',
  operation: 'text_completion',
  streamHasTerminator: true,
  matches: (method, path) =>
    method === 'POST' && path.endsWith('/completions') && !path.endsWith('/chat/completions'),
  parseRequest(body) {
    const b = obj(body) ?? {};
    return {
      operation: 'text_completion',
      model: str(b['model']),
      stream: b['stream'] === true,
      systemPrompt: undefined,
      tools: [],
      responseSchema: undefined,
      choices: Math.max(1, Math.floor(num(b['n']) ?? 1)),
    };
  },
  streamFraming: (ct) => (ct.startsWith('text/event-stream') ? 'sse' : undefined),
  parseResponse,
  streamParser: () => (frame) => {
    if (frame.data === undefined) return [];
    if (frame.data.startsWith('[DONE]')) return [{ type: 'done' }];
    return parseData(frame.data);
  },
  rewriteResponse,
  rewriteFrame: (frame, choice, edit) => rewriteFrameChoices(frame, new Map([[choice, edit]])),
  rewriteFrameChoices,
  errorBody: openAiErrorBody,
  streamError: (err) => `data: ${openAiErrorBody(err)}\n\n`,
  canaryRequest: (model, request) => ({ ...request, model, stream: false }),
  // https://platform.openai.com/docs/api-reference/completions/create#completions-create-logprobs
  canaryLogprobs: (body, o) => ({ max_tokens: o.tokens, ...body, logprobs: o.topK }),
};
