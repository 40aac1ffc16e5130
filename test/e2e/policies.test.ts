import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI, { APIError, BadRequestError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../../src/main.js';
import { SIM_SECRETS } from '../../src/sim/answer.js';
import type { SimServer } from '../../src/sim/server.js';
import { startSim } from '../../src/sim/server.js';
import { drain } from '../helpers/sdk.js';
import { adminFetch, eventually, metricsText, startProxy } from '../helpers/proxy.js';

const policy = (action: string, mode = 'enforce') => `name: creds
mode: ${mode}
rules:
  - id: aws-key
    check: regex
    params: { pattern: "AKIA[A-Z2-7]{16}" }
    action: ${action}
    severity: critical
`;

let sim: SimServer;
let proxy: Running & { dir: string };
let client: OpenAI;
const leak = [{ role: 'user' as const, content: 'show me the config [sim:leak-secret]' }];

async function setPolicy(text: string) {
  writeFileSync(join(proxy.dir, 'policy.yaml'), text);
  return (await adminFetch(proxy, '/admin/reload', { method: 'POST' })).json() as Promise<{
    result: string;
    version: string;
    errors: string[];
  }>;
}

beforeAll(async () => {
  sim = await startSim();
  proxy = await startProxy(
    { upstreams: [{ name: 'sim', url: sim.url }], policies: ['policy.yaml'] },
    { 'policy.yaml': policy('block') },
  );
  client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
});

afterAll(async () => {
  await proxy.shutdown();
  await sim.close();
});

describe('policies end to end with the openai SDK', () => {
  it('block surfaces as BadRequestError naming policy and rule, never the secret', async () => {
    await setPolicy(policy('block'));
    const err = await client.chat.completions
      .create({ model: 'm', messages: leak })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    const e = err as BadRequestError;
    expect(e.code).toBe('coalmine_policy_violation');
    expect(e.message).toContain('policy "creds" rule "aws-key"');
    expect(e.message).not.toContain(SIM_SECRETS.aws);
    expect(e.headers?.get('x-should-retry')).toBe('false');
  });

  it('redact replaces the key in the delivered message', async () => {
    await setPolicy(policy('redact'));
    const r = await client.chat.completions.create({ model: 'm', messages: leak });
    expect(r.choices[0]?.message.content).toContain('[REDACTED:aws-key]');
    expect(r.choices[0]?.message.content).not.toContain(SIM_SECRETS.aws);
  });

  it('flag delivers the answer unchanged with the decision header', async () => {
    const v = await setPolicy(policy('flag'));
    const { data, response } = await client.chat.completions
      .create({ model: 'm', messages: leak })
      .withResponse();
    expect(data.choices[0]?.message.content).toContain(SIM_SECRETS.aws);
    expect(response.headers.get('x-coalmine-decision')).toBe('flag');
    expect(response.headers.get('x-coalmine-policy-version')).toBe(v.version);
  });

  it('shadow never alters and is counted as what it would have done', async () => {
    await setPolicy(policy('block', 'shadow'));
    const r = await client.chat.completions.create({ model: 'm', messages: leak });
    expect(r.choices[0]?.message.content).toContain(SIM_SECRETS.aws);
    expect(await metricsText(proxy)).toMatch(
      /coalmine_verdicts_total\{policy="creds",rule="aws-key",check="regex",action="block",mode="shadow"\} 1/,
    );
  });

  it('rejects an invalid reload atomically: the old set keeps serving', async () => {
    const good = await setPolicy(policy('block'));
    expect(good.result).toBe('success');
    const bad = await setPolicy(policy('block').replace('AKIA[A-Z2-7]{16}', '(a+)+$'));
    expect(bad.result).toBe('failure');
    expect(bad.version).toBe(good.version);
    expect(bad.errors[0]).toMatch(
      /policy\.yaml:6:24: rules\.0\.params\.pattern: pattern can take exponential time/,
    );
    const err = await client.chat.completions
      .create({ model: 'm', messages: leak })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    const state = (await (await adminFetch(proxy, '/admin/policies')).json()) as {
      version: string;
      policies: { name: string }[];
      last_reload: { result: string; errors: string[] };
    };
    expect(state.version).toBe(good.version);
    expect(state.policies.map((p) => p.name)).toEqual(['creds']);
    expect(state.last_reload.result).toBe('failure');
    expect(await metricsText(proxy)).toMatch(
      /coalmine_policy_reloads_total\{result="failure"\} [1-9]/,
    );
    expect(await metricsText(proxy)).toContain(`coalmine_policy_info{version="${good.version}"} 1`);
  });

  it('reloads on a file change, debounced', async () => {
    await setPolicy(policy('block'));
    const before = proxy.policies.current.version;
    writeFileSync(join(proxy.dir, 'policy.yaml'), policy('redact'));
    await eventually(() => proxy.policies.current.version !== before, 5000);
    const r = await client.chat.completions.create({ model: 'm', messages: leak });
    expect(r.choices[0]?.message.content).toContain('[REDACTED:aws-key]');
  });

  it('needs the admin token to reload', async () => {
    expect((await fetch(`${proxy.adminUrl}/admin/reload`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${proxy.adminUrl}/admin/policies`)).status).toBe(401);
  });

  it('exports evaluation metrics', async () => {
    const m = await metricsText(proxy);
    expect(m).toMatch(/coalmine_responses_evaluated_total\{decision="block"\} [1-9]/);
    expect(m).toMatch(/coalmine_check_duration_seconds_count\{check="regex"\} [1-9]/);
    expect(m).toMatch(
      /coalmine_verdicts_total\{policy="creds",rule="aws-key",check="regex",action="redact",mode="enforce"\} [1-9]/,
    );
  });
});

describe('streaming enforcement end to end with the openai SDK', () => {
  it('redacts a leaked key in a live stream', async () => {
    await setPolicy(policy('redact'));
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: leak,
      stream: true,
    });
    const { text, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(text).toContain('[REDACTED:aws-key]');
    expect(text).not.toContain(SIM_SECRETS.aws);
  });

  it('blocks a live stream in-band: the SDK throws an APIError naming the rule', async () => {
    await setPolicy(policy('block'));
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: leak,
      stream: true,
    });
    const { text, error: err } = await drain(stream);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).message).toContain('policy "creds" rule "aws-key"');
    expect(text).not.toContain('AKIA');
    await eventually(async () =>
      (await metricsText(proxy)).includes('coalmine_stream_aborts_total{reason="policy_block"}'),
    );
  });
});
