/**
 * Logprob canaries end to end: the CLI builds the proxy core, every call goes through its
 * pipeline to the simulator over a real socket. The simulator's `fine-tuned` scenario moves
 * the log probabilities and keeps every answer: the known-answer canary on the same prompt
 * passes, the logprob canary fails.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../../src/main.js';
import type { SimServer } from '../../src/sim/server.js';
import { startSim } from '../../src/sim/server.js';
import { canaryDir } from '../helpers/canary-dir.js';
import { runCli } from '../helpers/cli.js';
import { startProxy } from '../helpers/proxy.js';

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
    dir = canaryDir(
      'coalmine-logprob-canary-',
      sim.url,
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

describe('simulated logprobs reach a real client through the proxy intact', () => {
  let sim: SimServer;
  let proxy: Running;
  let client: OpenAI;

  beforeAll(async () => {
    sim = await startSim();
    proxy = await startProxy({ upstreams: [{ name: 'sim', url: sim.url }] });
    client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
  });
  afterAll(async () => {
    await proxy.shutdown();
    await sim.close();
  });

  const ask = { role: 'user' as const, content: 'Tell me about the mine.' };

  it('buffered chat: tokens spell the content, each with its top_logprobs', async () => {
    const r = await client.chat.completions.create({
      model: 'm',
      messages: [ask],
      logprobs: true,
      top_logprobs: 3,
    });
    const c = r.choices[0]!;
    const tokens = c.logprobs?.content ?? [];
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.map((t) => t.token).join('')).toBe(c.message.content);
    for (const t of tokens) expect(t.top_logprobs).toHaveLength(3);
  });

  it('streamed chat: one token per event, logprobs kept', async () => {
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: [ask],
      logprobs: true,
      top_logprobs: 2,
      stream: true,
    });
    let text = '';
    let spelled = '';
    for await (const chunk of stream) {
      const c = chunk.choices[0];
      text += c?.delta.content ?? '';
      for (const t of c?.logprobs?.content ?? []) spelled += t.token;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(spelled).toBe(text);
  });

  it('completions: tokens, token_logprobs and top_logprobs', async () => {
    const r = await client.completions.create({
      model: 'm',
      prompt: 'The capital of France is',
      logprobs: 4,
    });
    const c = r.choices[0]!;
    expect(c.logprobs?.tokens?.join('')).toBe(c.text);
    expect(Object.keys(c.logprobs?.top_logprobs?.[0] ?? {})).toHaveLength(4);
  });
});
