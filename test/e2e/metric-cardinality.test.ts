import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../../src/main.js';
import type { SimServer } from '../../src/sim/server.js';
import { startSim } from '../../src/sim/server.js';
import { metricsText, startProxy } from '../helpers/proxy.js';

const series = (text: string) => text.split('\n').filter((l) => l.startsWith('coalmine_')).length;

describe('metric cardinality under client-controlled model names', () => {
  let sim: SimServer;
  let proxy: Running;
  beforeAll(async () => {
    sim = await startSim();
    proxy = await startProxy({
      upstreams: [{ name: 'sim', url: sim.url, models: { 'gpt-4o-mini': {} } }],
      canaries: [],
    });
  });
  afterAll(async () => {
    await proxy.shutdown();
    await sim.close();
  });

  const ask = (model: string, stream: boolean) =>
    fetch(`${proxy.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hi' }] }),
    }).then((r) => r.text());

  it('a flood of random model names through the proxy does not grow the series count', async () => {
    // Warm up every series a request can create: configured and unconfigured, JSON and stream.
    for (const model of ['gpt-4o-mini', `warm-${randomUUID()}`])
      for (const stream of [false, true]) await ask(model, stream);
    const before = await metricsText(proxy);
    for (let i = 0; i < 250; i++) await ask(`attacker-${randomUUID()}`, i % 2 === 0);
    const after = await metricsText(proxy);
    expect(series(after)).toBe(series(before));
    expect(after).not.toContain('attacker-');
    expect(after).toMatch(
      /coalmine_decisions_total\{upstream="sim",model="other",decision="pass"\} 25[1-2]/,
    );
    expect(after).toMatch(
      /coalmine_decisions_total\{upstream="sim",model="gpt-4o-mini",decision="pass"\} 2/,
    );
  });
});
