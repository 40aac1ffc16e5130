/**
 * `state.url: rediss://:password@host:port`: a real `coalmine serve` reaches a real redis-server
 * over TLS with a password (the test certificate trusted through NODE_EXTRA_CA_CERTS, as an
 * operator would trust a private CA), takes the canary lease, and never writes the password to
 * its logs; a wrong password leaves it running on its own state and says so, without echoing it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { SimServer } from '../../src/sim/server.js';
import { startSim } from '../../src/sim/server.js';
import { runCli, type Spawned } from '../helpers/cli.js';
import { ADMIN_TOKEN, eventually } from '../helpers/proxy.js';
import { haveRedis, RedisServer } from '../helpers/redis.js';

const present = haveRedis();
const tlsDir = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
const PASSWORD = 'redis-password-never-logged-71c3';

describe.skipIf(!present)('shared state over rediss:// with a password', () => {
  let sim: SimServer;
  let redis: RedisServer;
  const procs: Spawned[] = [];

  beforeAll(async () => {
    sim = await startSim();
    redis = await RedisServer.start(undefined, {
      password: PASSWORD,
      tls: { cert: join(tlsDir, 'cert.pem'), key: join(tlsDir, 'key.pem') },
    });
  });
  afterAll(async () => {
    for (const p of procs)
      if (p.child.exitCode === null) {
        p.child.kill('SIGTERM');
        await p.exited;
      }
    await sim?.close();
    await redis?.stop();
  });

  async function serve(url: string) {
    const dir = mkdtempSync(join(tmpdir(), 'coalmine-tls-'));
    writeFileSync(
      join(dir, 'coalmine.yaml'),
      stringify({
        listen: '127.0.0.1:0',
        admin: { listen: '127.0.0.1:0', token: ADMIN_TOKEN },
        upstreams: [{ name: 'sim', url: sim.url }],
        canaries: ['c.yaml'],
        state: { backend: 'redis', url, key_prefix: 'tls:' },
      }),
    );
    writeFileSync(
      join(dir, 'c.yaml'),
      `canaries:
  - id: red-planet
    model: gpt-4o-mini
    every: 1h
    request: { messages: [{ role: user, content: "Which planet is known as the Red Planet?" }] }
    expect: [{ regex: { pattern: "mars", flags: i } }]
`,
    );
    const proc = runCli(['serve', '--config', join(dir, 'coalmine.yaml')], {
      cwd: dir,
      env: { NODE_EXTRA_CA_CERTS: join(tlsDir, 'cert.pem') },
    });
    procs.push(proc);
    const { admin } = JSON.parse(await proc.line(/coalmine listening/, 20_000)) as {
      admin: string;
    };
    const metrics = async () => (await fetch(`${admin}/metrics`)).text();
    return { proc, metrics };
  }

  it('connects over TLS, takes the lease, and keeps the password out of its logs', async () => {
    const p = await serve(redis.tlsUrl);
    await eventually(
      async () => /^coalmine_state_backend_up\{backend="redis"\} 1$/m.test(await p.metrics()),
      5_000,
    );
    await eventually(async () => /^coalmine_canary_lease_held 1$/m.test(await p.metrics()), 5_000);
    expect(p.proc.stderr()).toMatch(/"event":"canary_lease"/);
    expect(p.proc.stderr()).not.toContain(PASSWORD);
  });

  it('a wrong password: serves on its own state, logs the failure without the password', async () => {
    const wrong = 'wrong-password-also-never-logged-9d2e';
    const p = await serve(redis.tlsUrl.replace(PASSWORD, wrong));
    expect(await p.metrics()).toMatch(/^coalmine_state_backend_up\{backend="redis"\} 0$/m);
    await p.proc.line(/"event":"state_backend_down"/, 5_000);
    expect(p.proc.stderr()).toContain('rediss://***@127.0.0.1');
    expect(p.proc.stderr()).not.toContain(wrong);
    expect(p.proc.stderr()).not.toContain(PASSWORD);
  });
});
