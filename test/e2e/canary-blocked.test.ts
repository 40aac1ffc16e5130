/**
 * Issue 19, item 4: a canary whose answer the operator's own policy blocked is `blocked`, not a
 * model failure — its own result value and gauge, no quarantine unless `quarantine.on` lists
 * `canary_blocked` — and `policy lint` (and `serve`) warn of a canary whose expected answer
 * the loaded policies would block.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Running } from '../../src/main.js';
import type { SimServer } from '../../src/sim/server.js';
import { startSim } from '../../src/sim/server.js';
import { runCli } from '../helpers/cli.js';
import { adminFetch, metricsText, startProxy } from '../helpers/proxy.js';
import { tempFiles } from '../helpers/policy.js';

const NO_MARS = `name: no-mars
rules:
  - id: mars
    check: regex
    params: { pattern: "\\\\b[Mm]ars\\\\b" }
    action: block
`;
const CANARIES = `defaults: { model: gpt-4o-mini, every: 1h }
canaries:
  - id: red-planet
    request:
      messages: [{ role: user, content: "Which planet is known as the Red Planet? One word." }]
      temperature: 0
    expect: [{ equals: Mars }]
`;

const series = (text: string, name: string, labels: string) =>
  Number(
    text
      .split('\n')
      .find((l) => l.startsWith(`${name}{${labels}}`))
      ?.split(' ')[1],
  );

describe('a canary blocked by an operator policy', () => {
  let sim: SimServer | undefined;
  let proxy: Running | undefined;

  afterEach(async () => {
    await proxy?.shutdown();
    await sim?.close();
  });

  async function run(on: string[]) {
    sim = await startSim();
    proxy = await startProxy(
      {
        upstreams: [{ name: 'sim', url: sim.url, quarantine: { on, action: 'block' } }],
        policies: ['no-mars.yaml'],
        canaries: ['canaries.yaml'],
        canary: { schedule: false },
      },
      { 'no-mars.yaml': NO_MARS, 'canaries.yaml': CANARIES },
    );
    const r = await adminFetch(proxy, '/admin/canaries/red-planet/run', { method: 'POST' });
    const quarantined = (
      (await (await adminFetch(proxy, '/admin/quarantine')).json()) as { quarantined: unknown[] }
    ).quarantined;
    return { result: (await r.json()) as { result: string; reasons: string[] }, quarantined };
  }

  it('is `blocked`, names the rule, keeps canary_up, and does not quarantine by default', async () => {
    const { result, quarantined } = await run(['canary_failure', 'identity_mismatch']);
    expect(result.result).toBe('blocked');
    expect(result.reasons).toEqual([
      'the answer was blocked by policy "no-mars" rule "mars": an operator policy, not a model failure',
    ]);
    expect(quarantined).toEqual([]);
    const text = await metricsText(proxy!);
    expect(series(text, 'coalmine_canary_runs_total', 'canary="red-planet",result="blocked"')).toBe(
      1,
    );
    expect(series(text, 'coalmine_canary_runs_total', 'canary="red-planet",result="fail"')).toBe(0);
    expect(series(text, 'coalmine_canary_blocked', 'canary="red-planet"')).toBe(1);
    // Never judged: canary_up stays at its initial value, the failing-canary alert stays quiet.
    expect(text).not.toMatch(/^coalmine_canary_up\{canary="red-planet"\} 0$/m);
  });

  it('quarantines when quarantine.on lists canary_blocked', async () => {
    const { result, quarantined } = await run(['canary_blocked']);
    expect(result.result).toBe('blocked');
    expect(quarantined).toEqual([
      expect.objectContaining({ upstream: 'sim', model: 'gpt-4o-mini', reason: 'canary_blocked' }),
    ]);
  });
});

describe('policy lint warns of canaries the policies would block', () => {
  it('names the canary, its answer, the policy and the rule; still exit 0', async () => {
    const dir = tempFiles({ 'no-mars.yaml': NO_MARS, 'canaries.yaml': CANARIES });
    writeFileSync(
      join(dir, 'coalmine.yaml'),
      'upstreams: [{ name: sim, url: "http://127.0.0.1:9" }]\npolicies: [no-mars.yaml]\ncanaries: [canaries.yaml]\n',
    );
    const p = runCli(['policy', 'lint', 'coalmine.yaml'], { cwd: dir });
    expect(await p.exited).toBe(0);
    expect(p.stdout()).toBe('1 file(s) OK\n');
    expect(p.stderr()).toMatch(
      /coalmine\.yaml: warning: canary "red-planet" \(.*canaries\.yaml\): its expected answer "Mars" would be blocked by policy "no-mars" rule "mars"/,
    );
    // A policy that lets Mars through: no warning.
    writeFileSync(join(dir, 'no-mars.yaml'), NO_MARS.replace('[Mm]ars', 'Venus'));
    const q = runCli(['policy', 'lint', 'coalmine.yaml'], { cwd: dir });
    expect(await q.exited).toBe(0);
    expect(q.stderr()).toBe('');
  });
});
