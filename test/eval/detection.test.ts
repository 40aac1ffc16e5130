import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fpRate, recall, total } from './corpora.js';
import { evalExfil } from './exfil.js';
import { evalPii } from './pii.js';
import { evalRefusal } from './refusal.js';
import type { Evaluation } from './report.js';
import { render } from './report.js';
import { evalSecrets } from './secrets.js';
import { evalUnicode } from './unicode.js';

const DOC = fileURLToPath(new URL('../../docs/detection.md', import.meta.url));
const e: Evaluation = {
  secrets: evalSecrets(),
  pii: evalPii(),
  exfil: evalExfil(),
  unicode: evalUnicode(),
  refusal: evalRefusal(),
};

describe('detection rates on labelled corpora (targets of the check catalogue)', () => {
  it('secrets: ≥ 95 % recall, ≤ 5 % of negatives flagged', () => {
    const all = total('all', e.secrets.bySource);
    expect(recall(all)).toBeGreaterThanOrEqual(0.95);
    expect(fpRate(all)).toBeLessThanOrEqual(0.05);
  });

  it('pii: ≥ 90 % recall on the covered entity types', () => {
    expect(recall(total('all', e.pii))).toBeGreaterThanOrEqual(0.9);
  });

  it('markdown-exfiltration: every exfiltration caught, every benign output passed', () => {
    for (const s of e.exfil.filter((x) => x.name === 'exfil' || x.name === 'exfil_link'))
      expect(s.fn, s.misses.join('\n')).toBe(0);
    expect(e.exfil.find((x) => x.name === 'benign')?.fp).toBe(0);
  });

  it('invisible-unicode: every smuggling case caught, zero legitimate emoji flagged', () => {
    const [smuggling, emoji] = e.unicode;
    expect(smuggling?.fn).toBe(0);
    expect(smuggling?.tp).toBeGreaterThan(0);
    expect(emoji?.fp, emoji?.falseAlarms.slice(0, 5).join('\n')).toBe(0);
    expect(emoji?.tn).toBe(1572 * 3);
  });

  it('invisible-unicode: zero legitimate right-to-left / Indic texts flagged', () => {
    const rtl = e.unicode[2];
    expect(rtl?.fp, rtl?.falseAlarms.slice(0, 5).join('\n')).toBe(0);
    expect(rtl?.tn).toBeGreaterThan(179);
  });

  it('secrets and invisible-unicode: every key hiding a Default_Ignorable code point caught', () => {
    for (const s of e.unicode.slice(3)) {
      expect(s.fn, s.misses.slice(0, 5).join('\n')).toBe(0);
      expect(s.tp).toBeGreaterThan(0);
    }
  });

  it('refusal: ≥ 90 % accuracy', () => {
    const s = e.refusal[0]!;
    expect((s.tp + s.tn) / (s.tp + s.tn + s.fp + s.fn)).toBeGreaterThanOrEqual(0.9);
  });

  it('docs/detection.md is current (npm run eval rewrites it)', () => {
    const text = render(e);
    if (process.env['EVAL_WRITE']) writeFileSync(DOC, text);
    expect(readFileSync(DOC, 'utf8')).toBe(text);
  });
});
