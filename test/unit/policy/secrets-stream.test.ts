/**
 * The stream gate holds every detector's credential: streamed in pieces of 1, 5 and 17
 * characters between words, no piece of a secret (6 characters or more) reaches the client
 * before the rule has redacted it. Each detector's keywords (or stream keywords), `lead`,
 * `maxSpan` and `settle` are what this tests. Where a detector's keyword comes after the
 * secret starts (`lead`), what comes before the keyword may already be out when the keyword
 * arrives (a Telegram bot id, a Terraform token id); such secrets are held whole when a
 * name of the service comes first (the detector's stream keywords), as they usually do.
 */
import { describe, expect, it } from 'vitest';
import { findSecrets } from '../../../src/policy/checks/secrets.js';
import { detectors } from '../../../src/policy/checks/secrets/detectors.js';
import { gateRules } from '../../../src/policy/gate-rules.js';
import { ChoiceGate } from '../../../src/policy/stream-gate.js';
import { GENERATED, HAND } from '../../fixtures/secrets/cases.js';
import { REQUEST } from '../../helpers/check-input.js';
import { policySetFrom } from '../../helpers/policy.js';

const rules = gateRules(
  policySetFrom({
    'p.yaml': 'name: p\nrules:\n  - id: creds\n    check: secrets\n    action: redact\n',
  }).policies,
);

/** What the client had after each piece. */
function stream(text: string, size: number): string[] {
  const g = new ChoiceGate(rules, REQUEST, { window: 256, maxHeld: Infinity }, 0);
  let out = '';
  const seen: string[] = [];
  const emit = (b: number) => {
    if (b <= g.released) return;
    out += g.render(g.released, b).text;
    g.release(b);
  };
  for (let i = 0; i < text.length; i += size) {
    g.push(text.slice(i, i + size));
    emit(g.advance());
    seen.push(out);
  }
  g.final = true;
  emit(g.advance());
  seen.push(out);
  return seen;
}

const byId = new Map(detectors.map((d) => [d.id, d]));

/** Pieces of `full`'s spans (from `from` in each) that occur nowhere else in it. */
function pieces(
  full: string,
  spans: readonly { start: number; end: number }[],
  from: (v: string) => number,
): string[] {
  let rest = full;
  for (const s of spans)
    rest = rest.slice(0, s.start) + '\0'.repeat(s.end - s.start) + rest.slice(s.end);
  return spans.flatMap(({ start, end }) => {
    const v = full.slice(start, end);
    const out: string[] = [];
    for (let i = from(v); i + 6 <= v.length; i += 3)
      if (!rest.includes(v.slice(i, i + 6))) out.push(v.slice(i, i + 6));
    return out;
  });
}

function expectHeld(full: string, grams: readonly string[]): void {
  for (const size of [1, 5, 17]) {
    const seen = stream(full, size);
    for (const s of seen)
      for (const g of grams)
        expect(s.includes(g), `piece ${g} released with pieces of ${size}`).toBe(false);
    expect(seen.at(-1)).toContain('Keep it safe.');
  }
}

const CASES = [...GENERATED, ...HAND].filter(([id]) => id !== 'gcp-service-account');

describe('stream gate: no detector releases its secret before redacting it', () => {
  it.each(CASES.map(([id, text]) => [id, text] as const))('%s: %j', (id, text) => {
    const d = byId.get(id)!;
    const full = `Sure, here it is:\n${text}\nKeep it safe.`;
    const spans = findSecrets(full, [d], new Set());
    expect(spans.length).toBeGreaterThan(0);
    // Held from the first trigger on its line: a name before it holds all of it; a Telegram bot
    // id before `:AA` may be out first. With no trigger on the line before the secret ends, only
    // a name before it holds it (below).
    const triggers = d.streamKeywords ?? d.keywords;
    const first = (start: number, end: number) => {
      const line = full.slice(full.lastIndexOf('\n', start - 1) + 1, end).toLowerCase();
      const hits = triggers.map((k) => line.indexOf(k)).filter((i) => i >= 0);
      return hits.length ? Math.min(...hits) - (line.length - (end - start)) : undefined;
    };
    const held = spans.filter(({ start, end }) => first(start, end) !== undefined);
    if (!held.length) return;
    const from = (v: string) => {
      const s = held.find(({ start, end }) => full.slice(start, end) === v)!;
      return Math.max(0, first(s.start, s.end)!);
    };
    expectHeld(full, pieces(full, held, from));
  });

  const named = detectors.filter((d) => d.streamKeywords?.some((k) => !d.keywords.includes(k)));
  it.each(
    CASES.filter(([id]) => named.some((d) => d.id === id)).map(([id, text]) => [id, text] as const),
  )('%s after its service name: held whole', (id, text) => {
    const d = byId.get(id)!;
    const full = `Sure, here is the ${d.provider} API key: ${text}\nKeep it safe.`;
    const spans = findSecrets(full, [d], new Set());
    expectHeld(
      full,
      pieces(full, spans, () => 0),
    );
  });
});
