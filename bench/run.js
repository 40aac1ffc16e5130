// `npm run bench`: one invocation measures, on the simulator as upstream,
//   direct        the simulator itself
//   bare pipe     bench/bare-proxy.js, a minimal node:http pipe proxy
//   coalmine      dist/cli.js serve (no policies)
// with the proxies pinned to CPU 0 and the load generator and simulator on CPU 1 (taskset,
// when available). Prints requests/s, latency p50/p99 and time to first byte for each,
// with ratios, and writes them into bench/README.md between the result markers.
import { spawn, execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { writeResults } from './readme.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DURATION = Number(process.env.BENCH_DURATION ?? 6);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const TTFB_SAMPLES = Number(process.env.BENCH_TTFB_SAMPLES ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const children = [];

function hasTaskset() {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return true;
  } catch {
    return false;
  }
}
const PIN = hasTaskset();

function start(cpu, args, re) {
  const cmd = PIN ? 'taskset' : process.execPath;
  const argv = PIN ? ['-c', String(cpu), process.execPath, ...args] : args;
  const child = spawn(cmd, argv, {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, COALMINE_CONFIG: '' },
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let err = '';
    const t = setTimeout(() => reject(new Error(`no start: ${args.join(' ')}\n${err}`)), 15000);
    child.stderr.on('data', (c) => {
      err += c;
      for (const line of err.split('\n')) {
        const m = re.exec(line);
        if (m) {
          clearTimeout(t);
          child.stderr.removeAllListeners('data');
          child.stderr.resume();
          resolve(m[1]);
          return;
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${args.join(' ')}\n${err}`)));
  });
}

const body = (content, stream) =>
  JSON.stringify({ model: 'bench-model', stream, messages: [{ role: 'user', content }] });
const SCENARIOS = {
  json: body('benchmark [sim:size=700]', false), // ~1 KB response body
  // 50 content events (+ role, finish, [DONE]), one write per event as a model streams tokens
  stream: body('benchmark [sim:chunks=50]', true),
  // the same 53 events in a single write: all parsing, no waiting
  'stream-burst': body('benchmark [sim:chunks=50,burst]', true),
};

function load(url, payload) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}/v1/chat/completions`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
        connections: CONNECTIONS,
        duration: DURATION,
      },
      (err, r) => (err ? reject(err) : resolve(r)),
    );
  });
}

const agents = new Map();
function ttfbOnce(url, payload) {
  if (!agents.has(url)) agents.set(url, new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const agent = agents.get(url);
  return new Promise((resolve, reject) => {
    const u = new URL(`${url}/v1/chat/completions`);
    const t0 = process.hrtime.bigint();
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let first;
        res.on('data', () => (first ??= process.hrtime.bigint()));
        res.on('end', () => resolve(Number((first ?? process.hrtime.bigint()) - t0) / 1e6));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Sequential requests on one keep-alive connection per target, the targets interleaved. */
async function ttfb(targets, payload) {
  const urls = Object.values(targets);
  const samples = urls.map(() => []);
  for (let i = 0; i < 200 + TTFB_SAMPLES; i++) {
    for (const [k, url] of urls.entries()) {
      const ms = await ttfbOnce(url, payload);
      if (i >= 200) samples[k].push(ms);
    }
  }
  return Object.fromEntries(
    Object.keys(targets).map((name, k) => {
      const xs = samples[k].sort((a, b) => a - b);
      const q = (p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
      return [name, { p50: q(0.5), p99: q(0.99) }];
    }),
  );
}

const fmt = (n, d = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

async function main() {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  const cpuLoad = PIN ? 1 : undefined;
  if (PIN) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  const sim = await start(cpuLoad ?? 0, ['dist/cli.js', 'sim', '--port', '0'], /"url":"([^"]+)"/);
  const bare = await start(0, ['bench/bare-proxy.js', sim], /"url":"([^"]+)"/);
  const dir = mkdtempSync(join(tmpdir(), 'coalmine-bench-'));
  const config = (name, policies) => {
    writeFileSync(
      join(dir, name),
      `listen: 127.0.0.1:0\nadmin: { listen: "127.0.0.1:0" }\nupstreams: [{ name: sim, url: "${sim}" }]\n${policies}`,
    );
    return join(dir, name);
  };
  const coal = await start(
    0,
    ['dist/cli.js', 'serve', '--config', config('none.yaml', 'policies: []\n')],
    /"proxy":"([^"]+)"/,
  );
  // No `policies:` key: the shipped default pack, streaming enforcement included.
  const pack = await start(
    0,
    ['dist/cli.js', 'serve', '--config', config('pack.yaml', '')],
    /"proxy":"([^"]+)"/,
  );
  const targets = {
    direct: sim,
    'bare pipe': bare,
    coalmine: coal,
    'coalmine + default pack': pack,
  };
  const results = {};
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const [scenario, payload] of Object.entries(SCENARIOS)) {
    const runs = Object.fromEntries(Object.keys(targets).map((n) => [n, []]));
    for (const url of Object.values(targets)) await load(url, payload); // warm-up
    // Rounds interleave the targets, so drift on the machine hits all of them alike.
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, url] of Object.entries(targets)) {
        const r = await load(url, payload);
        runs[name].push(r);
        process.stderr.write(
          `${scenario.padEnd(12)} round ${round + 1} ${name.padEnd(9)} ${fmt(r.requests.average)} req/s\n`,
        );
      }
    }
    const ttfbs = await ttfb(targets, payload);
    for (const name of Object.keys(targets)) {
      const t = ttfbs[name];
      const rs = runs[name];
      results[`${scenario}/${name}`] = {
        rps: median(rs.map((r) => r.requests.average)),
        p50: median(rs.map((r) => r.latency.p50)),
        p99: median(rs.map((r) => r.latency.p99)),
        errors: rs.reduce((n, r) => n + r.errors + r.non2xx, 0),
        ttfb50: t.p50,
        ttfb99: t.p99,
      };
    }
  }
  const lines = [];
  lines.push(
    `Measured ${new Date().toISOString().slice(0, 10)} on ${process.platform}/${process.arch}, Node ${process.versions.node}, ${PIN ? 'proxies pinned to CPU 0, load and simulator on CPU 1' : 'no CPU pinning (taskset missing)'}; ${CONNECTIONS} connections, median of ${ROUNDS} interleaved runs of ${DURATION} s, TTFB over ${TTFB_SAMPLES} sequential requests.`,
  );
  lines.push('');
  lines.push(
    '| scenario | target | req/s | latency p50 (ms) | latency p99 (ms) | TTFB p50 (ms) | TTFB p99 (ms) | errors |',
  );
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const [k, v] of Object.entries(results)) {
    const [s, t] = k.split('/');
    lines.push(
      `| ${s} | ${t} | ${fmt(v.rps)} | ${v.p50} | ${v.p99} | ${fmt(v.ttfb50, 3)} | ${fmt(v.ttfb99, 3)} | ${v.errors} |`,
    );
  }
  lines.push('');
  lines.push(
    '| scenario | Coalmine | throughput / bare pipe | TTFB overhead vs direct, p50 / p99 (ms) | vs bare pipe, p50 (ms) |',
  );
  lines.push('|---|---|---:|---:|---:|');
  for (const s of Object.keys(SCENARIOS)) {
    const b = results[`${s}/bare pipe`];
    const d = results[`${s}/direct`];
    for (const name of ['coalmine', 'coalmine + default pack']) {
      const c = results[`${s}/${name}`];
      const label = name === 'coalmine' ? 'no policies' : 'default pack';
      lines.push(
        `| ${s} | ${label} | ${fmt((100 * c.rps) / b.rps, 1)} % | ${fmt(c.ttfb50 - d.ttfb50, 3)} / ${fmt(c.ttfb99 - d.ttfb99, 3)} | ${fmt(c.ttfb50 - b.ttfb50, 3)} |`,
      );
    }
  }
  const table = lines.join('\n');
  process.stdout.write(`\n${table}\n`);
  writeResults('proxy', table);
}

main()
  .catch((e) => {
    process.stderr.write(`${e.stack ?? e}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill('SIGTERM');
  });
