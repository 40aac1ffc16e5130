import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fpRate, recall, total } from './corpora.js';
import { evalExfil } from './exfil.js';
import { evalPii, evalPiiHeldOut } from './pii.js';
import { evalRefusal } from './refusal.js';
import type { Evaluation } from './report.js';
import { render } from './report.js';
import { evalSecrets } from './secrets.js';
import { evalHosts, evalTerminal, evalUnicode } from './unicode.js';

const DOC = fileURLToPath(new URL('../../docs/detection.md', import.meta.url));
const secrets = evalSecrets();
const e: Evaluation = {
  secrets,
  pii: evalPii(),
  piiHeldOut: evalPiiHeldOut(),
  exfil: evalExfil(),
  unicode: evalUnicode(),
  terminal: evalTerminal(),
  hosts: evalHosts(),
  refusal: evalRefusal(),
};

describe('detection rates on labelled corpora (targets of the check catalogue)', () => {
  it('secrets: ≥ 95 % recall, ≤ 5 % of negatives flagged', () => {
    const all = total('all', e.secrets.bySource);
    expect(recall(all)).toBeGreaterThanOrEqual(0.95);
    expect(fpRate(all)).toBeLessThanOrEqual(0.05);
  });

  it('secrets held-out set: ≥ 95 % recall per service family, ≤ 1 % of each kind of negative flagged', () => {
    expect(secrets.byFamily.length).toBeGreaterThanOrEqual(15);
    for (const s of secrets.byFamily)
      expect(recall(s), [s.name, ...s.misses].join('\n')).toBeGreaterThanOrEqual(0.95);
    for (const s of secrets.byNegative)
      expect(fpRate(s), [s.name, ...s.falseAlarms].join('\n')).toBeLessThanOrEqual(0.01);
  });

  it('pii: ≥ 90 % recall on the covered entity types', () => {
    expect(recall(total('all', e.pii))).toBeGreaterThanOrEqual(0.9);
  });

  it('pii held-out sets: ≥ 90 % recall, ≤ 5 % of negatives flagged, per set', () => {
    for (const s of e.piiHeldOut.filter((x) => !x.name.startsWith('phone: '))) {
      expect(recall(s), `${s.name}\n${s.misses.join('\n')}`).toBeGreaterThanOrEqual(0.9);
      expect(fpRate(s), `${s.name}\n${s.falseAlarms.join('\n')}`).toBeLessThanOrEqual(0.05);
    }
  });

  it('pii held-out sets: ≥ 90 % of phones in the national format of each default region', () => {
    const regions = ['us', 'gb', 'de', 'fr', 'in'].map((r) => `phone: national-${r}`);
    for (const name of [...regions, 'phone: international']) {
      const s = e.piiHeldOut.find((x) => x.name === name)!;
      expect(s.tp + s.fn, name).toBeGreaterThan(0);
      expect(recall(s), `${name}\n${s.misses.join('\n')}`).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('markdown-exfiltration: every exfiltration caught, every benign output passed', () => {
    for (const s of e.exfil.filter((x) => x.name === 'exfil' || x.name === 'exfil_link'))
      expect(s.fn, s.misses.join('\n')).toBe(0);
    expect(e.exfil.find((x) => x.name === 'benign')?.fp).toBe(0);
  });

  it('markdown-exfiltration: ≥ 95 % of payloads caught, ≤ 2 % of benign markdown touched (garak and own sets)', () => {
    const all = total('all', e.exfil);
    const why = e.exfil.flatMap((s) => [...s.misses, ...s.falseAlarms]).join('\n');
    expect(recall(all), why).toBeGreaterThanOrEqual(0.95);
    expect(fpRate(all), why).toBeLessThanOrEqual(0.02);
    expect(all.tp + all.fn).toBeGreaterThan(150);
    expect(all.fp + all.tn).toBeGreaterThan(150);
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

  it('invisible-unicode: every terminal sequence removed whole, every overwrite found, no benign text flagged', () => {
    const [escapes, overwrites, benign] = e.terminal;
    for (const s of [escapes, overwrites]) {
      expect(s?.fn, s?.misses.join('\n')).toBe(0);
      expect(s?.tp).toBeGreaterThan(0);
    }
    expect(benign?.fp, benign?.falseAlarms.join('\n')).toBe(0);
    expect(benign?.tn).toBeGreaterThan(0);
  });

  it('confusable-hosts: ≥ 95 % of look-alike hosts caught, no legitimate IDN or prose flagged', () => {
    const all = e.hosts[0]!;
    expect(recall(all), all.misses.join('\n')).toBeGreaterThanOrEqual(0.95);
    expect(all.fp, all.falseAlarms.join('\n')).toBe(0);
    expect(all.tn).toBeGreaterThan(20);
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
