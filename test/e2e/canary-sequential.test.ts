/**
 * Issue 19, item 2: a sequential distribution canary through a real proxy and the simulator.
 * Its evidence accumulates across runs, is exported (metric, status page data, admin API),
 * survives a restart through the sealed evidence file, and a small drift of the simulator
 * (`drift=30`: 30 % of answers from another distribution) makes it fail.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../../src/main.js';
import { serve } from '../../src/main.js';
import { noopLogger } from '../../src/model/log.js';
import type { SimServer } from '../../src/sim/server.js';
import { startSim } from '../../src/sim/server.js';
import { runCli } from '../helpers/cli.js';
import { ADMIN_TOKEN, adminFetch, metricsText } from '../helpers/proxy.js';

const KEY = 'baseline-signing-key-0123456789';

interface RunJson {
  result: string;
  reasons: string[];
  p_value?: number;
  evidence?: {
    value: number;
    threshold: number;
    completions: number;
    epoch: number;
    alarm?: { value: number; threshold: number; completions: number };
  };
}

describe('a sequential distribution canary', () => {
  let sim: SimServer;
  let dir: string;
  let proxy: Running | undefined;

  beforeAll(async () => {
    sim = await startSim();
    dir = mkdtempSync(join(tmpdir(), 'coalmine-sequential-'));
    writeFileSync(
      join(dir, 'coalmine.yaml'),
      `listen: 127.0.0.1:0
admin: { listen: 127.0.0.1:0, token: ${ADMIN_TOKEN} }
upstreams: [{ name: sim, url: "${sim.url}" }]
canaries: [canaries.yaml]
canary: { schedule: false, hmac_key: "${KEY}", evidence_file: evidence.json }
`,
    );
    writeFileSync(
      join(dir, 'canaries.yaml'),
      `defaults: { model: gpt-4o-mini, every: 1h }
baselines: baseline.json
canaries:
  - id: fruit
    request: { messages: [{ role: user, content: "Name a fruit. One word." }], temperature: 1 }
    distribution: { test: sequential, max_chars: 20 }
`,
    );
    const rec = runCli(['canary', 'baseline', '--out', 'baseline.json'], { cwd: dir, env: {} });
    expect(await rec.exited, rec.stderr()).toBe(0);
    expect(rec.stdout()).toMatch(/recorded 200 samples for fruit/);
  });
  afterAll(async () => {
    await proxy?.shutdown();
    await sim.close();
  });

  const start = async () =>
    (proxy = await serve({
      cwd: dir,
      env: {},
      configFile: join(dir, 'coalmine.yaml'),
      log: noopLogger,
    }));
  const run = async (): Promise<RunJson> =>
    (await (
      await adminFetch(proxy!, '/admin/canaries/fruit/run', { method: 'POST' })
    ).json()) as RunJson;

  it('passes on the same model, 5 completions per run, its evidence exported', async () => {
    await start();
    const results: RunJson[] = [];
    for (let i = 0; i < 20; i++) results.push(await run());
    expect(results.map((r) => r.result)).toEqual(Array(20).fill('pass'));
    const last = results.at(-1)!.evidence!;
    expect(last.completions).toBe(100);
    expect(last.epoch).toBe(0);
    expect(last.value).toBeLessThan(last.threshold);
    expect(last.threshold).toBeCloseTo(1 / ((0.01 * 6) / Math.PI ** 2), 3);
    expect(results.at(-1)!.p_value).toBeUndefined();

    const metrics = await metricsText(proxy!);
    expect(metrics).toMatch(/^coalmine_canary_evidence\{canary="fruit"\} [\d.e+-]+$/m);
    expect(metrics).toMatch(/^coalmine_canary_evidence_threshold\{canary="fruit"\} 164\.4/m);
    const status = (await (await fetch(`${proxy!.adminUrl}/status.json`)).json()) as {
      canaries: { id: string; evidence: number; evidence_threshold: number }[];
    };
    expect(status.canaries[0]).toMatchObject({
      id: 'fruit',
      evidence: last.value,
      evidence_threshold: last.threshold,
    });
    // Sealed with the HMAC key; completions cut to max_chars, never more.
    const file = JSON.parse(readFileSync(join(dir, 'evidence.json'), 'utf8')) as {
      hmac_sha256: string;
      canaries: { fruit: { state: { observed: number; seen: [string, number][] } } };
    };
    expect(file.hmac_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(file.canaries.fruit.state.observed).toBe(100);
  });

  it('carries its evidence across a restart', async () => {
    const before = (
      JSON.parse(readFileSync(join(dir, 'evidence.json'), 'utf8')) as {
        canaries: { fruit: { state: { observed: number } } };
      }
    ).canaries.fruit.state.observed;
    await proxy!.shutdown();
    proxy = undefined;
    await start();
    const r = await run();
    expect(r.evidence!.completions).toBe(before + 5);
  });

  it('fails when 30 % of the answers drift, within a bounded number of runs', async () => {
    sim.setScenario('drift=30');
    try {
      let failed: RunJson | undefined;
      let runs = 0;
      while (!failed && runs < 80) {
        runs++;
        const r = await run();
        if (r.result === 'fail') failed = r;
      }
      expect(failed, `no failure within ${runs} runs`).toBeDefined();
      expect(failed!.reasons[0]).toMatch(
        /^completions differ from the baseline: sequential evidence [\d.e+]+ reached 164 within \d+ completions/,
      );
      // The reason names the crossing; the evidence may have fallen within the same run.
      const alarm = failed!.evidence!.alarm!;
      expect(alarm.value).toBeGreaterThanOrEqual(alarm.threshold);
      expect(alarm.completions).toBeLessThanOrEqual(failed!.evidence!.completions);
      expect(failed!.reasons[0]).toContain(`within ${alarm.completions} completions`);
      // Once the model is shown to differ, the canary stays failed until the baseline changes.
      sim.setScenario(undefined);
      expect((await run()).result).toBe('fail');
    } finally {
      sim.setScenario(undefined);
    }
  });
});
