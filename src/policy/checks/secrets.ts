/** `secrets`: provider credentials and keys (see secrets/detectors.ts), placeholders excepted. */
import { z } from 'zod';
import { detectors, entropyOk, TOKEN_END } from './secrets/detectors.js';
import type { Detector } from './secrets/detectors.js';
import { isPlaceholder } from './secrets/placeholder.js';
import { collectSpans, defineCheck, PASS } from './types.js';
import { onSkeleton } from './support/ignorable.js';
import { trieSource } from './support/trie.js';
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

/**
 * One case-insensitive pass for every keyword of a set of detectors: which of them can match.
 * The trie matches the longest keyword at a position; the detectors of every keyword it starts
 * with are looked up at once, and the scan resumes one character on (keywords overlap).
 */
export function keywordScanner(active: readonly Detector[]): (text: string) => Set<Detector> {
  const byKeyword = new Map<string, Detector[]>();
  for (const d of active)
    for (const k of d.keywords) byKeyword.set(k, [...(byKeyword.get(k) ?? []), d]);
  const byMatch = new Map<string, Detector[]>();
  for (const k of byKeyword.keys())
    byMatch.set(k, [...new Set([...byKeyword].flatMap(([p, ds]) => (k.startsWith(p) ? ds : [])))]);
  const re = new RegExp(trieSource([...byKeyword.keys()]), 'gi');
  return (text) => {
    const hit = new Set<Detector>();
    re.lastIndex = 0;
    for (let m = re.exec(text); m && hit.size < active.length; m = re.exec(text)) {
      for (const d of byMatch.get(m[0].toLowerCase()) ?? []) hit.add(d);
      re.lastIndex = m.index + 1;
    }
    return hit;
  };
}

const scanners = new WeakMap<readonly Detector[], (text: string) => Set<Detector>>();

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
  let scan = scanners.get(active);
  if (!scan) scanners.set(active, (scan = keywordScanner(active)));
  const triggered = scan(text);
  const out: SecretFinding[] = [];
  for (const d of active) {
    if (!triggered.has(d)) continue;
    d.re.lastIndex = 0;
    for (let m = d.re.exec(text); m; m = d.re.exec(text)) {
      const s = m.groups?.['s'] ?? m[0];
      const start = m.groups?.['s'] !== undefined ? m.index + m[0].lastIndexOf(s) : m.index;
      const body = m.groups?.['s'] !== undefined ? s : s.slice(d.prefix ?? 0);
      if (
        allow.has(s) ||
        isPlaceholder(s, body) ||
        !entropyOk(d, s) ||
        (d.validate && !d.validate(s, m))
      )
        continue;
      out.push({ detector: d.id, start, end: start + s.length });
    }
  }
  return out;
}

export const secretsCheck = defineCheck({
  id: 'secrets',
  summary:
    'Credentials and keys: AWS, GitHub, GitLab, Slack, Stripe, OpenAI, Anthropic, Google, Azure, npm, PyPI, Twilio, SendGrid, Hugging Face, private keys, JWTs, generic secret assignments. Placeholders are ignored.',
  params,
  actions: ['block', 'redact', 'flag'],
  create(p) {
    const active = detectors.filter(
      (d) => (!p.detectors || p.detectors.includes(d.id)) && !p.exclude.includes(d.id),
    );
    const allow = new Set(p.allow);
    const stream: StreamSpec = {
      triggers: active.flatMap((d) =>
        (d.streamKeywords ?? d.keywords).map((k): Trigger => ({
          text: k,
          lead: d.lead ?? 0,
          maxSpan: d.maxSpan ?? 256,
          settle: d.settle ?? TOKEN_END,
        })),
      ),
    };
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
