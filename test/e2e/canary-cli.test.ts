import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimServer } from '../../src/sim/server.js';
import { startSim } from '../../src/sim/server.js';
import { canaryDir } from '../helpers/canary-dir.js';
import { runCli } from '../helpers/cli.js';

const SHIPPED_IDS = [
  'red-planet',
  'capital-of-france',
  'multiplication',
  'largest-ocean',
  'json-contract',
  'refuses-nerve-agent',
  'refuses-ransomware',
  'answers-harmless-kill',
  'trigger-invariance',
  'fruit-distribution',
];

async function cli(args: string[], cwd: string, env: Record<string, string> = {}) {
  const p = runCli(args, { cwd, env });
  const code = await p.exited;
  return { code, out: p.stdout(), err: p.stderr() };
}

describe('coalmine canary run', () => {
  it('zero configuration: the shipped suite passes against the simulator', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coalmine-canary-cli-'));
    const r = await cli(['canary', 'run'], dir);
    expect(r.code, r.out + r.err).toBe(0);
    for (const id of SHIPPED_IDS)
      expect(r.out).toMatch(new RegExp(`^${id}\\s+sim\\s+gpt-4o-mini\\s+PASS`, 'm'));
    expect(r.out).toContain(`${SHIPPED_IDS.length} passed, 0 failed`);
  });

  it('--json and --id select and report canaries; an unknown id is a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coalmine-canary-cli-'));
    const r = await cli(['canary', 'run', '--id', 'red-planet', '--json'], dir);
    expect(r.code).toBe(0);
    const results = JSON.parse(r.out) as { id: string; result: string; tokens: number }[];
    expect(results).toEqual([expect.objectContaining({ id: 'red-planet', result: 'pass' })]);
    expect(results[0]!.tokens).toBeGreaterThan(0);
    // The admin API's naming: snake_case keys, RFC 3339 times.
    const first = results[0] as unknown as Record<string, unknown>;
    for (const k of Object.keys(first)) expect(k).toMatch(/^[a-z]+(_[a-z]+)*$/);
    expect(first['finished_at']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(first['duration_seconds']).toEqual(expect.any(Number));
    const bad = await cli(['canary', 'run', '--id', 'nope'], dir);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown canary id: nope/);
  });
});

describe('a CI gate before adopting a model: baselines, drift, tampering', () => {
  let sim: SimServer;
  let dir: string;
  const KEY = 'baseline-signing-key-0123456789';

  beforeAll(async () => {
    sim = await startSim();
    // 100 samples: at alpha 0.001 this catches the simulator's drift in every one of 200
    // simulated runs (see test/unit/canary/stats.test.ts for the shipped 60-sample numbers).
    dir = canaryDir(
      'coalmine-canary-gate-',
      sim.url,
      `defaults: { model: candidate-model }
baselines: baseline.json
canaries:
  - id: fruit
    request: { messages: [{ role: user, content: "Name a fruit. One word." }], temperature: 1 }
    distribution: { samples: 100, alpha: 0.001, max_chars: 20 }
  - id: answer
    request: { messages: [{ role: user, content: "What is 17 * 3?" }], temperature: 0 }
    expect: [{ number: { equals: 51 } }]
  - id: embed
    path: /v1/embeddings
    model: text-embedding-3-small
    request: { input: "The canary sings in the mine." }
    embedding: { min_cosine: 0.99 }
`,
    );
  });
  afterAll(() => sim.close());

  const env = { BASELINE_KEY: KEY };

  it('without a baseline the distribution canary cannot run (error, exit 1)', async () => {
    const r = await cli(['canary', 'run'], dir, env);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^fruit\s+candidate\s+candidate-model\s+ERROR.*no baseline recorded/m);
  });

  it('records a signed baseline, then passes on the same model', async () => {
    const rec = await cli(['canary', 'baseline', '--out', 'baseline.json'], dir, env);
    expect(rec.code, rec.err).toBe(0);
    expect(rec.out).toMatch(/recorded 100 samples for fruit/);
    expect(rec.out).toMatch(/recorded the embedding vector for embed/);
    const file = JSON.parse(readFileSync(join(dir, 'baseline.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(file).toMatchObject({
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      hmac_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });

    const r = await cli(['canary', 'run'], dir, env);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^fruit\s+candidate\s+candidate-model\s+PASS\s+0\.\d+/m);
  });

  it('fails the gate when the model drifts', async () => {
    sim.setScenario('drift');
    try {
      const r = await cli(['canary', 'run'], dir, env);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/^fruit\s.*FAIL.*completions differ from the baseline: p = /m);
      expect(r.out).toMatch(/^answer\s.*PASS/m);
      expect(r.out).toMatch(/^embed\s.*PASS/m);
    } finally {
      sim.setScenario(undefined);
    }
  });

  it('fails the gate when the embedding model is swapped (cosine against the baseline vector)', async () => {
    sim.setScenario('swap-model');
    try {
      const r = await cli(['canary', 'run', '--id', 'embed'], dir, env);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(
        /^embed\s+candidate\s+text-embedding-3-small\s+FAIL.*cosine similarity with the baseline vector -?0\.\d+ < 0\.99/m,
      );
    } finally {
      sim.setScenario(undefined);
    }
  });

  it('refuses a tampered baseline (exit 2, file named)', async () => {
    const path = join(dir, 'baseline.json');
    const good = readFileSync(path, 'utf8');
    try {
      writeFileSync(path, good.replace(/"Apple"/, '"Kiwi"').replace(/"Banana"/, '"Kiwi"'));
      const r = await cli(['canary', 'run'], dir, env);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(
        /baseline\.json:1:1: refused: baseline content does not match its sha256/,
      );
      writeFileSync(path, good);
      const wrongKey = await cli(['canary', 'run'], dir, {
        BASELINE_KEY: 'another-key-0123456789',
      });
      expect(wrongKey.code).toBe(2);
      expect(wrongKey.err).toMatch(/HMAC does not verify/);
    } finally {
      writeFileSync(path, good);
    }
  });

  it('policy lint checks canary files at file:line:col', async () => {
    writeFileSync(
      join(dir, 'broken.yaml'),
      `canaries:
  - id: x
    request: { messages: [{ role: user, content: hi }] }
    expect: [{ equals: a, regex: b }]
`,
    );
    const r = await cli(
      ['policy', 'lint', 'broken.yaml', 'canaries.yaml', 'coalmine.yaml'],
      dir,
      env,
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/broken\.yaml:4:\d+: .*exactly one of/);
    expect(r.out).toMatch(/1 error\(s\) in 3 file\(s\)/);
  });
});
