/**
 * `secrets`: provider credentials and keys (the detectors, family by family, are listed in
 * secrets/detectors.ts), placeholders excepted.
 */
import { z } from 'zod';
import { detectors, entropyOk, TOKEN_END } from './secrets/detectors.js';
import type { Detector } from './secrets/detectors.js';
import { keywordScanner } from './secrets/keywords.js';
import type { KeywordScanner } from './secrets/keywords.js';
import { isPlaceholder } from './secrets/placeholder.js';
import { collectSpans, defineCheck, PASS } from './types.js';
import { onSkeleton } from './support/ignorable.js';
import type { StreamSpec, Trigger } from './types.js';

const ids = detectors.map((d) => d.id) as [string, ...string[]];

const params = z.strictObject({
  /** Detectors to run (default: all). */
  detectors: z.array(z.enum(ids)).min(1).optional(),
  /** Detectors to skip. */
  exclude: z.array(z.enum(ids)).default([]),
  /** Exact values never reported (known test keys, public client ids). */
  allow: z.array(z.string().min(1)).default([]),
});

export interface SecretFinding {
  detector: string;
  start: number;
  end: number;
}

/** Per set of active detectors: its keyword scanner and each detector's place in the set. */
const scanners = new WeakMap<
  readonly Detector[],
  { scan: KeywordScanner; order: Map<Detector, number> }
>();
const scannerOf = (active: readonly Detector[]) => {
  let s = scanners.get(active);
  if (!s)
    scanners.set(
      active,
      (s = { scan: keywordScanner(active), order: new Map(active.map((d, i) => [d, i])) }),
    );
  return s;
};

/**
 * Every credential in `text` found by `active` detectors, except placeholders and allowed
 * values. The detectors read the text without Default_Ignorable code points (an invisible
 * character inside a key does not hide it); spans cover the original key with them.
 */
export function findSecrets(
  text: string,
  active: readonly Detector[],
  allow: ReadonlySet<string>,
): SecretFinding[] {
  return onSkeleton(text, (t) => findInSkeleton(t, active, allow));
}

function findInSkeleton(
  text: string,
  active: readonly Detector[],
  allow: ReadonlySet<string>,
): SecretFinding[] {
  const { scan, order } = scannerOf(active);
  const triggered = [...scan(text)];
  // In the order of `active`, whatever order the keywords came in.
  if (triggered.length > 1) triggered.sort((a, b) => order.get(a)! - order.get(b)!);
  const out: SecretFinding[] = [];
  for (const d of triggered) {
    d.re.lastIndex = 0;
    for (let m = d.re.exec(text); m; m = d.re.exec(text)) {
      const g = m.groups?.['s'] ?? m.groups?.['t'];
      const s = g ?? m[0];
      const start = g !== undefined ? m.index + m[0].lastIndexOf(s) : m.index;
      const body = g !== undefined ? s : s.slice(d.prefix ?? 0);
      const seen = d.inspect ? d.inspect(s) : s;
      if (
        allow.has(s) ||
        isPlaceholder(seen, d.inspect ? seen : body) ||
        !entropyOk(d, s) ||
        (d.validate && !d.validate(s, m))
      ) {
        // A rejected value may hold the next candidate's context (`key="Password" value="…"`):
        // look again from where it starts.
        if (g !== undefined && start > m.index) d.re.lastIndex = start;
        continue;
      }
      out.push({ detector: d.id, start, end: start + s.length });
    }
  }
  return out;
}

/**
 * The stream gate's triggers: each detector's stream keywords (or keywords) with its lead,
 * longest match and settle test. A trigger that begins another with the same lead and settle
 * test holds every match the longer one would (from the same start, for the longer of their
 * spans): the longer one is dropped, so the gate plans a few hundred triggers, not every
 * keyword of every detector.
 */
function streamTriggers(active: readonly Detector[]): Trigger[] {
  const groups = new Map<string, Map<string, Trigger>>();
  const settles = new Map<RegExp, number>();
  for (const d of active) {
    const settle = d.settle ?? TOKEN_END;
    if (!settles.has(settle)) settles.set(settle, settles.size);
    const key = `${d.lead ?? 0}/${settles.get(settle)}`;
    const group = groups.get(key) ?? new Map<string, Trigger>();
    groups.set(key, group);
    for (const k of d.streamKeywords ?? d.keywords) {
      const maxSpan = Math.max(d.maxSpan ?? 256, group.get(k)?.maxSpan ?? 0);
      group.set(k, { text: k, lead: d.lead ?? 0, maxSpan, settle });
    }
  }
  const out: Trigger[] = [];
  for (const group of groups.values()) {
    const texts = [...group.keys()].sort();
    for (let i = 0; i < texts.length; i++) {
      const t = group.get(texts[i]!)!;
      // Sorted: the longer keywords a keyword begins follow it; fold their spans into it.
      let j = i + 1;
      while (j < texts.length && texts[j]!.startsWith(texts[i]!))
        t.maxSpan = Math.max(t.maxSpan, group.get(texts[j++]!)!.maxSpan);
      out.push(t);
      i = j - 1;
    }
  }
  return out;
}

export const secretsCheck = defineCheck({
  id: 'secrets',
  summary:
    'Credentials of 190+ services (cloud, CI/CD, source hosting, registries, AI, payments, messaging, SaaS, monitoring), chat and automation webhook URLs, passwords in connection strings and URLs, Authorization headers, private keys (cut-short ones too), JWTs and `name = value` secrets; placeholders ignored.',
  params,
  actions: ['block', 'redact', 'flag'],
  create(p) {
    const active = detectors.filter(
      (d) => (!p.detectors || p.detectors.includes(d.id)) && !p.exclude.includes(d.id),
    );
    const allow = new Set(p.allow);
    const stream: StreamSpec = { triggers: streamTriggers(active) };
    // Built now, at policy load, not on the first answer.
    scannerOf(active);
    return {
      stream,
      evaluate(input) {
        const { spans, kinds } = collectSpans(input, (text) =>
          findSecrets(text, active, allow).map((f) => ({
            start: f.start,
            end: f.end,
            kind: f.detector,
          })),
        );
        if (!spans.length) return PASS;
        return {
          status: 'fail',
          spans,
          detail: `${spans.length} credential(s) found (${[...kinds].join(', ')})`,
        };
      },
    };
  },
});
