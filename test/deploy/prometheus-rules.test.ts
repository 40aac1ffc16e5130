import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CATALOGUE } from '../../src/telemetry/catalogue.js';
import { promtool, runPromtool } from '../helpers/promtool.js';

const dir = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url));
const RULES = `${dir}coalmine.rules.yml`;
const TESTS = [`${dir}coalmine.rules.test.yml`, `${dir}coalmine.rules.drift.test.yml`];
const RUNBOOKS = fileURLToPath(new URL('../../docs/runbooks.md', import.meta.url));

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const groups = (parse(readFileSync(RULES, 'utf8')) as { groups: { rules: Rule[] }[] }).groups;
const rules = groups.flatMap((g) => g.rules);
const alerts = rules.filter((r) => r.alert);
const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const anchors = new Set(
  readFileSync(RUNBOOKS, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('## '))
    .map((l) =>
      l
        .slice(3)
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    ),
);

const known = new Set(
  Object.values(CATALOGUE).flatMap((s) =>
    s.type === 'histogram' ? [`${s.name}_bucket`, `${s.name}_sum`, `${s.name}_count`] : [s.name],
  ),
);

describe('Prometheus alert rules', () => {
  it('covers every alert the telemetry and audit issues name', () => {
    expect(alerts.map((a) => a.alert).sort()).toEqual(
      [
        'CoalmineAbsent',
        'CoalmineAuditLogLosing',
        'CoalmineBlockRatioHigh',
        'CoalmineCanaryBlocked',
        'CoalmineCanaryFailing',
        'CoalmineCanaryNotRunning',
        'CoalmineFingerprintChanged',
        'CoalmineModelIdentityMismatch',
        'CoalmineModelQuarantined',
        'CoalmineOverheadHigh',
        'CoalminePolicyReloadFailing',
        'CoalmineStateBackendDown',
        'CoalmineRefusalRateDrift',
        'CoalmineUpstreamErrorRatioHigh',
        'CoalmineUpstreamSlow',
        'CoalmineViolationRatioDrift',
      ].sort(),
    );
  });

  it.each(alerts.map((a) => [a.alert!, a] as const))(
    '%s: severity, summary, description and a runbook section that exists',
    (name, a) => {
      expect(['critical', 'warning']).toContain(a.labels?.severity);
      expect(a.annotations?.summary).toBeTruthy();
      expect(a.annotations?.description).toBeTruthy();
      const url = a.annotations?.runbook_url ?? '';
      expect(url).toMatch(/docs\/runbooks\.md#[a-z]+$/);
      expect(anchors).toContain(url.split('#')[1]);
      expect(url.split('#')[1]).toBe(name.toLowerCase());
    },
  );

  it('every metric a rule reads is in the catalogue (or recorded here)', () => {
    for (const r of rules) {
      for (const id of r.expr.match(/\bcoalmine[_:][a-z0-9_:]+/g) ?? [])
        expect(known.has(id) || recorded.has(id), `${r.alert ?? r.record}: ${id}`).toBe(true);
    }
  });

  it('every alert has a promtool unit test', () => {
    const tested = new Set(
      TESTS.map((t) => readFileSync(t, 'utf8'))
        .join('\n')
        .match(/alertname: (\w+)/g)
        ?.map((m) => m.slice(11)),
    );
    for (const a of alerts) expect(tested, a.alert).toContain(a.alert);
  });

  const tool = promtool();
  it.skipIf(!tool)('promtool check rules', () => {
    const r = runPromtool(['check', 'rules', RULES]);
    expect(r.out).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  it.skipIf(!tool)('promtool test rules: each alert fires when it should and only then', () => {
    const r = runPromtool(['test', 'rules', ...TESTS]);
    expect(r.out).toContain('SUCCESS');
    expect(r.code, r.out).toBe(0);
  });
});
