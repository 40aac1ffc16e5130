/**
 * What the policy engine concluded about one response. Stamped with the version of the policy
 * set that produced it. Never carries the matched text.
 */

export type Action = 'block' | 'redact' | 'flag';
export type Decision = 'pass' | Action;
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export type PolicyMode = 'enforce' | 'shadow';

/** A matched range, in UTF-16 code units, of a choice's text or of one tool call's arguments. */
export interface Span {
  start: number;
  end: number;
  /** Index of the tool call whose arguments the span is in; undefined for the text. */
  toolCall?: number;
  /**
   * The text the span is in when it is not the content (or the tool call's arguments):
   * `refusal` / `reasoning` / `transcript`, or a tool call's `name` / `id` (with `toolCall`).
   */
  field?: 'refusal' | 'reasoning' | 'transcript' | 'name' | 'id';
  /** What redaction puts in its place; default `[REDACTED:<rule-id>]` (invisible characters: `''`). */
  replace?: string;
}

export interface RuleResult {
  policy: string;
  rule: string;
  check: string;
  /** What was done, or in shadow mode what would have been done. */
  action: Action;
  severity: Severity;
  mode: PolicyMode;
  status: 'pass' | 'fail' | 'error';
  choice: number;
  /** Spans to redact (fail results of span-finding checks). */
  spans: Span[];
  /**
   * SHA-256 (hex) of the text of each span the check matched (the first `MAX_MATCH_DIGESTS`), so
   * that an audit can tie a decision to a known value without keeping it; fail results only.
   */
  matched?: string[];
  /** Why it failed or errored, in words that never quote the output. */
  detail: string | undefined;
  durationSeconds: number;
  /**
   * The check ran past `checks.time_budget`. Its result stands (checks are synchronous: an
   * overrun has finished); set only when true, for telemetry to count overruns.
   */
  overBudget?: true;
}

export interface Verdict {
  decision: Decision;
  policyVersion: string;
  results: RuleResult[];
  /** The result that decided a block, for the block message. */
  blockedBy: RuleResult | undefined;
}

const RANK: Record<Decision, number> = { pass: 0, flag: 1, redact: 2, block: 3 };

export function stronger(a: Decision, b: Decision): Decision {
  return RANK[b] > RANK[a] ? b : a;
}
