/**
 * Tool calls in a stream are checked once each is complete: every gate rule on the calls'
 * arguments, and the span rules on each call's name and id (texts a client reads too).
 */
import type { RequestInfo } from '../model/exchange.js';
import type { RuleResult } from '../model/verdict.js';
import { runCheck } from './checks/types.js';
import type { GateRule } from './gate-rules.js';
import { blockResult } from './gate-rules.js';
import { redactText } from './redact.js';
import type { Labelled } from './redact.js';

/** Tool calls are checked once complete: a block, or the redacted arguments by call index. */
export function checkToolCalls(
  rules: readonly GateRule[],
  request: RequestInfo,
  choice: number,
  calls: readonly { id: string | undefined; name: string; arguments: string }[],
): {
  blocked: RuleResult | undefined;
  args: Map<number, string>;
  names: Map<number, string>;
  ids: Map<number, string>;
} {
  const args = new Map<number, string>();
  const names = new Map<number, string>();
  const ids = new Map<number, string>();
  const redactions = new Map<number, Labelled[]>();
  const nameSpans = new Map<number, Labelled[]>();
  const idSpans = new Map<number, Labelled[]>();
  // Names and ids are texts the client reads: the span rules check each on its own.
  for (const r of rules) {
    if (!r.spans) continue;
    for (const [i, c] of calls.entries())
      for (const [field, out] of [
        ['name', nameSpans],
        ['id', idSpans],
      ] as const) {
        const text = field === 'name' ? c.name : c.id;
        if (!text) continue;
        const o = runCheck(r.instance, { text, toolCalls: [], finishReason: undefined, request });
        if (o.status === 'error' && r.onError === 'closed')
          return { blocked: blockResult(r, choice, 'error', o.message), args, names, ids };
        if (o.status !== 'fail') continue;
        if (r.action === 'block')
          return { blocked: blockResult(r, choice, 'fail', o.detail), args, names, ids };
        const spans = o.spans.filter((x) => x.toolCall === undefined);
        out.set(i, [
          ...(out.get(i) ?? []),
          ...spans.map((x) => ({ start: x.start, end: x.end, rule: r.rule, replace: x.replace })),
        ]);
      }
  }
  for (const [i, rs] of nameSpans) if (rs.length) names.set(i, redactText(calls[i]!.name, rs));
  for (const [i, rs] of idSpans) if (rs.length) ids.set(i, redactText(calls[i]!.id ?? '', rs));
  for (const r of rules) {
    const out = runCheck(r.instance, {
      text: '',
      toolCalls: calls,
      finishReason: undefined,
      request,
    });
    if (out.status === 'error' && r.onError === 'closed')
      return { blocked: blockResult(r, choice, 'error', out.message), args, names, ids };
    if (out.status !== 'fail') continue;
    const spans = out.spans.filter((s) => s.toolCall !== undefined);
    if (r.action === 'block' || spans.length === 0) {
      if (r.action === 'block')
        return { blocked: blockResult(r, choice, 'fail', out.detail), args, names, ids };
      continue;
    }
    for (const s of spans)
      redactions.set(s.toolCall!, [
        ...(redactions.get(s.toolCall!) ?? []),
        { start: s.start, end: s.end, rule: r.rule, replace: s.replace },
      ]);
  }
  for (const [i, rs] of redactions) args.set(i, redactText(calls[i]!.arguments, rs));
  return { blocked: undefined, args, names, ids };
}
