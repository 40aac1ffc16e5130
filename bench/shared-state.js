// What sharing state through Redis costs and how fast it travels (issue 18):
// 1. request path: the same buffered chat answer through two Coalmine processes in front of one
//    simulator, `state.backend: memory` and `state.backend: redis` (a throwaway redis-server),
//    with a canaried model pinned to nothing (its identity is shared); sequential requests on
//    one keep-alive connection per target, interleaved; latency p50 / p99 and the difference.
// 2. propagation: three replicas in this process (one RedisLink and Quarantine each, as
//    separate processes would have), N quarantines entered on one and released on another;
//    the time until both others hold (enter) or serve (release) it, p50 / p99 / max.
// Usage: npm run bench:state [-- N] (default 2000 requests, N/10 quarantine cycles).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quantile, timedRequest } from './timed-request.js';
import { Quarantine } from '../dist/canary/quarantine.js';
import { RedisLink } from '../dist/state/redis-link.js';
import { RedisQuarantineStore } from '../dist/state/redis-quarantine.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.argv[2] ?? 2000);
const children = [];

function start(cmd, args, re) {
  const child = spawn(cmd, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, COALMINE_CONFIG: '' },
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const on = (c) => {
      out += c;
      const m = re.exec(out);
      if (m) {
        child.stderr.removeAllListeners('data');
        child.stdout.removeAllListeners('data');
        child.stderr.resume();
        child.stdout.resume();
        resolve(m[1]);
      }
    };
    child.stderr.on('data', on);
    child.stdout.on('data', on);
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${args.join(' ')}\n${out}`)));
  });
}

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

const payload = JSON.stringify({
  model: 'bench-model',
  messages: [{ role: 'user', content: 'Capital of France?' }],
});
const sign = (x) => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;

async function requestPath(redisUrl) {
  const sim = await start(
    process.execPath,
    ['dist/cli.js', 'sim', '--port', '0'],
    /"url":"([^"]+)"/,
  );
  const dir = mkdtempSync(join(tmpdir(), 'coalmine-bench-state-'));
  const serve = (name, state) => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(
      file,
      `listen: 127.0.0.1:0\nadmin: { listen: "127.0.0.1:0" }\npolicies: []\ncanaries: []\ncanary: { schedule: false }\nupstreams: [{ name: sim, url: "${sim}", models: { bench-model: {} } }]\nstate: ${state}\n`,
    );
    return start(process.execPath, ['dist/cli.js', 'serve', '--config', file], /"proxy":"([^"]+)"/);
  };
  const targets = {
    memory: await serve('memory', '{ backend: memory }'),
    redis: await serve('redis', `{ backend: redis, url: "${redisUrl}", key_prefix: "bench:" }`),
  };
  const samples = { memory: [], redis: [] };
  for (let i = 0; i < 200 + N; i++)
    for (const name of Object.keys(targets)) {
      const ms = await timedRequest(targets[name], payload);
      if (i >= 200) samples[name].push(ms);
    }
  console.log(
    `Latency over ${N} sequential buffered requests per target, Node ${process.versions.node}`,
  );
  console.log('| state.backend | p50 (ms) | p99 (ms) |\n| --- | ---: | ---: |');
  for (const name of Object.keys(targets))
    console.log(
      `| ${name} | ${quantile(samples[name], 0.5).toFixed(3)} | ${quantile(samples[name], 0.99).toFixed(3)} |`,
    );
  const d = (p) => quantile(samples.redis, p) - quantile(samples.memory, p);
  console.log(`redis backend: ${sign(d(0.5))} ms p50, ${sign(d(0.99))} ms p99\n`);
}

async function propagation(redisUrl) {
  const cycles = Math.max(20, Math.floor(N / 10));
  const replicas = [0, 1, 2].map(() => {
    const q = new Quarantine(
      new Map([['up', { on: ['canary_failure'], action: 'block' }]]),
      (_u, m) => m ?? 'other',
      { record() {} },
    );
    const link = new RedisLink({ url: redisUrl, keyPrefix: 'bench-prop:' });
    new RedisQuarantineStore(link, q);
    return { q, link };
  });
  await Promise.all(replicas.map((r) => r.link.start()));
  const wait = async (ok) => {
    const t0 = performance.now();
    while (!ok()) await new Promise((r) => setImmediate(r));
    return performance.now() - t0;
  };
  const enter = [];
  const release = [];
  const [a, b, c] = replicas;
  for (let i = 0; i < cycles; i++) {
    const model = `m${i}`;
    const held = (r) => r.q.admit('up', model)?.action === 'block';
    a.q.record({ kind: 'canary', canary: 'c', upstream: 'up', model, result: 'fail' });
    enter.push(await wait(() => held(b) && held(c)));
    b.q.release('up', model, 'bench');
    release.push(await wait(() => !held(a) && !held(c)));
  }
  await Promise.all(replicas.map((r) => r.link.close()));
  console.log(`Quarantine propagation between three replicas on one Redis, ${cycles} cycles`);
  console.log('| change | p50 (ms) | p99 (ms) | max (ms) |\n| --- | ---: | ---: | ---: |');
  for (const [name, xs] of [
    ['enter on A, held on B and C', enter],
    ['release on B, served on A and C', release],
  ])
    console.log(
      `| ${name} | ${quantile(xs, 0.5).toFixed(2)} | ${quantile(xs, 0.99).toFixed(2)} | ${Math.max(...xs).toFixed(2)} |`,
    );
}

try {
  const port = await freePort();
  await start(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    /(Ready to accept connections)/,
  );
  const url = `redis://127.0.0.1:${port}`;
  await requestPath(url);
  await propagation(url);
} finally {
  for (const c of children) c.kill();
}
