/** Folds normalised stream events into a normalised response (per choice, per tool call). */
import type { StreamEvent } from '../model/events.js';
import type { Choice, NormalisedResponse } from '../model/exchange.js';
import { emptyResponse } from '../model/exchange.js';

export class Accumulator {
  readonly response: NormalisedResponse = emptyResponse();
  done = false;
  upstreamError: string | undefined;

  choice(index: number): Choice {
    let c = this.response.choices[index];
    if (!c) {
      c = { index, text: '', toolCalls: [], finishReason: undefined };
      this.response.choices[index] = c;
    }
    return c;
  }

  add(ev: StreamEvent): void {
    const r = this.response;
    switch (ev.type) {
      case 'meta':
        r.id ??= ev.id;
        if (ev.model !== undefined) r.model ??= ev.model;
        if (ev.fingerprint !== undefined) r.fingerprint ??= ev.fingerprint;
        return;
      case 'text':
        this.choice(ev.choice).text += ev.text;
        return;
      case 'tool_call': {
        const calls = this.choice(ev.choice).toolCalls;
        const call = (calls[ev.index] ??= { id: ev.id, name: '', arguments: '' });
        if (ev.id !== undefined) call.id ??= ev.id;
        if (ev.name) call.name += ev.name;
        call.arguments += ev.arguments;
        return;
      }
      case 'finish':
        this.choice(ev.choice).finishReason = ev.reason;
        return;
      case 'usage':
        // Some formats report input and output tokens in different events.
        r.usage = {
          inputTokens: ev.usage.inputTokens ?? r.usage?.inputTokens,
          outputTokens: ev.usage.outputTokens ?? r.usage?.outputTokens,
        };
        return;
      case 'snapshot':
        return;
      case 'error':
        this.upstreamError = ev.message;
        return;
      case 'done':
        this.done = true;
        return;
    }
  }
}
