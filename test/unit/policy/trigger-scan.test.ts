/**
 * The gate's trigger scan on hand-made triggers: a trigger that begins inside another is
 * seen (the scan tries every position), and a text that ends in part of a trigger holds from
 * where that part begins, whatever characters the triggers are made of.
 */
import { describe, expect, it } from 'vitest';
import type { Check, Trigger } from '../../../src/policy/checks/types.js';
import type { GateRule } from '../../../src/policy/gate-rules.js';
import { planFor } from '../../../src/policy/trigger-plan.js';
import { TriggerScan } from '../../../src/policy/trigger-scan.js';
import { streamThroughGate } from '../../helpers/choice-gate.js';

/** A redact rule whose check finds `pattern` (global) and streams with `triggers`. */
function rule(id: string, pattern: RegExp, triggers: Trigger[]): GateRule {
  const instance: Check = {
    evaluate: (input) => {
      const spans = [...input.text.matchAll(pattern)].map((m) => ({
        start: m.index,
        end: m.index + m[0].length,
      }));
      return spans.length ? { status: 'fail', spans, detail: id } : { status: 'pass' };
    },
    stream: { triggers },
  };
  return {
    policy: 'p',
    rule: id,
    check: id,
    action: 'redact',
    severity: 'high',
    onError: 'closed',
    instance,
    spans: true,
    reasoning: true,
  };
}

const stream = (rules: readonly GateRule[], pieces: readonly string[]) =>
  streamThroughGate(rules, pieces).seen;

describe('trigger scan', () => {
  it('sees a trigger that begins inside another one', () => {
    // `ab` (settled at once) overlaps `bcd`: a scan that went on after the end of `ab`
    // would miss `bcd`, and let out the start of the key before it is whole.
    const rules = [
      rule('ab', /ab(?=!)/g, [{ text: 'ab', lead: 0, maxSpan: 2 }]),
      rule('key', /bcd[0-9]{8}/g, [{ text: 'bcd', lead: 0, maxSpan: 11, settle: /[^0-9]/ }]),
    ];
    const seen = stream(rules, ['x', 'abcd1234', '5678', ' done']);
    for (const s of seen) expect(s).not.toMatch(/bcd|1234/);
    expect(seen.at(-1)).toBe('xa[REDACTED:key] done');
  });

  it('holds from where a partial trigger at the end begins', () => {
    const plan = planFor([
      rule('r', /(?!)/g, [
        { text: 'ghp_', lead: 0, maxSpan: 40 },
        { text: 'key', lead: 3, maxSpan: 40 },
        { text: 'x', lead: 0, maxSpan: 1 },
      ]),
    ]);
    const scan = new TriggerScan(plan, 256);
    expect(scan.hold('see gh', 100)).toBe(104);
    expect(scan.hold('see G', 100)).toBe(104);
    expect(scan.hold('a ke', 10)).toBe(12 - 3);
    expect(scan.hold('nothing.', 10)).toBe(18);
    expect(scan.triggered).toBe(false);
  });

  it('holds from a partial trigger that is not ASCII', () => {
    const plan = planFor([rule('r', /(?!)/g, [{ text: 'ключ=', lead: 0, maxSpan: 40 }])]);
    const scan = new TriggerScan(plan, 256);
    expect(scan.hold('a клю', 0)).toBe(2);
    expect(scan.hold('a к', 0)).toBe(2);
    expect(scan.hold('a кл!', 0)).toBe(5);
  });
});
