/**
 * The normalised shape of one model exchange. Every wire adapter turns its provider's
 * request, response and stream events into these types, so that policies, canaries and
 * telemetry never see a vendor format.
 */

/** `gen_ai.operation.name` values (OpenTelemetry GenAI semantic conventions). */
export type Operation = 'chat' | 'text_completion' | 'embeddings' | 'generate_content';

/** A tool the client offered the model in its request. */
export interface ToolDeclaration {
  name: string;
  /** The JSON Schema of the tool's arguments, as the client declared it (unvalidated). */
  parameters: unknown;
}

/** What the proxy learns from a client request body. Lenient: missing fields stay undefined. */
export interface RequestInfo {
  operation: Operation;
  /** The model the client asked for. Client-controlled: never use as an unbounded label. */
  model: string | undefined;
  /** True when the client asked for a streamed response. */
  stream: boolean;
  /** Concatenated system / developer instructions, if any. */
  systemPrompt: string | undefined;
  tools: readonly ToolDeclaration[];
  /** The JSON Schema of a structured-output request (`response_format`), if any. */
  responseSchema: unknown;
  /** Number of choices requested (`n`), 1 by default. */
  choices: number;
}

export interface ToolCall {
  id: string | undefined;
  name: string;
  /** The arguments exactly as the model produced them (a JSON text, maybe invalid). */
  arguments: string;
}

/** One output token with its log probability, as the upstream reported it. */
export interface TokenLogprob {
  token: string;
  /** Natural log of the token's probability. */
  logprob: number;
  /** The most likely tokens at this place, the chosen one usually among them (as many as asked for). */
  top: { token: string; logprob: number }[];
}

export interface Choice {
  index: number;
  /** The answer's content text. */
  text: string;
  /**
   * Further output texts the client reads, checked on their own by the rules that find
   * spans (see `TextField`): a refusal, the model's reasoning, and the transcript of an audio
   * answer, when the format has them.
   */
  refusal?: string | undefined;
  reasoning?: string | undefined;
  transcript?: string | undefined;
  toolCalls: ToolCall[];
  /** Provider's own finish reason (`stop`, `length`, `tool_calls`, `content_filter`, …). */
  finishReason: string | undefined;
  /**
   * The content's tokens with their log probabilities and alternatives, when the upstream
   * returned them (asked for with OpenAI's `logprobs`); what logprob canaries compare.
   */
  logprobs?: TokenLogprob[] | undefined;
  /** Embeddings: the vector this "choice" is (one per input); text is empty. */
  vector?: ArrayLike<number> | undefined;
  /**
   * Characters of text after `text` that the proxy did not keep: a stream keeps a bounded
   * prefix of each choice for the end-of-stream evaluation (`checks.max_scan_chars`).
   */
  omittedChars?: number | undefined;
  /** …and likewise after `refusal`, `reasoning` and `transcript`. */
  omittedRefusalChars?: number | undefined;
  omittedReasoningChars?: number | undefined;
  omittedTranscriptChars?: number | undefined;
}

export interface Usage {
  inputTokens: number | undefined;
  outputTokens: number | undefined;
}

export interface NormalisedResponse {
  id: string | undefined;
  /** The model the upstream says answered (not the one requested). */
  model: string | undefined;
  /** `system_fingerprint` or the provider's equivalent. */
  fingerprint: string | undefined;
  choices: Choice[];
  usage: Usage | undefined;
}

/**
 * Which output text of a choice: its content, its refusal, its reasoning (`reasoning_content`
 * / `reasoning`), or the transcript of its audio (`audio.transcript`; the audio itself is not
 * checked). Content is checked by every rule; the other fields by the rules whose checks find
 * spans (those that can redact: secrets, PII, exfiltration, …), since whole-answer checks
 * (schemas, lengths) judge the answer, not a refusal, reasoning or transcript.
 */
export type TextField = 'content' | 'refusal' | 'reasoning' | 'transcript';

/** A change to one choice of a response (redaction), applied by the adapter to wire format. */
export interface ChoiceEdit {
  choice: number;
  /** The new text, when it changed. */
  text: string | undefined;
  /** The new refusal / reasoning / transcript text, when it changed. */
  refusal?: string | undefined;
  reasoning?: string | undefined;
  transcript?: string | undefined;
  /** New tool-call names and ids by tool-call index, when they changed. */
  toolCallNames?: ReadonlyMap<number, string> | undefined;
  toolCallIds?: ReadonlyMap<number, string> | undefined;
  /** New arguments by tool-call index, when they changed. */
  toolCallArguments: ReadonlyMap<number, string>;
}

export function emptyResponse(): NormalisedResponse {
  return { id: undefined, model: undefined, fingerprint: undefined, choices: [], usage: undefined };
}
