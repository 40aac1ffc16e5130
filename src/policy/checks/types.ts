/**
 * The contract of a check: a small pure unit with a zod params schema (its manifest). A new
 * check is one file exporting a `CheckDefinition`, one line in `registry.ts`, one test file.
 */
import type { z } from 'zod';
import type { RequestInfo, ToolCall } from '../../model/exchange.js';
import type { Action, Span } from '../../model/verdict.js';

/** One complete choice of a response, with the request it answers. */
export interface CheckInput {
  text: string;
  toolCalls: readonly ToolCall[];
  finishReason: string | undefined;
  request: RequestInfo;
  /** Embeddings responses: the vector being checked. */
  vector?: ArrayLike<number> | undefined;
}

export type CheckOutcome =
  | { status: 'pass' }
  /** `spans` locate what matched (for redaction); `detail` describes it without quoting it. */
  | { status: 'fail'; spans: Span[]; detail: string }
  | { status: 'error'; message: string };

/**
 * Where a match can begin, for streaming hold-back: a match contains a trigger, starts at
 * most `lead` characters before it and spans at most `maxSpan` characters from its start.
 * Once `settle` matches after a trigger, a match through that trigger is complete.
 */
export interface Trigger {
  /** Lower-case literal (compared case-insensitively) or a one-character class. */
  text: string | RegExp;
  lead: number;
  maxSpan: number;
  settle?: RegExp;
}

export interface StreamSpec {
  /** Undefined: a match can begin anywhere, so the last `window` characters are held. */
  triggers?: readonly Trigger[];
}

export interface Check {
  /** Evaluates one complete choice. Should not throw; the engine turns a throw into `error`. */
  evaluate(input: CheckInput): CheckOutcome;
  /** How to hold back a stream for this check; absent: hold the configured window. */
  stream?: StreamSpec;
}

export interface CheckDefinition<S extends z.ZodType = z.ZodType> {
  /** The id used in policies (`check: regex`). */
  id: string;
  /** One line for the generated docs table. */
  summary: string;
  /** Validates `params` in policy files; its output is what `create` receives. */
  params: S;
  /** Actions this check supports; `redact` only for checks that report spans. */
  actions: readonly Action[];
  /** Compiles a rule's params once, at load. */
  create(params: z.output<S>): Check;
}

/** Runs a check; a throw becomes an `error` outcome whose message never quotes the output. */
export function runCheck(check: Check, input: CheckInput): CheckOutcome {
  try {
    return check.evaluate(input);
  } catch (e) {
    return {
      status: 'error',
      message: `check failed with ${e instanceof Error ? e.name : 'an exception'}`,
    };
  }
}

/** Keeps the params type of a definition tied to its schema. */
export function defineCheck<S extends z.ZodType>(def: CheckDefinition<S>): CheckDefinition {
  return def;
}

export const PASS: CheckOutcome = { status: 'pass' };

/** A finding in one string: its range, what kind it is, and what redaction puts there. */
export interface Finding {
  start: number;
  end: number;
  kind: string;
  replace?: string;
}

/**
 * Runs `find` on the text and on each tool call's arguments; returns the spans (tool-call
 * spans tagged with their call) and the kinds found, for a detail that quotes nothing.
 */
export function collectSpans(
  input: CheckInput,
  find: (text: string) => readonly Finding[],
): { spans: Span[]; kinds: Set<string> } {
  const spans: Span[] = [];
  const kinds = new Set<string>();
  const scan = (text: string, toolCall?: number) => {
    for (const f of find(text)) {
      kinds.add(f.kind);
      const span: Span = { start: f.start, end: f.end };
      if (toolCall !== undefined) span.toolCall = toolCall;
      if (f.replace !== undefined) span.replace = f.replace;
      spans.push(span);
    }
  };
  scan(input.text);
  input.toolCalls.forEach((c, i) => scan(c.arguments, i));
  return { spans, kinds };
}

/** Spans of `re` (compiled with `g`) in `text`, plus the same in each tool call's arguments. */
export function findSpans(re: RegExp, input: CheckInput, limit: number): Span[] {
  const spans: Span[] = [];
  const scan = (s: string, toolCall: number | undefined) => {
    re.lastIndex = 0;
    for (let m = re.exec(s); m && spans.length < limit; m = re.exec(s)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      spans.push(
        toolCall === undefined
          ? { start: m.index, end: m.index + m[0].length }
          : { start: m.index, end: m.index + m[0].length, toolCall },
      );
    }
  };
  scan(input.text, undefined);
  input.toolCalls.forEach((c, i) => scan(c.arguments, i));
  return spans;
}
