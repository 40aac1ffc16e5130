// What the identity hold costs before the first byte (issue 19, item 1): the same streamed
// chat answer through two Coalmine processes in front of one simulator, `policies: []` in both:
//   unpinned   no identity pin, quarantine action serve: the head goes out at once
//   held       the requested model pinned, quarantine { on: [identity_mismatch], action: block }:
//              the stream waits for the event that names the model
// Sequential requests on one keep-alive connection per target, targets interleaved; prints the
// TTFB p50 / p99 of each and the difference. Usage: npm run bench:identity [-- N] (default 2000).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quantile, timedRequest } from './timed-request.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.argv[2] ?? 2000);
const children = [];

function start(args, re) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, COALMINE_CONFIG: '' },
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (c) => {
      err += c;
      const m = re.exec(err);
      if (m) {
        child.stderr.removeAllListeners('data');
        child.stderr.resume();
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${args.join(' ')}\n${err}`)));
  });
}

const payload = JSON.stringify({
  model: 'bench-model',
  stream: true,
  messages: [{ role: 'user', content: 'benchmark [sim:chunks=50]' }],
});

try {
  const sim = await start(['dist/cli.js', 'sim', '--port', '0'], /"url":"([^"]+)"/);
  const dir = mkdtempSync(join(tmpdir(), 'coalmine-bench-identity-'));
  const serve = (name, upstream) => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(
      file,
      `listen: 127.0.0.1:0\nadmin: { listen: "127.0.0.1:0" }\npolicies: []\ncanaries: []\ncanary: { schedule: false }\nupstreams: [${upstream}]\n`,
    );
    return start(['dist/cli.js', 'serve', '--config', file], /"proxy":"([^"]+)"/);
  };
  const targets = {
    unpinned: await serve('unpinned', `{ name: sim, url: "${sim}" }`),
    held: await serve(
      'held',
      `{ name: sim, url: "${sim}", models: { bench-model: { expect_model: bench-model } }, quarantine: { on: [identity_mismatch, fingerprint_change], action: block } }`,
    ),
  };
  const samples = { unpinned: [], held: [] };
  for (let i = 0; i < 200 + N; i++)
    for (const name of Object.keys(targets)) {
      const ms = await timedRequest(targets[name], payload, { firstByte: true });
      if (i >= 200) samples[name].push(ms);
    }
  const row = (name) =>
    `| ${name} | ${quantile(samples[name], 0.5).toFixed(3)} | ${quantile(samples[name], 0.99).toFixed(3)} |`;
  console.log(
    `TTFB over ${N} sequential streamed requests per target, Node ${process.versions.node}`,
  );
  console.log('| target | TTFB p50 (ms) | TTFB p99 (ms) |\n| --- | ---: | ---: |');
  console.log(row('unpinned'));
  console.log(row('held'));
  const d = (p) => quantile(samples.held, p) - quantile(samples.unpinned, p);
  console.log(
    `identity hold: ${d(0.5) >= 0 ? '+' : ''}${d(0.5).toFixed(3)} ms p50, ${d(0.99) >= 0 ? '+' : ''}${d(0.99).toFixed(3)} ms p99`,
  );
} finally {
  for (const c of children) c.kill();
}
