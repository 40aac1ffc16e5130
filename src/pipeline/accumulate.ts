/**
 * Folds normalised stream events into a normalised response (per choice, per tool call),
 * within bounds: at most MAX_INDEX choices and tool calls per choice (an upstream that names
 * choice 4294967294 must not make every later loop walk a sparse array), and a bounded prefix
 * of each choice's text (`keepChars`; the rest is counted in `omittedChars`). Tool-call
 * arguments are kept whole: tool-call checks judge complete calls. Everything is bounded by
 * the stream's byte limit in any case.
 */
import type { StreamEvent } from '../model/events.js';
import type { Choice, NormalisedResponse } from '../model/exchange.js';
import { emptyResponse } from '../model/exchange.js';
import { TextBuffer } from './text-buffer.js';

/** Choice and tool-call indexes above this are refused (OpenAI allows n ≤ 128). */
export const MAX_INDEX = 1024;
/** Tool names and ids are short; longer ones are cut (they are checked as cut). */
const MAX_NAME = 4096;

export class Accumulator {
  private readonly res: NormalisedResponse = emptyResponse();
  private readonly texts: TextBuffer[] = [];
  private readonly args: TextBuffer[][] = [];
  private readonly others: {
    refusal?: TextBuffer;
    reasoning?: TextBuffer;
    transcript?: TextBuffer;
  }[] = [];
  done = false;
  upstreamError: string | undefined;

  constructor(private readonly keepChars = Number.POSITIVE_INFINITY) {}

  private choice(index: number): Choice {
    let c = this.res.choices[index];
    if (!c) {
      c = { index, text: '', toolCalls: [], finishReason: undefined };
      this.res.choices[index] = c;
      this.texts[index] = new TextBuffer(this.keepChars);
      this.args[index] = [];
    }
    return c;
  }

  /** The tool calls of a choice so far (complete once the choice or the next call starts). */
  toolCalls(choice: number): Choice['toolCalls'] {
    const calls = this.res.choices[choice]?.toolCalls ?? [];
    const args = this.args[choice] ?? [];
    calls.forEach((c, i) => {
      if (c && args[i]) c.arguments = args[i].toString();
    });
    return calls;
  }

  /** Characters of a choice's text so far (kept or not), without materialising it. */
  textLength(choice: number): number {
    const t = this.texts[choice];
    return t ? t.length + t.omitted : 0;
  }

  /** The response so far, with each choice's kept text. */
  get response(): NormalisedResponse {
    this.res.choices.forEach((c, i) => {
      const t = this.texts[i];
      if (!c || !t) return;
      c.text = t.toString();
      c.omittedChars = t.omitted || undefined;
      const o = this.others[i];
      if (o?.refusal) {
        c.refusal = o.refusal.toString();
        c.omittedRefusalChars = o.refusal.omitted || undefined;
      }
      if (o?.reasoning) {
        c.reasoning = o.reasoning.toString();
        c.omittedReasoningChars = o.reasoning.omitted || undefined;
      }
      if (o?.transcript) {
        c.transcript = o.transcript.toString();
        c.omittedTranscriptChars = o.transcript.omitted || undefined;
      }
      this.toolCalls(i);
    });
    return this.res;
  }

  /** Folds one event in; false when it names a choice or tool call out of bounds. */
  add(ev: StreamEvent): boolean {
    const r = this.res;
    switch (ev.type) {
      case 'meta':
        r.id ??= ev.id;
        if (ev.model !== undefined) r.model ??= ev.model;
        if (ev.fingerprint !== undefined) r.fingerprint ??= ev.fingerprint;
        return true;
      case 'text':
        if (!inBounds(ev.choice)) return false;
        this.choice(ev.choice);
        if (ev.field === undefined || ev.field === 'content') this.texts[ev.choice]!.push(ev.text);
        else {
          // Refusal, reasoning and transcript: kept to the same bound as the content.
          const others = (this.others[ev.choice] ??= {});
          (others[ev.field] ??= new TextBuffer(this.keepChars)).push(ev.text);
        }
        return true;
      case 'tool_call': {
        if (!inBounds(ev.choice) || !inBounds(ev.index)) return false;
        const calls = this.choice(ev.choice).toolCalls;
        const call = (calls[ev.index] ??= { id: ev.id, name: '', arguments: '' });
        const args = (this.args[ev.choice]![ev.index] ??= new TextBuffer(Infinity));
        if (ev.id !== undefined) call.id ??= ev.id.slice(0, MAX_NAME);
        if (ev.name && call.name.length < MAX_NAME)
          call.name = (call.name + ev.name).slice(0, MAX_NAME);
        args.push(ev.arguments);
        return true;
      }
      case 'finish':
        if (!inBounds(ev.choice)) return false;
        this.choice(ev.choice).finishReason = ev.reason;
        return true;
      case 'usage':
        // Some formats report input and output tokens in different events.
        r.usage = {
          inputTokens: ev.usage.inputTokens ?? r.usage?.inputTokens,
          outputTokens: ev.usage.outputTokens ?? r.usage?.outputTokens,
        };
        return true;
      case 'snapshot':
        return inBounds(ev.choice);
      case 'error':
        this.upstreamError = ev.message;
        return true;
      case 'done':
        this.done = true;
        return true;
    }
  }
}

function inBounds(i: number): boolean {
  return Number.isInteger(i) && i >= 0 && i < MAX_INDEX;
}
