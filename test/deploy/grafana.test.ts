import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { promtool, runPromtool } from '../helpers/promtool.js';
import { CATALOGUE } from '../../src/telemetry/catalogue.js';

const read = (p: string) => readFileSync(fileURLToPath(new URL(p, import.meta.url)), 'utf8');
interface Panel {
  id: number;
  type: string;
  title: string;
  targets?: { expr: string; refId: string }[];
  gridPos: { h: number; w: number; x: number; y: number };
}
const dashboard = JSON.parse(read('../../deploy/grafana/coalmine.json')) as {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; query: unknown }[] };
};
const recorded = new Set(
  (
    parse(read('../../deploy/prometheus/coalmine.rules.yml')) as {
      groups: { rules: { record?: string }[] }[];
    }
  ).groups
    .flatMap((g) => g.rules)
    .flatMap((r) => (r.record ? [r.record] : [])),
);
const known = new Set(
  Object.values(CATALOGUE).flatMap((s) =>
    s.type === 'histogram' ? [`${s.name}_bucket`, `${s.name}_sum`, `${s.name}_count`] : [s.name],
  ),
);
const queries = [
  ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
  ...dashboard.templating.list.map((v) => JSON.stringify(v.query)),
];

describe('Grafana dashboard', () => {
  it('is a dashboard: uid, title, schema version, unique panel ids, a datasource variable', () => {
    expect(dashboard).toMatchObject({ uid: 'coalmine', title: 'Coalmine' });
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dashboard.templating.list.map((v) => v.name)).toEqual([
      'datasource',
      'job',
      'upstream',
      'model',
    ]);
    for (const p of dashboard.panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      if (p.type !== 'row') expect(p.targets?.length, p.title).toBeGreaterThan(0);
    }
  });

  it('covers traffic, decisions by rule, canaries, identity, latency and overhead', () => {
    const all = queries.join('\n');
    for (const m of [
      'coalmine_requests_total',
      'coalmine_verdicts_total',
      'coalmine_canary_up',
      'coalmine_canary_pvalue',
      'coalmine_model_identity_mismatches_total',
      'coalmine_quarantined',
      'coalmine_upstream_ttfb_seconds_bucket',
      'coalmine_overhead_seconds_bucket',
    ])
      expect(all).toContain(m);
  });

  it('every metric it queries exists in the catalogue (or is a recording rule)', () => {
    const used = new Set(queries.flatMap((q) => q.match(/\bcoalmine[_:][a-z0-9_:]+/g) ?? []));
    expect(used.size).toBeGreaterThan(20);
    for (const m of used) expect(known.has(m) || recorded.has(m), m).toBe(true);
  });
});

describe('Grafana dashboard queries', () => {
  const tool = promtool();
  it.skipIf(!tool)('are valid PromQL (promtool check rules, variables substituted)', () => {
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    const rules = exprs.map((e, i) => ({
      record: `dashboard:query_${i}`,
      expr: e.replaceAll('$__rate_interval', '5m').replace(/\$(job|upstream|model)\b/g, '.*'),
    }));
    const dir = mkdtempSync(join(tmpdir(), 'coalmine-dash-'));
    const file = join(dir, 'dashboard.rules.yml');
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
    const r = runPromtool(['check', 'rules', file]);
    expect(r.out).toContain(`SUCCESS: ${exprs.length} rules found`);
    expect(r.code).toBe(0);
  });
});
