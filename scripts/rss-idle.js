#!/usr/bin/env node
/**
 * Idle RSS of `coalmine serve` (issue 15): starts the server with an upstream configured
 * (nothing listens there; idle means no traffic) and the default pack, waits until it listens,
 * lets it idle, reads VmRSS from /proc/<pid>/status, and stops it. Prints the median of `--runs`
 * starts (default 3) for each way users start it (`--via`, default both): `bin`, what the
 * `coalmine` executable runs (`node dist/cli.js serve`), and `npm-start`, the command of
 * package.json's `start` script (`node --import ./dist/instrumentation.js dist/cli.js serve`).
 *
 *   npm run build && node scripts/rss-idle.js [--runs N] [--idle-ms MS] [--via bin|npm-start] [--modules]
 *
 * `--modules` also lists the packages and src/ modules the server loaded (ESM resolutions via a
 * module.register hook, CommonJS through Module's require), largest package first, to see what
 * startup pulls in. Linux only (/proc).
 */
import { spawn } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    'idle-ms': { type: 'string', default: '3000' },
    modules: { type: 'boolean', default: false },
    via: { type: 'string' },
  },
});
const runs = Math.max(1, Number(values.runs) || 3);
const idleMs = Math.max(0, Number(values['idle-ms']) || 0);

const rssKb = (pid) => {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
};

/**
 * The node arguments of each way to start the server. `npm-start` is read from package.json (its
 * paths resolved against the repository, as npm runs it there); the child runs in a temporary
 * directory so that no coalmine.yaml is picked up.
 */
const VIA = {
  bin: [join(root, 'dist/cli.js'), 'serve'],
  'npm-start': (() => {
    const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const [node, ...args] = scripts.start.split(/\s+/);
    if (node !== 'node') throw new Error(`unexpected start script: ${scripts.start}`);
    return args.map((a) => (/^\.?\.?\/?dist\//.test(a) ? join(root, a) : a));
  })(),
};
const vias = values.via ? [values.via] : Object.keys(VIA);
for (const v of vias) if (!VIA[v]) throw new Error(`--via: one of ${Object.keys(VIA).join(', ')}`);

/** Starts the server, resolves with its pid once it logs that it listens. */
function start(via, extraArgs, env) {
  const child = spawn(
    process.execPath,
    [...extraArgs, ...VIA[via], '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'],
    {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH, COALMINE_UPSTREAM: 'http://127.0.0.1:9', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  return new Promise((resolve, reject) => {
    const onData = (d) => {
      log += d;
      if (log.includes('coalmine listening')) resolve(child);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`server exited (${code}) before listening:\n${log}`)),
    );
  });
}

const stop = (child) =>
  new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });

// Starts alternate between the ways, so drift on a shared machine hits them alike.
const samples = Object.fromEntries(vias.map((v) => [v, []]));
for (let i = 0; i < runs; i++)
  for (const via of vias) {
    const child = await start(via, [], {});
    await new Promise((r) => setTimeout(r, idleMs));
    samples[via].push(rssKb(child.pid) / 1024);
    await stop(child);
  }
for (const via of vias) {
  const s = samples[via].sort((a, b) => a - b);
  const median = s[Math.floor(s.length / 2)];
  console.log(
    `idle RSS (MB), ${via.padEnd(9)} ${runs} starts, ${idleMs} ms idle: median ${median.toFixed(1)}  [${s.map((x) => x.toFixed(1)).join(', ')}]`,
  );
}

if (values.modules) {
  const dir = mkdtempSync(join(tmpdir(), 'coalmine-rss-'));
  const out = join(dir, 'loaded.txt');
  const child = await start(vias[0], ['--import', join(root, 'scripts/trace-modules.js')], {
    COALMINE_TRACE_MODULES: out,
  });
  await new Promise((r) => setTimeout(r, 500));
  await stop(child);
  const files = [...new Set(readFileSync(out, 'utf8').split('\n').filter(Boolean))];
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
  const builtins = files.filter((f) => f.startsWith('node:'));
  const byPackage = new Map();
  for (const f of files.filter((f) => !f.startsWith('node:'))) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f);
    const key = m ? m[1] : f.startsWith(root) ? f.slice(root.length) : f;
    byPackage.set(key, (byPackage.get(key) ?? 0) + 1);
  }
  const pkgs = [...byPackage].filter(([k]) => !k.startsWith('dist/'));
  const own = [...byPackage].filter(([k]) => k.startsWith('dist/')).map(([k]) => k);
  console.log(`\npackages loaded (files):`);
  for (const [k, n] of pkgs.sort((a, b) => b[1] - a[1])) console.log(`  ${k} (${n})`);
  console.log(`\ndist modules loaded (${own.length}):`);
  for (const k of own.sort()) console.log(`  ${k}`);
  // Node's own modules: the bundled fetch (undici) and Web streams are the large lazy ones.
  const notable = builtins.filter((b) => /undici|webstreams|http2/.test(b));
  console.log(
    `\nNode modules loaded: ${builtins.length}; notable: ${notable.join(', ') || 'none'}`,
  );
}
