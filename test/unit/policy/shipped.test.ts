import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checksTable } from '../../../src/policy/checks/docs.js';
import { policyJsonSchema } from '../../../src/policy/schema.js';
import { loadPolicySet } from '../../../src/policy/loader.js';
import { runTestFile } from '../../../src/policy/test-file.js';

const POLICIES = fileURLToPath(new URL('../../../policies/', import.meta.url));
const testFiles = readdirSync(`${POLICIES}tests`).filter((f) => f.endsWith('.test.yaml'));

describe('shipped policies', () => {
  it('policies/schema.json is up to date (run `npm run schema`)', () => {
    expect(JSON.parse(readFileSync(`${POLICIES}schema.json`, 'utf8'))).toEqual(policyJsonSchema());
  });

  it("the README's check table is generated from the registry (run `npm run docs`)", () => {
    const md = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    const table = md
      .slice(
        md.indexOf('<!-- checks:start -->') + '<!-- checks:start -->'.length,
        md.indexOf('<!-- checks:end -->'),
      )
      .trim();
    expect(table).toBe(checksTable());
  });

  it('the default pack loads', () => {
    const r = loadPolicySet({ patterns: ['default.yaml'], baseDir: POLICIES });
    expect(r.ok).toBe(true);
  });

  it.each(testFiles)('policies/tests/%s passes', (f) => {
    const r = runTestFile(`${POLICIES}tests/${f}`);
    expect(r.issues).toEqual([]);
    const failed = r.cases.filter((c) => !c.ok);
    expect(failed, failed.map((c) => `${c.name}: ${c.problems.join('; ')}`).join('\n')).toEqual([]);
    expect(r.cases.length).toBeGreaterThan(0);
  });
});
