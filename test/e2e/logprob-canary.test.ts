/**
 * Logprob canaries end to end: the CLI builds the proxy core, every call goes through its
 * pipeline to the simulator over a real socket. The simulator's `fine-tuned` scenario moves
 * the log probabilities and keeps every answer: the known-answer canary on the same prompt
 * passes, the logprob canary fails.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimServer } from '../../src/sim/server.js';
import { startSim } from '../../src/sim/server.js';
import { runCli } from '../helpers/cli.js';

async function cli(args: string[], cwd: string, env: Record<string, string> = {}) {
  const p = runCli(args, { cwd, env });
  const code = await p.exited;
  return { code, out: p.stdout(), err: p.stderr() };
}

const RED = 'Which planet is known as the Red Planet? One word.';

describe('logprob canaries: a fine-tuned model that answers the same', () => {
  let sim: SimServer;
  let dir: string;
  const env = { BASELINE_KEY: 'logprob-baseline-key-0123456789' };

  beforeAll(async () => {
    sim = await startSim();
    dir = mkdtempSync(join(tmpdir(), 'coalmine-logprob-canary-'));
    writeFileSync(
      join(dir, 'coalmine.yaml'),
      `upstreams: [{ name: candidate, url: "${sim.url}" }]
canaries: [canaries.yaml]
canary: { hmac_key: "\${BASELINE_KEY}" }
`,
    );
    writeFileSync(
      join(dir, 'canaries.yaml'),
      `defaults: { model: candidate-model }
baselines: baseline.json
canaries:
  - id: red-logprobs
    request: { messages: [{ role: user, content: "${RED}" }], temperature: 0 }
    logprobs: { top_k: 5, tokens: 1 }
    expect: [{ equals: Mars }]
  - id: france-completions
    path: /v1/completions
    request: { prompt: "The capital of France is", temperature: 0 }
    logprobs: { top_k: 5, tokens: 2, samples: 6, alpha: 0.005 }
  - id: red-known
    request: { messages: [{ role: user, content: "${RED}" }], temperature: 0 }
    expect: [{ equals: Mars }]
`,
    );
  });
  afterAll(() => sim.close());

  it('cannot run without a baseline; records a signed one', async () => {
    const before = await cli(['canary', 'run', '--id', 'red-logprobs'], dir, env);
    expect(before.code).toBe(1);
    expect(before.out).toMatch(/^red-logprobs\s.*ERROR.*no baseline recorded/m);

    const rec = await cli(['canary', 'baseline', '--out', 'baseline.json'], dir, env);
    expect(rec.code, rec.err).toBe(0);
    expect(rec.out).toMatch(
      /recorded the top-5 logprobs of 10 calls for red-logprobs .*\d+ tokens/,
    );
    expect(rec.out).toMatch(/recorded the top-5 logprobs of 10 calls for france-completions/);
    const file = JSON.parse(readFileSync(join(dir, 'baseline.json'), 'utf8')) as {
      hmac_sha256: string;
      canaries: Record<string, { logprobs: { top_k: number; calls: unknown[][][] } }>;
    };
    expect(file.hmac_sha256).toMatch(/^[0-9a-f]{64}$/);
    const red = file.canaries['red-logprobs']!.logprobs;
    expect(red.top_k).toBe(5);
    expect(red.calls).toHaveLength(10);
    expect(red.calls[0]![0]).toHaveLength(5);
  });

  it('passes on the same model, and reports its cost in tokens', async () => {
    const r = await cli(['canary', 'run', '--json'], dir, env);
    expect(r.code, r.out + r.err).toBe(0);
    const results = JSON.parse(r.out) as {
      id: string;
      result: string;
      p_value: number | null;
      tokens: number;
      calls: number;
    }[];
    const red = results.find((x) => x.id === 'red-logprobs')!;
    expect(red).toMatchObject({ result: 'pass', calls: 5 });
    expect(red.p_value).toBeGreaterThan(0.001);
    expect(red.tokens).toBeGreaterThan(0);
    // 5 calls of a 13-token prompt and a 1-token answer, as the simulator counts them.
    expect(red.tokens).toBe(5 * (Math.ceil(RED.length / 4) + 1));
    expect(results.find((x) => x.id === 'france-completions')).toMatchObject({ result: 'pass' });
  });

  it('fails under fine-tuned, naming what moved; the known-answer canary cannot see it', async () => {
    sim.setScenario('fine-tuned');
    try {
      const r = await cli(['canary', 'run'], dir, env);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(
        /^red-logprobs\s+candidate\s+candidate-model\s+FAIL\s+0\.000333\s.*top-5 logprobs moved from the baseline: p = 0\.000333 < alpha 0\.001; largest shifts \(nats\): position 1 "[^"]{1,17}" [+-]0\.\d{3}/m,
      );
      expect(r.out).toMatch(/^france-completions\s.*FAIL.*logprobs moved from the baseline/m);
      expect(r.out).toMatch(/^red-known\s+candidate\s+candidate-model\s+PASS/m);
      expect(r.out).toContain('1 passed, 2 failed');
    } finally {
      sim.setScenario(undefined);
    }
  });

  it('refuses a tampered baseline', async () => {
    const path = join(dir, 'baseline.json');
    const good = readFileSync(path, 'utf8');
    try {
      writeFileSync(path, good.replace(/"logprob": -0\.(\d)/, '"logprob": -0.9$1'));
      expect(readFileSync(path, 'utf8')).not.toBe(good);
      const r = await cli(['canary', 'run'], dir, env);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(
        /baseline\.json:1:1: refused: baseline content does not match its sha256/,
      );
    } finally {
      writeFileSync(path, good);
    }
  });

  it('an upstream format without logprobs is an error, not a pass', async () => {
    writeFileSync(
      join(dir, 'anthropic.yaml'),
      `upstreams: [{ name: claude, url: "${sim.url}", provider: anthropic, api_key: k }]
canaries: [anthropic-canaries.yaml]
`,
    );
    writeFileSync(
      join(dir, 'anthropic-canaries.yaml'),
      `defaults: { model: claude-sonnet }
baselines: anthropic-baseline.json
canaries:
  - id: claude-logprobs
    request: { messages: [{ role: user, content: "${RED}" }], max_tokens: 5 }
    logprobs: {}
`,
    );
    const r = await cli(
      ['canary', 'baseline', '--config', 'anthropic.yaml', '--out', 'anthropic-baseline.json'],
      dir,
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/claude-logprobs.*cannot record a baseline: .*no logprobs/);
  });
});
