/** Redaction: the enforced `redact` spans of a choice replaced by `[REDACTED:<rule-id>]`. */
import type { Choice, ChoiceEdit } from '../model/exchange.js';
import type { RuleResult, Span } from '../model/verdict.js';

interface Labelled {
  start: number;
  end: number;
  rule: string;
  replace?: string | undefined;
}

/** Replaces spans (merged where they overlap; the earliest-starting span names the rule). */
export function redactText(text: string, spans: readonly Labelled[]): string {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let pos = 0;
  let i = 0;
  while (i < sorted.length) {
    const first = sorted[i]!;
    let end = first.end;
    while (++i < sorted.length && sorted[i]!.start < end) end = Math.max(end, sorted[i]!.end);
    const start = Math.max(first.start, pos);
    out += text.slice(pos, start) + (first.replace ?? `[REDACTED:${first.rule}]`);
    pos = Math.max(pos, end);
  }
  return out + text.slice(pos);
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
