#!/usr/bin/env node
/**
 * Idle RSS of `coalmine serve` (issue 15): starts `node dist/cli.js serve` with an upstream
 * configured (nothing listens there; idle means no traffic) and the default pack, waits until
 * it listens, lets it idle, reads VmRSS from /proc/<pid>/status, and stops it. Prints the
 * median of `--runs` starts (default 3).
 *
 *   npm run build && node scripts/rss-idle.js [--runs N] [--idle-ms MS] [--modules]
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
  },
});
const runs = Math.max(1, Number(values.runs) || 3);
const idleMs = Math.max(0, Number(values['idle-ms']) || 0);

const rssKb = (pid) => {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
};

/** Starts the server, resolves with its pid once it logs that it listens. */
function start(extraArgs, env) {
  const child = spawn(
    process.execPath,
    [
      ...extraArgs,
      join(root, 'dist/cli.js'),
      'serve',
      '--listen',
      '127.0.0.1:0',
      '--admin-listen',
      '127.0.0.1:0',
    ],
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

const samples = [];
for (let i = 0; i < runs; i++) {
  const child = await start([], {});
  await new Promise((r) => setTimeout(r, idleMs));
  samples.push(rssKb(child.pid) / 1024);
  await stop(child);
}
samples.sort((a, b) => a - b);
const median = samples[Math.floor(samples.length / 2)];
console.log(
  `idle RSS (MB), ${runs} starts, ${idleMs} ms idle: median ${median.toFixed(1)}  [${samples.map((s) => s.toFixed(1)).join(', ')}]`,
);

if (values.modules) {
  const dir = mkdtempSync(join(tmpdir(), 'coalmine-rss-'));
  const out = join(dir, 'loaded.txt');
  const child = await start(['--import', join(root, 'scripts/trace-modules.js')], {
    COALMINE_TRACE_MODULES: out,
  });
  await new Promise((r) => setTimeout(r, 500));
  await stop(child);
  const files = [...new Set(readFileSync(out, 'utf8').split('\n').filter(Boolean))];
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
  const byPackage = new Map();
  for (const f of files) {
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
}
