/** Redaction: the enforced `redact` spans of a choice replaced by `[REDACTED:<rule-id>]`. */
import type { Choice, ChoiceEdit } from '../model/exchange.js';
import type { RuleResult, Span } from '../model/verdict.js';

export interface Labelled {
  start: number;
  end: number;
  rule: string;
  replace?: string | undefined;
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
  let out = '';
  let pos = from;
  let changed = false;
  for (const r of [...spans].sort((x, y) => x.start - y.start || y.end - x.end)) {
    if (r.end <= from || r.start >= to || r.end <= pos) continue;
    changed = true;
    out += text.slice(pos, Math.max(r.start, pos));
    if (r.start >= from && r.start >= pos) out += r.replace ?? `[REDACTED:${r.rule}]`;
    pos = Math.max(pos, Math.min(r.end, to));
  }
  return { text: out + text.slice(pos, to), changed };
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
    const textSpans = spansOf(results, c.index, (s) => s.toolCall === undefined);
    const args = new Map<number, string>();
    c.toolCalls.forEach((call, i) => {
      const s = spansOf(results, c.index, (x) => x.toolCall === i);
      if (s.length) args.set(i, redactText(call.arguments, s));
    });
    if (textSpans.length || args.size)
      edits.push({
        choice: c.index,
        text: textSpans.length ? redactText(c.text, textSpans) : undefined,
        toolCallArguments: args,
      });
  }
  return edits;
}
