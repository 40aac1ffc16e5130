// `npm run bench:scan`: the default policy pack scanning complete outputs of 1 KB, 100 KB and
// 1 MB on one core; reports MB/s overall and per check, and the cost per MB at each size
// (linear cost: roughly constant). Writes the figures into bench/README.md.
import { fileURLToPath } from 'node:url';
import { writeResults } from './readme.js';
import { evaluate } from '../dist/policy/engine.js';
import { loadPolicySet } from '../dist/policy/loader.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const loaded = loadPolicySet({ patterns: ['policies/default.yaml'], baseDir: ROOT });
if (!loaded.ok) throw new Error('default pack does not load');
const set = loaded.set;

// A benign but realistic answer: prose, a list, inline code, a link, numbers, an emoji.
const PARA = [
  'The canary sings while the miners work, and the air stays clean because someone is watching every breath.',
  'To configure the client, set `base_url` to your proxy and keep the API key in the environment, never in code.',
  '1. Install the package with `npm ci`.\n2. Run the tests with `npm test`.\n3. Read [the guide](https://docs.example.com/guide/setup) for details.',
  'Throughput rose from 1,900 to 2,400 requests per second after the change (p99 latency 41 ms) 🚀.',
  'Ce texte contient des accents, et ce paragraphe est là pour varier les caractères: naïve façade, déjà vu.',
].join('\n\n');
const text = (bytes) => PARA.repeat(Math.ceil(bytes / PARA.length)).slice(0, bytes);
const request = {
  operation: 'chat',
  model: 'm',
  stream: false,
  systemPrompt: 'You are a helpful assistant for Example Corp. Answer briefly.',
  tools: [],
  responseSchema: undefined,
  choices: 1,
};
const response = (t) => ({
  id: undefined,
  model: undefined,
  fingerprint: undefined,
  usage: undefined,
  choices: [{ index: 0, text: t, toolCalls: [], finishReason: 'stop' }],
});
const limits = { maxScanChars: 8 * 1024 * 1024, budgetMs: 60_000 };

const rows = [];
const perCheck = new Map();
for (const [label, size, minMs] of [
  ['1 KB', 1024, 1500],
  ['100 KB', 100 * 1024, 1500],
  ['1 MB', 1024 * 1024, 4500],
]) {
  const t = text(size);
  const res = response(t);
  for (let i = 0; i < 3; i++) evaluate(set, { upstream: 'u', request, response: res }, limits); // warm-up
  // Best of three trials: on a shared machine the least-disturbed trial is the measurement.
  let mbps = 0;
  let n = 0;
  for (let trial = 0; trial < 3; trial++) {
    let k = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < minMs / 3) {
      const v = evaluate(set, { upstream: 'u', request, response: res }, limits);
      if (v.decision !== 'pass')
        throw new Error(
          `benign text decided ${v.decision}: ${v.results.filter((r) => r.status !== 'pass').map((r) => r.rule)}`,
        );
      if (size === Number(process.env.SCAN_BREAKDOWN ?? 1024 * 1024))
        for (const r of v.results)
          perCheck.set(r.check, (perCheck.get(r.check) ?? 0) + r.durationSeconds);
      k++;
    }
    const rate = (k * size) / 1024 / 1024 / ((performance.now() - t0) / 1000);
    n += k;
    mbps = Math.max(mbps, rate);
  }
  rows.push({ label, n, mbps, msPerMb: 1000 / mbps });
  process.stderr.write(`${label.padEnd(7)} ${mbps.toFixed(1)} MB/s (${n} scans)\n`);
}
const lines = [
  `Measured ${new Date().toISOString().slice(0, 10)}, Node ${process.versions.node}, one core, the default pack (${set.policies[0].rules.length} rules) on benign text; best of three trials per size.`,
  '',
  '| output size | scans | throughput | cost per MB |',
  '|---|---:|---:|---:|',
  ...rows.map(
    (r) => `| ${r.label} | ${r.n} | ${r.mbps.toFixed(1)} MB/s | ${r.msPerMb.toFixed(2)} ms |`,
  ),
  '',
  'Per check, on the 1 MB output:',
  '',
  '| check | share of the time |',
  '|---|---:|',
];
const totalT = [...perCheck.values()].reduce((a, b) => a + b, 0);
for (const [c, s] of [...perCheck].sort((a, b) => b[1] - a[1]))
  lines.push(`| ${c} | ${((100 * s) / totalT).toFixed(1)} % |`);
const table = lines.join('\n');
process.stdout.write(`${table}\n`);
writeResults('scan', table);
