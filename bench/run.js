// `npm run bench`: one invocation measures, on the simulator as upstream,
//   direct                   the simulator itself (reference for TTFB)
//   bare pipe                bench/bare-proxy.js, a minimal node:http pipe proxy (the baseline)
//   coalmine                 dist/cli.js serve, `policies: []`
//   coalmine + default pack  dist/cli.js serve with the shipped default pack
// on three workloads: a ~1 KB JSON answer, a stream written one event per write, and the
// same stream with all its events coalesced into one write. The proxies run pinned to CPU 0,
// the load generator (autocannon, in this process) and the simulator to CPU 1 (taskset, when
// available), so the proxy under test has one core to itself.
//
// Per load run (BENCH_DURATION s, BENCH_CONNECTIONS connections) of a proxy it records
//   - throughput (requests/s) and latency p50/p99, from autocannon;
//   - CPU time of the proxy process: the sum over its threads of /proc/PID/task/*/schedstat
//     (ns on CPU; /proc/PID/stat utime+stime in clock ticks when schedstat is missing), read
//     before and after the run and divided by the requests completed, and by the events per
//     stream (counted on the simulator's own answer) for the stream workloads;
//   - peak RSS: VmRSS from /proc/PID/status sampled every 100 ms during the run.
// Rounds run every workload on every target in turn (the order rotates each round), so drift
// on a shared machine hits all targets alike; each round ends with time-to-first-byte
// samples (sequential requests on one keep-alive connection per target, targets
// interleaved request by request). Figures are medians over rounds; ratios and differences
// against the bare pipe are taken within a round, then their median is reported.
// RSS is also read after start, idle after a warm-up, and idle after the last round.
//
// Results go to bench/results/proxy.md and proxy.json (untracked) and to stdout; with
// `--write` (`npm run bench -- --write`) the table also replaces the results section of
// bench/README.md. Knobs: BENCH_DURATION (s per run, 6), BENCH_CONNECTIONS (32),
// BENCH_ROUNDS (3), BENCH_TTFB_SAMPLES (2000 per target and workload, split over rounds).
import { spawn, execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { writeResults } from './readme.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DURATION = Number(process.env.BENCH_DURATION ?? 6);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const TTFB_SAMPLES = Number(process.env.BENCH_TTFB_SAMPLES ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Warm-up per target and workload before the first round (JIT, pools, caches). */
const WARMUP = Math.min(DURATION, 3);
/** Targets: [JSON ≥ 0.85× the bare pipe, streams ≥ 0.70× in both shapes] (issue #15). */
const TARGET_RATIO = { json: 0.85, stream: 0.7, 'stream-burst': 0.7 };
/** Peak RSS under load: at most 1.2× the bare pipe's plus 40 MB (issue #15). */
const rssTarget = (pipeMb) => 1.2 * pipeMb + 40;
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

/** Starts a node process (pinned to `cpu`); resolves { url, pid } once `re` matches a stderr line. */
function start(cpu, args, re) {
  const cmd = PIN ? 'taskset' : process.execPath;
  // taskset execs node, so the child's pid is the node process's.
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
          resolve({ url: m[1], pid: child.pid });
          return;
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${args.join(' ')}\n${err}`)));
  });
}

// ---- /proc readings of a child process ----

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Nanoseconds the process has spent on a CPU, all its threads together. */
function cpuNs(pid) {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`))
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    return ns;
  } catch {
    // No schedstat (kernel without CONFIG_SCHED_INFO): utime + stime, in clock ticks.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1e9) / CLK_TCK;
  }
}

/** A field of /proc/PID/status in kB (VmRSS: resident now; VmHWM: the peak so far). */
function statusKb(pid, field) {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
  );
  return m ? Number(m[1]) : NaN;
}
const rssMb = (pid) => statusKb(pid, 'VmRSS') / 1024;

// ---- workloads ----

const body = (content, stream) =>
  JSON.stringify({ model: 'bench-model', stream, messages: [{ role: 'user', content }] });
const SCENARIOS = {
  json: body('benchmark [sim:size=700]', false), // ~1 KB response body
  // The answer split into up to 50 content events (44 for this answer; with role, finish and
  // [DONE], 47 in all: counted at run time), one write per event as a model streams tokens.
  stream: body('benchmark [sim:chunks=50]', true),
  // The same events in a single write: all parsing, no waiting.
  'stream-burst': body('benchmark [sim:chunks=50,burst]', true),
};

function post(url, payload, agent) {
  return new Promise((resolve, reject) => {
    const u = new URL(`${url}/v1/chat/completions`);
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json' },
      },
      resolve,
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** SSE events in the simulator's answer (data frames, `[DONE]` included); 1 for JSON. */
async function eventsPerResponse(url, payload) {
  const res = await post(url, payload);
  let text = '';
  for await (const c of res) text += c;
  if (!String(res.headers['content-type']).startsWith('text/event-stream')) return 1;
  return text.split('\n\n').filter((f) => /^data:/m.test(f)).length;
}

/** One autocannon run against a target, with the proxy's CPU time and peak RSS around it. */
async function load(target, payload, duration = DURATION) {
  const { url, pid } = target;
  const proxy = pid !== undefined;
  let peak = proxy ? rssMb(pid) : NaN;
  const sampler = proxy ? setInterval(() => (peak = Math.max(peak, rssMb(pid))), 100) : undefined;
  const cpu0 = proxy ? cpuNs(pid) : NaN;
  const r = await new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}/v1/chat/completions`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
        connections: CONNECTIONS,
        duration,
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
  });
  // Let the proxy finish with the connections autocannon dropped at the end before reading.
  await sleep(200);
  clearInterval(sampler);
  const cpu = proxy ? cpuNs(pid) - cpu0 : NaN;
  if (proxy) peak = Math.max(peak, rssMb(pid));
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    completed: r.requests.total,
    errors: r.errors + r.non2xx,
    cpuUsPerRequest: cpu / 1000 / r.requests.total,
    peakRssMb: peak,
  };
}

const agents = new Map();
async function ttfbOnce(url, payload) {
  if (!agents.has(url)) agents.set(url, new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const t0 = process.hrtime.bigint();
  const res = await post(url, payload, agents.get(url));
  let first;
  for await (const _ of res) first ??= process.hrtime.bigint();
  return Number((first ?? process.hrtime.bigint()) - t0) / 1e6;
}

/** `n` sequential requests per target, one keep-alive connection each, targets interleaved. */
async function ttfb(targets, payload, n, warm) {
  const names = Object.keys(targets);
  const samples = Object.fromEntries(names.map((k) => [k, []]));
  for (let i = 0; i < warm + n; i++)
    for (const name of names) {
      const ms = await ttfbOnce(targets[name].url, payload);
      if (i >= warm) samples[name].push(ms);
    }
  return samples;
}

// ---- statistics and formatting ----

const median = (xs) => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const quantile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const fmt = (n, d = 0) =>
  Number.isNaN(n)
    ? '—'
    : n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const signed = (n, d) => (Number.isNaN(n) ? '—' : `${n >= 0 ? '+' : '−'}${fmt(Math.abs(n), d)}`);

async function main() {
  const cpuLoad = PIN ? 1 : 0;
  if (PIN) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  const url = /"url":"([^"]+)"/;
  const sim = await start(cpuLoad, ['dist/cli.js', 'sim', '--port', '0'], url);
  const bare = await start(0, ['bench/bare-proxy.js', sim.url], url);
  const dir = mkdtempSync(join(tmpdir(), 'coalmine-bench-'));
  // Explicit configs: the simulator as the only upstream, no canaries (their traffic would
  // land in the measurement), admin on a free port.
  const config = (name, policies) => {
    writeFileSync(
      join(dir, name),
      `listen: 127.0.0.1:0\nadmin: { listen: "127.0.0.1:0" }\nupstreams: [{ name: sim, url: "${sim.url}" }]\ncanaries: []\ncanary: { schedule: false }\n${policies}`,
    );
    return join(dir, name);
  };
  const serve = (file) => start(0, ['dist/cli.js', 'serve', '--config', file], /"proxy":"([^"]+)"/);
  const coal = await serve(config('none.yaml', 'policies: []\n'));
  // No `policies:` key: the shipped default pack, streaming enforcement included.
  const pack = await serve(config('pack.yaml', ''));
  const targets = {
    direct: { url: sim.url }, // the simulator's CPU and RSS are not the proxy's: not recorded
    'bare pipe': bare,
    coalmine: coal,
    'coalmine + default pack': pack,
  };
  const names = Object.keys(targets);
  const proxies = names.filter((n) => targets[n].pid !== undefined);
  await sleep(1000);
  const rssStart = Object.fromEntries(proxies.map((n) => [n, rssMb(targets[n].pid)]));

  const events = {};
  for (const [s, payload] of Object.entries(SCENARIOS))
    events[s] = await eventsPerResponse(sim.url, payload);
  process.stderr.write(`events per response: ${JSON.stringify(events)}\n`);

  for (const [s, payload] of Object.entries(SCENARIOS))
    for (const name of names) {
      await load(targets[name], payload, WARMUP);
      process.stderr.write(`warm-up ${s} ${name}\n`);
    }
  await ttfb(targets, SCENARIOS.stream, 100, 0);
  await sleep(2000);
  const rssIdle = Object.fromEntries(proxies.map((n) => [n, rssMb(targets[n].pid)]));

  // runs[scenario][target] = one entry per round; ttfbs likewise, the round's samples.
  const runs = {};
  const ttfbs = {};
  for (const s of Object.keys(SCENARIOS)) {
    runs[s] = Object.fromEntries(names.map((n) => [n, []]));
    ttfbs[s] = Object.fromEntries(names.map((n) => [n, []]));
  }
  const perRound = Math.ceil(TTFB_SAMPLES / ROUNDS);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [s, payload] of Object.entries(SCENARIOS)) {
      // Each target in turn, starting one further along each round.
      for (let k = 0; k < names.length; k++) {
        const name = names[(k + round) % names.length];
        const r = await load(targets[name], payload);
        r.cpuUsPerEvent = r.cpuUsPerRequest / events[s];
        runs[s][name][round] = r;
        process.stderr.write(
          `round ${round + 1} ${s.padEnd(12)} ${name.padEnd(23)} ${fmt(r.rps).padStart(6)} req/s` +
            (Number.isNaN(r.cpuUsPerRequest)
              ? '\n'
              : `, ${fmt(r.cpuUsPerRequest, 1)} µs CPU/request, peak RSS ${fmt(r.peakRssMb, 1)} MB\n`),
        );
      }
      const t = await ttfb(targets, payload, perRound, 50);
      for (const name of names) ttfbs[s][name][round] = t[name];
    }
  }
  await sleep(2000);
  const rssEnd = Object.fromEntries(proxies.map((n) => [n, rssMb(targets[n].pid)]));
  const hwm = Object.fromEntries(proxies.map((n) => [n, statusKb(targets[n].pid, 'VmHWM') / 1024]));

  // ---- aggregate ----
  const results = {};
  for (const s of Object.keys(SCENARIOS)) {
    results[s] = {};
    for (const name of names) {
      const rs = runs[s][name];
      const all = ttfbs[s][name].flat();
      results[s][name] = {
        rps: median(rs.map((r) => r.rps)),
        p50: median(rs.map((r) => r.p50)),
        p99: median(rs.map((r) => r.p99)),
        ttfb50: quantile(all, 0.5),
        ttfb99: quantile(all, 0.99),
        cpuUsPerRequest: median(rs.map((r) => r.cpuUsPerRequest)),
        cpuUsPerEvent: median(rs.map((r) => r.cpuUsPerEvent)),
        peakRssMb: Math.max(...rs.map((r) => r.peakRssMb)),
        errors: rs.reduce((n, r) => n + r.errors, 0),
      };
    }
  }
  // Against the bare pipe (and direct, for TTFB), round by round, then the median.
  const vs = {};
  for (const s of Object.keys(SCENARIOS)) {
    vs[s] = {};
    for (const name of ['coalmine', 'coalmine + default pack']) {
      const per = (f) => median([...Array(ROUNDS).keys()].map(f));
      const r = (n, i) => runs[s][n][i];
      const t50 = (n, i) => quantile(ttfbs[s][n][i], 0.5);
      const t99 = (n, i) => quantile(ttfbs[s][n][i], 0.99);
      const ratio = per((i) => r(name, i).rps / r('bare pipe', i).rps);
      vs[s][name] = {
        throughputRatio: ratio,
        target: TARGET_RATIO[s],
        met: ratio >= TARGET_RATIO[s],
        addedCpuUsPerRequest: per(
          (i) => r(name, i).cpuUsPerRequest - r('bare pipe', i).cpuUsPerRequest,
        ),
        addedCpuUsPerEvent: per((i) => r(name, i).cpuUsPerEvent - r('bare pipe', i).cpuUsPerEvent),
        ttfbOverheadP50VsPipe: per((i) => t50(name, i) - t50('bare pipe', i)),
        ttfbOverheadP50VsDirect: per((i) => t50(name, i) - t50('direct', i)),
        ttfbOverheadP99VsDirect: per((i) => t99(name, i) - t99('direct', i)),
      };
    }
  }

  // ---- report ----
  const lines = [];
  lines.push(
    `Measured ${new Date().toISOString().slice(0, 10)} on ${process.platform}/${process.arch}, Node ${process.versions.node}, ${PIN ? 'proxies pinned to CPU 0, load and simulator on CPU 1' : 'no CPU pinning (taskset missing)'}; ${CONNECTIONS} connections, ${ROUNDS} interleaved round${ROUNDS > 1 ? 's' : ''} of ${DURATION} s per target and workload (medians shown), TTFB over ${perRound * ROUNDS} sequential requests per target. Events per stream: ${events.stream} (stream), ${events['stream-burst']} (stream-burst).`,
    '',
    '| workload | target | req/s | latency p50 / p99 (ms) | TTFB p50 / p99 (ms) | CPU µs / request | CPU µs / event | peak RSS (MB) | errors |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const s of Object.keys(SCENARIOS))
    for (const name of names) {
      const v = results[s][name];
      lines.push(
        `| ${s} | ${name} | ${fmt(v.rps)} | ${v.p50} / ${v.p99} | ${fmt(v.ttfb50, 3)} / ${fmt(v.ttfb99, 3)} | ${fmt(v.cpuUsPerRequest, 1)} | ${s === 'json' ? '—' : fmt(v.cpuUsPerEvent, 2)} | ${fmt(v.peakRssMb, 1)} | ${v.errors} |`,
      );
    }
  lines.push(
    '',
    'Against the bare pipe, median over rounds of each round’s ratio or difference:',
    '',
    '| workload | Coalmine | throughput / bare pipe (target) | added CPU µs / request | added CPU µs / event | TTFB overhead p50 vs bare pipe (ms) | TTFB overhead vs direct, p50 / p99 (ms) |',
    '|---|---|---:|---:|---:|---:|---:|',
  );
  for (const s of Object.keys(SCENARIOS))
    for (const [name, v] of Object.entries(vs[s]))
      lines.push(
        `| ${s} | ${name === 'coalmine' ? 'no policies' : 'default pack'} | ${fmt(v.throughputRatio, 2)}× (≥ ${fmt(v.target, 2)}× ${v.met ? '✓' : '✗'}) | ${signed(v.addedCpuUsPerRequest, 1)} | ${s === 'json' ? '—' : signed(v.addedCpuUsPerEvent, 2)} | ${signed(v.ttfbOverheadP50VsPipe, 3)} | ${signed(v.ttfbOverheadP50VsDirect, 3)} / ${signed(v.ttfbOverheadP99VsDirect, 3)} |`,
      );
  lines.push(
    '',
    `Resident memory (VmRSS, MB): after start; idle after the warm-up; the peak under the ${CONNECTIONS}-connection load (sampled every 100 ms, all workloads); idle after the last round; VmHWM.`,
    '',
    '| target | after start | idle | under load (peak) | peak target (≤ 1.2× pipe + 40) | idle after | VmHWM |',
    '|---|---:|---:|---:|---:|---:|---:|',
  );
  const peakOf = (name) =>
    Math.max(...Object.keys(SCENARIOS).map((s) => results[s][name].peakRssMb));
  const pipePeak = peakOf('bare pipe');
  for (const name of proxies) {
    const peak = peakOf(name);
    const target =
      name === 'bare pipe'
        ? '—'
        : `${fmt(rssTarget(pipePeak), 1)} ${peak <= rssTarget(pipePeak) ? '✓' : '✗'}`;
    lines.push(
      `| ${name} | ${fmt(rssStart[name], 1)} | ${fmt(rssIdle[name], 1)} | ${fmt(peak, 1)} | ${target} | ${fmt(rssEnd[name], 1)} | ${fmt(hwm[name], 1)} |`,
    );
  }
  const table = lines.join('\n');
  process.stdout.write(`\n${table}\n`);
  writeResults('proxy', table, {
    data: {
      date: new Date().toISOString(),
      node: process.versions.node,
      platform: `${process.platform}/${process.arch}`,
      pinned: PIN,
      settings: {
        duration: DURATION,
        connections: CONNECTIONS,
        rounds: ROUNDS,
        ttfbPerRound: perRound,
      },
      eventsPerResponse: events,
      results,
      vsBarePipe: vs,
      rssMb: { start: rssStart, idle: rssIdle, end: rssEnd, hwm, peakTarget: rssTarget(pipePeak) },
      runs,
    },
  });
  rmSync(dir, { recursive: true, force: true });
}

main()
  .catch((e) => {
    process.stderr.write(`${e.stack ?? e}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill('SIGTERM');
  });
