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
  /** The choice's refusal text (a format with a refusal field), when it has one. */
  refusal?: string | undefined;
  /** Embeddings responses: the vector being checked. */
  vector?: ArrayLike<number> | undefined;
  /** Characters of text after `text` that were not kept (a long stream) or are not scanned. */
  omittedChars?: number | undefined;
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
  /**
   * What the gate does when a match through this trigger may still be growing past `maxSpan`
   * (its settle test still fails): absent, the hold ends and the text is released; `fail`,
   * the rule fails closed — `block` blocks the stream, `redact` redacts the trigger's own text,
   * for a trigger that opens a construct (`<`, `](`) which cannot render without it. For
   * checks that judge constructs as a renderer would: padding past the hold must not smuggle
   * one through.
   */
  expire?: 'fail';
}

export interface StreamSpec {
  /** Undefined: a match can begin anywhere, so the last `window` characters are held. */
  triggers?: readonly Trigger[];
}

export interface Check {
  /**
   * Evaluates one complete choice. Must not throw on any input (a throw is an `error`, which
   * `on_error: open` skips) and must stay linear in the input's length.
   */
  evaluate(input: CheckInput): CheckOutcome;
  /** How to hold back a stream for this check; absent: hold the configured window. */
  stream?: StreamSpec;
  /**
   * What content the check reads (absent: all of it). The engine scans at most
   * `checks.max_scan_chars` characters of the text and of each tool call's arguments; when it
   * cuts something the check reads, the unscanned remainder fails the rule. A function is
   * asked with the whole choice (a check whose reading depends on the request).
   */
  reads?: Reads | ((input: CheckInput) => Reads);
}

export interface Reads {
  /**
   * Leading characters of the text read (absent: all). Within the scan limit, the check sees
   * the whole choice and nothing is unscanned; 0: only metadata (finish reason, vector,
   * request) or lengths.
   */
  text?: number;
  /** Whether the check reads tool calls' arguments (default true). */
  toolCallArguments?: boolean;
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
      // Literals of fixed shape: hostile text can hold hundreds of thousands of findings.
      const { start, end, replace } = f;
      spans.push(
        toolCall === undefined
          ? replace === undefined
            ? { start, end }
            : { start, end, replace }
          : replace === undefined
            ? { start, end, toolCall }
            : { start, end, toolCall, replace },
      );
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
