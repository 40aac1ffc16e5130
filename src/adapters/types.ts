/**
 * The contract of a wire adapter: one provider API (one request/response format) turned into
 * the normalised model and back. Adding a format = one folder implementing this, one line in
 * `registry.ts`. Nothing outside `adapters/` names a vendor.
 */
import type { StreamEvent } from '../model/events.js';
import type { ChoiceEdit, NormalisedResponse, Operation, RequestInfo } from '../model/exchange.js';
import type { Framing } from './framing.js';

/** An error the proxy itself reports to a client, in the adapter's wire format. */
export interface WireError {
  status: number;
  /** Human-readable; never contains model output or secrets. */
  message: string;
  /** Provider-style error type (`invalid_request_error`, `policy_violation`, …). */
  type: string;
  /**
   * Stable machine code (`coalmine_policy_violation`, `model_quarantined`,
   * `upstream_idle_timeout`, …), the same in every format: OpenAI's `error.code`; formats whose
   * error object has no field for it (Anthropic, Ollama) start the message with `[code] `.
   */
  code: string;
}

/** Where a stream stands when Coalmine ends it with an error event of its own. */
export interface StreamPosition {
  /**
   * The last complete upstream frame the client was sent (maybe re-rendered by a redaction),
   * undefined when none was: formats that number their events continue from it.
   */
  lastSent: Frame | undefined;
}

/** One decoded frame of an upstream stream: an SSE event or an NDJSON line. */
export interface Frame {
  /** SSE `event:` field; undefined for NDJSON and unnamed SSE events. */
  event: string | undefined;
  /** SSE `data:` lines joined by `\n`, or the NDJSON line; undefined for comment-only frames. */
  data: string | undefined;
  /** Offset just past this frame in the batch's `bytes`. */
  end: number;
  /** Clients could read the frame more than one way: the stream fails closed. */
  malformed?: true;
}

export type FrameParser = (frame: Frame) => StreamEvent[] | undefined;

/** What a redaction changes of one choice in one stream frame. */
export interface FrameEdit {
  /** New content text of the frame's piece. */
  text?: string;
  /** New refusal / reasoning / transcript text of the frame's piece (formats that have them). */
  refusal?: string;
  reasoning?: string;
  transcript?: string;
  /** New tool-call arguments, names and ids by call index. */
  toolCallArguments?: ReadonlyMap<number, string>;
  toolCallNames?: ReadonlyMap<number, string>;
  toolCallIds?: ReadonlyMap<number, string>;
}

export interface WireAdapter {
  /** Stable id, used as the `route` label (`openai.chat`). */
  readonly id: string;
  readonly operation: Operation;
  /**
   * Whether this adapter owns a request. `path` is what remains after the upstream prefix,
   * without the query string (`/v1/chat/completions`, or a deployment path ending the same way).
   */
  matches(method: string, path: string): boolean;
  /** Reads what the proxy needs from the client's JSON body. Never throws. */
  parseRequest(body: unknown): RequestInfo;
  /** The stream framing of a successful upstream response with this content type, or undefined. */
  streamFraming(contentType: string): Framing | undefined;
  /** A complete (non-streamed) response body; undefined when it is not this format. */
  parseResponse(body: unknown): NormalisedResponse | undefined;
  /**
   * A parser for the frames of one stream (it may keep per-stream state). It returns the
   * frame's events, or undefined when the frame is malformed for this format.
   */
  streamParser(): FrameParser;
  /**
   * A complete response body with edited choices (redaction): the parsed body in, a new body
   * out (the caller serialises it). Fields the edits do not name stay as they were.
   */
  rewriteResponse(body: unknown, edits: readonly ChoiceEdit[]): unknown;
  /**
   * Re-renders one stream frame with new text for a choice and/or new arguments for tool
   * calls of that choice (by call index), as a complete frame ready to write (streaming
   * redaction). Everything else in the frame stays as it was.
   */
  rewriteFrame(frame: Frame, choice: number, edit: FrameEdit): string;
  /**
   * Re-renders one frame with edits for several choices at once (formats whose frames carry
   * more than one choice). Without it, only one choice's edit is applied per frame.
   */
  rewriteFrameChoices?(frame: Frame, edits: ReadonlyMap<number, FrameEdit>): string;
  /** A complete error response body in this format. */
  errorBody(err: WireError): string;
  /**
   * An in-band error frame for a stream in this format, ready to write after a complete frame,
   * shaped as the provider's own stream error event (which the SDKs raise as an error).
   * `at` says where the stream stands (formats that number their events need it).
   */
  streamError(err: WireError, at?: StreamPosition): string;
  /**
   * True when the stream has frames that repeat the output (`snapshot` events): the gate then
   * keeps what the client was sent, to re-render them after a redaction.
   */
  readonly snapshots?: boolean;
  /** True when a well-formed stream always ends with an explicit `done` event. */
  readonly streamHasTerminator: boolean;
  /** A canary's request body for this format: its request with the model, not streamed. */
  canaryRequest(model: string, request: object): object;
  /**
   * A canary request body (from `canaryRequest`) that also asks for the log probabilities of
   * the first `tokens` output tokens with `topK` alternatives each; a limit on output tokens
   * the request sets stays. Absent: the format cannot return log probabilities.
   */
  canaryLogprobs?(body: object, o: { topK: number; tokens: number }): object;
  /** Headers a canary request of this format needs (an API version), if any. */
  readonly canaryHeaders?: Readonly<Record<string, string>>;
}
