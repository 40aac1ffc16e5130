/**
 * Normalised stream events: what one upstream stream frame means, vendor-free.
 * An adapter turns each wire frame into zero or more of these.
 */
import type { TextField, Usage } from './exchange.js';

export type StreamEvent =
  /** Response identity; may arrive on every frame (OpenAI) or once (Anthropic). */
  | { type: 'meta'; id?: string; model?: string; fingerprint?: string }
  /** A piece of output text for one choice; `field` names which text (content by default). */
  | { type: 'text'; choice: number; text: string; field?: TextField }
  /**
   * A piece of a tool call. `index` identifies the call within the choice; `id` and `name`
   * come with the first piece, `arguments` grows by concatenation.
   */
  | {
      type: 'tool_call';
      choice: number;
      index: number;
      id?: string;
      name?: string;
      arguments: string;
    }
  | { type: 'finish'; choice: number; reason: string }
  | { type: 'usage'; usage: Usage }
  /** The upstream reported an error in-band. */
  | { type: 'error'; message: string }
  /**
   * The frame repeats the choice's whole output so far (a summary such as a `done` event
   * carrying the full text): after a redaction it is re-rendered with what the client saw.
   */
  | {
      type: 'snapshot';
      choice: number;
      /** The frame repeats one tool call's whole arguments (by call index), not the text. */
      toolIndex?: number;
    }
  /** The upstream's explicit end-of-stream marker (`[DONE]`, `message_stop`, `done: true`). */
  | { type: 'done' };
