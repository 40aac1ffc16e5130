/** Redaction: the enforced `redact` spans of a choice replaced by `[REDACTED:<rule-id>]`. */
import type { Choice, ChoiceEdit } from '../model/exchange.js';
import type { RuleResult, Span } from '../model/verdict.js';

export interface Labelled {
  start: number;
  end: number;
  rule: string;
  replace?: string | undefined;
}

/** Render order: by start, the longer of two spans first. */
export function byStart(x: Labelled, y: Labelled): number {
  return x.start - y.start || y.end - x.end;
}

/**
 * The text of [from, to) with the spans replaced. Overlapping spans merge; a span gets its
 * marker (`[REDACTED:<rule-id>]`, or its own `replace`) only where it starts inside the range
 * and after the text already replaced, so consecutive ranges of one text render consistently
 * (streams redact frame by frame).
 */
export function redactRange(
  text: string,
  spans: readonly Labelled[],
  from = 0,
  to = text.length,
): { text: string; changed: boolean } {
  return redactSorted({
    slice: (a, b) => text.slice(a, b),
    spans: [...spans].sort(byStart),
    from,
    to,
  });
}

export interface SortedRange {
  /** The text of [a, b), in the spans' offsets. */
  slice(a: number, b: number): string;
  /** In render order (`byStart`); only those from index `first` on are looked at. */
  spans: readonly Labelled[];
  first?: number;
  from: number;
  to: number;
}

/**
 * `redactRange` for spans already in render order: the cost is that of the spans starting
 * before `to` (from `first` on), not of all of them.
 */
export function redactSorted(o: SortedRange): { text: string; changed: boolean } {
  const { spans, from, to } = o;
  let out = '';
  let pos = from;
  let changed = false;
  for (let i = o.first ?? 0; i < spans.length; i++) {
    const r = spans[i]!;
    if (r.start >= to) break;
    if (r.end <= from || r.end <= pos) continue;
    changed = true;
    out += o.slice(pos, Math.max(r.start, pos));
    if (r.start >= from && r.start >= pos) out += r.replace ?? `[REDACTED:${r.rule}]`;
    pos = Math.max(pos, Math.min(r.end, to));
  }
  return { text: changed ? out + o.slice(pos, to) : o.slice(from, to), changed };
}

/** Replaces spans in the whole text (merged where they overlap; the earliest-starting span names the rule). */
export function redactText(text: string, spans: readonly Labelled[]): string {
  return redactRange(text, spans).text;
}

function spansOf(
  results: readonly RuleResult[],
  choice: number,
  target: (s: Span) => boolean,
): Labelled[] {
  const out: Labelled[] = [];
  for (const r of results) {
    if (r.choice !== choice || r.status !== 'fail' || r.mode !== 'enforce' || r.action !== 'redact')
      continue;
    for (const s of r.spans)
      if (target(s)) out.push({ start: s.start, end: s.end, rule: r.rule, replace: s.replace });
  }
  return out;
}

export function redactChoices(
  choices: readonly Choice[],
  results: readonly RuleResult[],
): ChoiceEdit[] {
  const edits: ChoiceEdit[] = [];
  for (const c of choices) {
    if (!c) continue;
    const textSpans = spansOf(
      results,
      c.index,
      (s) => s.toolCall === undefined && s.field === undefined,
    );
    const args = new Map<number, string>();
    const names = new Map<number, string>();
    const ids = new Map<number, string>();
    c.toolCalls.forEach((call, i) => {
      const s = spansOf(results, c.index, (x) => x.toolCall === i && x.field === undefined);
      if (s.length) args.set(i, redactText(call.arguments, s));
      const n = spansOf(results, c.index, (x) => x.toolCall === i && x.field === 'name');
      if (n.length) names.set(i, redactText(call.name, n));
      const d = spansOf(results, c.index, (x) => x.toolCall === i && x.field === 'id');
      if (d.length && call.id !== undefined) ids.set(i, redactText(call.id, d));
    });
    const other = (field: 'refusal' | 'reasoning' | 'transcript', text: string | undefined) => {
      const s = spansOf(results, c.index, (x) => x.field === field);
      return s.length && text !== undefined ? redactText(text, s) : undefined;
    };
    const refusal = other('refusal', c.refusal);
    const reasoning = other('reasoning', c.reasoning);
    const transcript = other('transcript', c.transcript);
    if (
      textSpans.length ||
      args.size ||
      names.size ||
      ids.size ||
      refusal !== undefined ||
      reasoning !== undefined ||
      transcript !== undefined
    ) {
      const e: ChoiceEdit = {
        choice: c.index,
        text: textSpans.length ? redactText(c.text, textSpans) : undefined,
        toolCallArguments: args,
      };
      if (refusal !== undefined) e.refusal = refusal;
      if (reasoning !== undefined) e.reasoning = reasoning;
      if (transcript !== undefined) e.transcript = transcript;
      if (names.size) e.toolCallNames = names;
      if (ids.size) e.toolCallIds = ids;
      edits.push(e);
    }
  }
  return edits;
}
