/**
 * The policy engine: selects the policies whose `match` holds, runs every rule on every
 * choice, and folds the results into one verdict (strongest action wins; shadow policies
 * are recorded, never enforced).
 *
 * Content cannot switch a rule off. Two conditions content controls are decided by the rule's
 * own action, never by `on_error`: an output longer than `checks.max_scan_chars` is scanned up
 * to the limit and the unscanned remainder fails the rule (`redact` redacts it as one span);
 * a check slower than `checks.time_budget` keeps the result it found (checks are synchronous,
 * so an overrun has finished) and is marked `overBudget`. Only a check that throws — a genuine
 * internal error — is an `error`, handled by its policy's `on_error`.
 */
import type { Choice, NormalisedResponse, RequestInfo, ToolCall } from '../model/exchange.js';
import type { Decision, RuleResult, Span, Verdict } from '../model/verdict.js';
import { stronger } from '../model/verdict.js';
import type { Check, CheckInput, CheckOutcome } from './checks/types.js';
import { runCheck } from './checks/types.js';
import type { CompiledPolicy, PolicySet } from './compiled.js';
import { checks } from './checks/registry.js';
import { isHighSurrogate } from './checks/support/chars.js';
import { MAX_MATCH_DIGESTS, matchDigests } from './match-digest.js';

/** Checks that find spans (those that can redact): the ones that also read the other texts. */
const SPAN_CHECKS: ReadonlySet<string> = new Set(
  checks.filter((c) => c.actions.includes('redact')).map((c) => c.id),
);

type Field = NonNullable<Span['field']>;

/**
 * The texts of a choice other than its content and arguments, each checked as a choice of its
 * own by the span-finding rules: refusal, reasoning, audio transcript, and each tool call's
 * name and id.
 */
function otherTexts(choice: Choice): { choice: Choice; field: Field; toolCall?: number }[] {
  const out: { choice: Choice; field: Field; toolCall?: number }[] = [];
  const as = (text: string, omittedChars?: number): Choice => ({
    index: choice.index,
    text,
    toolCalls: [],
    finishReason: choice.finishReason,
    omittedChars,
  });
  // A stream keeps a bounded prefix of each text: the rest counts as unscanned, as for content.
  if (choice.refusal)
    out.push({ choice: as(choice.refusal, choice.omittedRefusalChars), field: 'refusal' });
  if (choice.reasoning)
    out.push({ choice: as(choice.reasoning, choice.omittedReasoningChars), field: 'reasoning' });
  if (choice.transcript)
    out.push({
      choice: as(choice.transcript, choice.omittedTranscriptChars),
      field: 'transcript',
    });
  choice.toolCalls.forEach((c, i) => {
    if (c?.name) out.push({ choice: as(c.name), field: 'name', toolCall: i });
    if (c?.id) out.push({ choice: as(c.id), field: 'id', toolCall: i });
  });
  return out;
}

export interface EvaluateContext {
  upstream: string;
  request: RequestInfo;
  response: NormalisedResponse;
}

export interface EngineLimits {
  /**
   * Characters of a choice's text, and of each tool call's arguments, that checks scan. The
   * unscanned remainder fails every rule whose check reads content, with the rule's action.
   */
  maxScanChars: number;
  /** A check slower than this keeps its result, marked `overBudget` (checks are synchronous). */
  budgetMs: number;
}

export function selectPolicies(
  set: PolicySet,
  upstream: string,
  model: string | undefined,
): CompiledPolicy[] {
  return set.policies.filter(
    (p) =>
      (!p.upstreams || p.upstreams.has(upstream)) &&
      (!p.models || (model !== undefined && p.models.some((re) => re.test(model)))),
  );
}

/** How far back from the limit the remainder may start, to take a straddling token whole. */
const TOKEN_BACKOFF = 4096;
/** A character no credential or token contains (as the secret detectors' TOKEN_END). */
const isTokenEnd = (c: number) =>
  !(
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x5f || // _
    c === 0x2d || // -
    c === 0x2e || // .
    c === 0x2f || // /
    c === 0x2b || // +
    c === 0x3d || // =
    c === 0x7e // ~
  );

/**
 * Where the unscanned remainder of `s` starts when it is longer than `max`: at `max`, or
 * earlier at the start of the token that straddles it (a key cut in two would show its first
 * part), and never inside a surrogate pair.
 */
export function scanCut(s: string, max: number): number {
  if (s.length <= max) return s.length;
  for (let i = max; i > 0 && i > max - TOKEN_BACKOFF; i--) {
    const c = s.charCodeAt(i - 1);
    if (isTokenEnd(c) && !isHighSurrogate(c)) return i;
  }
  const c = s.charCodeAt(max - 1);
  return max > 0 && isHighSurrogate(c) ? max - 1 : max;
}

/** A choice as the checks see it, bounded to the scan limit, and what was left unscanned. */
interface Bounded {
  input: CheckInput;
  /** Characters of text not scanned (including stream text the proxy did not keep). */
  textUnscanned: number;
  /** The span of the unscanned text, if any of it is in the choice. */
  textRemainder: Span | undefined;
  /** Characters of tool-call arguments not scanned, and their spans. */
  argsUnscanned: number;
  argsRemainder: Span[];
  /** Characters of the choice's content in all. */
  total: number;
}

function bound(choice: Choice, request: RequestInfo, max: number): Bounded {
  const textCut = scanCut(choice.text, max);
  const textUnscanned = choice.text.length - textCut + (choice.omittedChars ?? 0);
  const argsRemainder: Span[] = [];
  let argsUnscanned = 0;
  let total = choice.text.length + (choice.omittedChars ?? 0);
  const toolCalls: ToolCall[] = choice.toolCalls.map((c, i) => {
    total += c.arguments.length;
    const cut = scanCut(c.arguments, max);
    if (cut === c.arguments.length) return c;
    argsRemainder.push({ start: cut, end: c.arguments.length, toolCall: i });
    argsUnscanned += c.arguments.length - cut;
    return { ...c, arguments: c.arguments.slice(0, cut) };
  });
  return {
    input: {
      text: choice.text.slice(0, textCut),
      toolCalls,
      finishReason: choice.finishReason,
      request,
      refusal: choice.refusal,
      vector: choice.vector,
      omittedChars: textUnscanned || undefined,
    },
    textUnscanned,
    textRemainder:
      textCut < choice.text.length ? { start: textCut, end: choice.text.length } : undefined,
    argsUnscanned,
    argsRemainder,
    total,
  };
}

/**
 * What of the unscanned content a check would have read: the characters and their spans.
 * None for a check that reads only a prefix of the text within the limit, or no arguments.
 */
function unscannedFor(
  check: Check,
  whole: CheckInput,
  b: Bounded,
  max: number,
): { chars: number; spans: Span[] } {
  const reads = typeof check.reads === 'function' ? check.reads(whole) : check.reads;
  const text = (reads?.text ?? Infinity) > max ? b.textUnscanned : 0;
  const args = (reads?.toolCallArguments ?? true) ? b.argsUnscanned : 0;
  const spans: Span[] = [];
  if (text && b.textRemainder) spans.push(b.textRemainder);
  if (args) spans.push(...b.argsRemainder);
  return { chars: text + args, spans };
}

export function evaluate(set: PolicySet, ctx: EvaluateContext, limits: EngineLimits): Verdict {
  const results: RuleResult[] = [];
  let decision: Decision = 'pass';
  let blockedBy: RuleResult | undefined;

  for (const policy of selectPolicies(set, ctx.upstream, ctx.request.model)) {
    const inputs: { choice: Choice; field?: Field; toolCall?: number }[] = [];
    for (const choice of ctx.response.choices) {
      if (!choice) continue;
      inputs.push({ choice }, ...otherTexts(choice));
    }
    /** Per choice and rule, the content's result, which the other texts' findings join. */
    const main = new Map<string, RuleResult>();
    for (const { choice, field, toolCall } of inputs) {
      const whole: CheckInput = {
        text: choice.text,
        toolCalls: choice.toolCalls,
        finishReason: choice.finishReason,
        request: ctx.request,
        refusal: choice.refusal,
        vector: choice.vector,
        omittedChars: choice.omittedChars,
      };
      const bounded = bound(choice, ctx.request, limits.maxScanChars);
      const over = bounded.textUnscanned + bounded.argsUnscanned > 0;
      for (const rule of policy.rules) {
        if (field !== undefined && !SPAN_CHECKS.has(rule.check)) continue;
        if (field === 'reasoning' && rule.reasoning === false) continue;
        const unscanned = over
          ? unscannedFor(rule.instance, whole, bounded, limits.maxScanChars)
          : { chars: 0, spans: [] };
        const partial = unscanned.chars > 0;
        const t0 = performance.now();
        const out: CheckOutcome = runCheck(rule.instance, partial ? bounded.input : whole);
        const ms = performance.now() - t0;
        // Content over the scan limit fails the rule with its action, whatever the scanned part
        // gave; a check that also threw still counts under on_error (closed: block).
        const errored = out.status === 'error';
        const status = partial ? 'fail' : out.status;
        const found = out.status === 'fail' ? out.spans : [];
        const tag = (s: Span): Span => {
          if (field === undefined) return s;
          const t: Span = { ...s, field };
          if (toolCall !== undefined) t.toolCall = toolCall;
          else delete t.toolCall;
          return t;
        };
        const spans = field === undefined ? found : found.map(tag);
        const details = [
          partial &&
            `output of ${bounded.total} characters exceeds the ${limits.maxScanChars}-character scan limit: the unscanned ${unscanned.chars} characters fail the rule`,
          out.status === 'fail' ? out.detail : errored ? out.message : undefined,
        ].filter((d): d is string => typeof d === 'string');
        const r: RuleResult = {
          policy: policy.name,
          rule: rule.id,
          check: rule.check,
          action: rule.action,
          severity: rule.severity,
          mode: policy.mode,
          status,
          choice: choice.index,
          spans: partial ? [...spans, ...unscanned.spans.map(tag)] : spans,
          detail: details.length ? details.join('; ') : undefined,
          durationSeconds: ms / 1000,
        };
        if (ms > limits.budgetMs) r.overBudget = true;
        if (found.length) r.matched = matchDigests(found, choice.text, whole.toolCalls);
        const key = `${choice.index}\u0000${rule.id}`;
        const into = field === undefined ? undefined : main.get(key);
        if (field === undefined) {
          main.set(key, r);
          results.push(r);
        } else if (r.status === 'pass') continue;
        else if (into) {
          // One result per rule and choice: a finding in another text joins the content's.
          into.spans = [...into.spans, ...r.spans];
          if (r.matched)
            into.matched = [...(into.matched ?? []), ...r.matched].slice(0, MAX_MATCH_DIGESTS);
          if (into.status === 'pass' || r.status === 'fail') into.status = r.status;
          into.detail = [into.detail, r.detail && `${field}: ${r.detail}`]
            .filter(Boolean)
            .join('; ');
          into.durationSeconds += r.durationSeconds;
          if (r.overBudget) into.overBudget = true;
        } else results.push(r);
        if (policy.mode === 'shadow') continue;
        const effect = stronger(
          status === 'fail' ? rule.action : 'pass',
          errored && policy.onError === 'closed' ? 'block' : 'pass',
        );
        decision = stronger(decision, effect);
        if (effect === 'block') blockedBy ??= into ?? r;
      }
    }
  }
  return { decision, policyVersion: set.version, results, blockedBy };
}

/** The block message: names policy and rule, never the matched content. */
export function blockMessage(r: RuleResult): string {
  if (r.status === 'error') {
    return `Coalmine could not check this response: policy "${r.policy}" rule "${r.rule}" failed to evaluate and the policy fails closed`;
  }
  return `Coalmine blocked this response: policy "${r.policy}" rule "${r.rule}" (severity ${r.severity})`;
}
