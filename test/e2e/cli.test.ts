import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startSim } from '../../src/sim/server.js';
import type { SimServer } from '../../src/sim/server.js';
import { runCli } from '../helpers/cli.js';
import type { Spawned } from '../helpers/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'coalmine-cli-'));
const running: Spawned[] = [];
const sims: SimServer[] = [];

afterEach(async () => {
  for (const r of running.splice(0)) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  for (const s of sims.splice(0)) await s.close();
});

function listening(line: string) {
  const j = JSON.parse(line) as { proxy: string; admin: string };
  return { proxy: j.proxy, admin: j.admin };
}

describe('coalmine CLI', () => {
  it('starts with no configuration in front of the simulator, says so first, and serves', async () => {
    const p = runCli(['serve', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'], {
      cwd: tmp(),
    });
    running.push(p);
    const { proxy } = listening(await p.line(/coalmine listening/));
    const first = p.stderr().split('\n')[0] ?? '';
    expect(first).toContain('NO UPSTREAM CONFIGURED');
    expect(first).toContain('built-in simulator');
    const client = new OpenAI({ baseURL: `${proxy}/v1`, apiKey: 'none', maxRetries: 0 });
    const r = await client.chat.completions.create({
      model: 'any',
      messages: [{ role: 'user', content: 'Which planet is the Red Planet?' }],
    });
    expect(r.choices[0]?.message.content).toBe('Mars');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it.each([
    [
      'an unknown key',
      'listen: 127.0.0.1:0\nupstreams:\n  - name: a\n    url: http://127.0.0.1:9\n    colour: blue\n',
      /coalmine\.yaml:5:5: upstreams\.0: unknown key "colour"/,
    ],
    ['broken YAML', 'upstreams: [\n', /coalmine\.yaml:2:1: /],
  ])('exits 2 with file:line:col on %s', async (_n, text, re) => {
    const dir = tmp();
    writeFileSync(join(dir, 'coalmine.yaml'), text);
    const p = runCli(['serve'], { cwd: dir });
    running.push(p);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toMatch(re);
  });

  it('drains in-flight streams on SIGTERM, then exits', async () => {
    const sim = await startSim();
    sims.push(sim);
    const dir = tmp();
    writeFileSync(
      join(dir, 'coalmine.yaml'),
      `listen: 127.0.0.1:0\nadmin: { listen: "127.0.0.1:0" }\nupstreams: [{ name: sim, url: "${sim.url}" }]\nshutdown: { grace: 10s }\n`,
    );
    const p = runCli(['serve'], { cwd: dir });
    running.push(p);
    const { proxy, admin } = listening(await p.line(/coalmine listening/));
    const client = new OpenAI({ baseURL: `${proxy}/v1`, apiKey: 'none', maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x [sim:slow=40,chunks=20]' }],
      stream: true,
    });
    let text = '';
    let signalled = false;
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? '';
      if (!signalled) {
        signalled = true;
        p.child.kill('SIGTERM');
        await p.line(/draining/);
        await expect(fetch(`${proxy}/v1/models`)).rejects.toThrow();
      }
    }
    const whole = (await (
      await fetch(`${sim.url}/v1/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({
          model: 'm',
          messages: [{ role: 'user', content: 'x [sim:slow=40,chunks=20]' }],
        }),
      })
    ).json()) as { choices: { message: { content: string } }[] };
    expect(text).toBe(whole.choices[0]?.message.content);
    expect(await p.exited).toBe(0);
    await expect(fetch(`${admin}/healthz`)).rejects.toThrow();
  });
});
