import type { StreamEvent } from '../../model/events.js';
import { arr, errorText, num, obj, parseJson, str, streamIndex, toolCallPiece } from '../read.js';
import type { Frame, FrameEdit, FrameParser } from '../types.js';
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
import { chatLogprobsMatch } from './logprobs.js';

/** How a choice's tool calls are streamed: `tool_calls` pieces, or a legacy `function_call`. */
type CallStyle = 'tool_calls' | 'function_call';

/**
 * What a stream has said so far about its tool calls: how each choice streams them
 * (`styles`, by choice) and whether each call is a function or a custom call (`kinds`, by
 * `choice/index`).
 */
export interface ChatStreamState {
  styles: Map<number, CallStyle>;
  kinds: Map<string, 'function' | 'custom'>;
}

/**
 * A parser for one stream. Its state is how each choice streams its tool calls: a stream
 * that mixes `tool_calls` and a legacy `function_call` for one choice is malformed (no server
 * does; read either way, call 0 would be two calls at once), and so is a call whose pieces
 * switch between `function` and `custom` (a client would assemble two inputs).
 */
export function chatStreamParser(): FrameParser {
  const state: ChatStreamState = { styles: new Map(), kinds: new Map() };
  return (frame) => {
    const data = frame.data;
    if (data === undefined) return [];
    // The openai SDK ends the stream at any data that starts so.
    if (data.startsWith('[DONE]')) return [{ type: 'done' }];
    return parseChatData(data, state);
  };
}

/**
 * The data of one `chat.completion.chunk` SSE frame, or an in-band `{"error":…}`; `state`
 * is the stream's record of its tool calls. Undefined when malformed: besides the tool-call
 * rules above, a frame naming one choice index twice (an edit would reach both with the text
 * of the two), or whose `logprobs` tokens do not spell the delta's content / refusal.
 */
export function parseChatData(
  data: string,
  state: ChatStreamState = { styles: new Map(), kinds: new Map() },
): StreamEvent[] | undefined {
  const { styles, kinds } = state;
  const b = obj(parseJson(data));
  if (!b) return undefined;
  // The openai SDK raises any truthy `error` of a frame, whatever its type.
  if (b['error']) return [{ type: 'error', message: errorText(b['error']) }];
  const events: StreamEvent[] = [];
  const id = str(b['id']);
  const model = str(b['model']);
  const fingerprint = str(b['system_fingerprint']);
  if (id !== undefined || model !== undefined || fingerprint !== undefined) {
    const meta: StreamEvent & { type: 'meta' } = { type: 'meta' };
    if (id !== undefined) meta.id = id;
    if (model !== undefined) meta.model = model;
    if (fingerprint !== undefined) meta.fingerprint = fingerprint;
    events.push(meta);
  }
  const choices = arr(b['choices']);
  if (choices) {
    const seen = new Set<number>();
    for (const c of choices) {
      const co = obj(c);
      const choice = streamIndex(co?.['index']);
      if (choice === undefined || seen.has(choice)) return undefined;
      seen.add(choice);
      const delta = obj(co?.['delta']);
      // Every text of the delta, each in its own field (content may be an array of parts).
      const content = contentText(delta?.['content']);
      if (content) events.push({ type: 'text', choice, text: content });
      const refusal = str(delta?.['refusal']);
      if (refusal) events.push({ type: 'text', choice, text: refusal, field: 'refusal' });
      if (!chatLogprobsMatch(co?.['logprobs'], content ?? '', refusal ?? '')) return undefined;
      const reasoning = reasoningText(delta);
      if (reasoning) events.push({ type: 'text', choice, text: reasoning, field: 'reasoning' });
      const transcript = transcriptText(delta);
      if (transcript) events.push({ type: 'text', choice, text: transcript, field: 'transcript' });
      const calls = arr(delta?.['tool_calls']) ?? [];
      const fnCall = obj(delta?.['function_call']);
      const style: CallStyle | undefined = fnCall
        ? 'function_call'
        : calls.length
          ? 'tool_calls'
          : undefined;
      if (style) {
        if (calls.length && fnCall) return undefined;
        if ((styles.get(choice) ?? style) !== style) return undefined;
        styles.set(choice, style);
      }
      // The legacy `function_call` is the choice's one call: call 0, as buffered.
      if (fnCall) {
        events.push(
          toolCallPiece(choice, 0, str(fnCall['arguments']) ?? '', undefined, str(fnCall['name'])),
        );
      }
      for (const tc of calls) {
        const t = obj(tc);
        const call = callBody(t);
        if (!call) return undefined;
        const index = streamIndex(t?.['index']);
        if (index === undefined) return undefined;
        // Pieces without either body (an id alone) say nothing of the call's kind.
        if (call.body) {
          const key = `${choice}/${index}`;
          if ((kinds.get(key) ?? call.kind) !== call.kind) return undefined;
          kinds.set(key, call.kind);
        }
        events.push(
          toolCallPiece(
            choice,
            index,
            str(call.body?.[call.input]) ?? '',
            str(t?.['id']),
            str(call.body?.['name']),
          ),
        );
      }
      const finish = str(co?.['finish_reason']);
      if (finish) events.push({ type: 'finish', choice, reason: finish });
    }
  } else if (!obj(b['usage'])) {
    return undefined;
  }
  const u = usage(obj(b['usage']));
  if (u) events.push({ type: 'usage', usage: u });
  return events;
}
/** A `chat.completion.chunk` frame with its texts (or tool calls) for `choice` replaced. */
export function rewriteChatFrame(frame: Frame, choice: number, edit: FrameEdit): string {
  return rewriteChatFrameChoices(frame, new Map([[choice, edit]]));
}

/**
 * A `chat.completion.chunk` frame with the edits of each of its choices applied (a frame may
 * carry several choices). A choice whose text changed loses its `logprobs`, which repeat it.
 */
export function rewriteChatFrameChoices(
  frame: Frame,
  edits: ReadonlyMap<number, FrameEdit>,
): string {
  const body = obj(parseJson(frame.data ?? '')) ?? {};
  for (const c of arr(body['choices']) ?? []) {
    const co = obj(c);
    const edit = edits.get(num(co?.['index']) ?? 0);
    const delta = obj(co?.['delta']);
    if (!co || !edit || !delta) continue;
    if (edit.text !== undefined && 'content' in delta) setContent(delta, edit.text);
    if (edit.refusal !== undefined && typeof delta['refusal'] === 'string')
      delta['refusal'] = edit.refusal;
    if (edit.reasoning !== undefined) setReasoning(delta, edit.reasoning);
    if (edit.transcript !== undefined) setTranscript(delta, edit.transcript);
    if (
      (edit.text ?? edit.refusal ?? edit.reasoning ?? edit.transcript) !== undefined &&
      co['logprobs'] != null
    )
      co['logprobs'] = null;
    const fnCall = obj(delta['function_call']);
    if (fnCall) {
      // A legacy `function_call` is call 0 of its choice (see `parseChatData`).
      const args = edit.toolCallArguments?.get(0);
      if (args !== undefined) fnCall['arguments'] = args;
      const name = edit.toolCallNames?.get(0);
      if (name !== undefined && typeof fnCall['name'] === 'string') fnCall['name'] = name;
    }
    for (const tc of arr(delta['tool_calls']) ?? []) {
      const t = obj(tc);
      // A function call's `arguments` or a custom call's `input` (see `callBody`).
      const call = callBody(t);
      const fn = call?.body;
      const i = num(t?.['index']) ?? 0;
      const args = edit.toolCallArguments?.get(i);
      if (call && fn && args !== undefined) fn[call.input] = args;
      const name = edit.toolCallNames?.get(i);
      if (fn && name !== undefined && typeof fn['name'] === 'string') fn['name'] = name;
      const id = edit.toolCallIds?.get(i);
      if (t && id !== undefined && typeof t['id'] === 'string') t['id'] = id;
    }
  }
  return `data: ${JSON.stringify(body)}\n\n`;
}
