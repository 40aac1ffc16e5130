// `npm run bench:stream`: streaming enforcement in process, with the default pack: a 1 MB
// answer arriving as ~5-character content events (about 200,000 frames) through the
// frame gate. Reports the cost per chunk, the throughput, and how many characters are held
// back after each chunk (p50 / p99 / max) — the latency the hold-back adds, in characters.
// Results go to bench/results/stream.md; `--write` also puts them into bench/README.md.
import { fileURLToPath } from 'node:url';
import { writeResults } from './readme.js';
import { openAiChat } from '../dist/adapters/openai-chat/index.js';
import { createFramer } from '../dist/adapters/framing.js';
import { Accumulator } from '../dist/pipeline/accumulate.js';
import { GatedEmitter } from '../dist/pipeline/gated-emitter.js';
import { loadPolicySet } from '../dist/policy/loader.js';
import { gateRules } from '../dist/policy/gate-rules.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const set = loadPolicySet({ patterns: ['policies/default.yaml'], baseDir: ROOT }).set;
const rules = gateRules(set.policies);
const request = {
  operation: 'chat',
  model: 'm',
  stream: true,
  systemPrompt: undefined,
  tools: [],
  responseSchema: undefined,
  choices: 1,
};

const PARA = [
  'The canary sings while the miners work, and the air stays clean because someone is watching every breath.',
  'To configure the client, set `base_url` to your proxy and keep the API key in the environment, never in code.',
  '1. Install the package with `npm ci`.\n2. Run the tests with `npm test`.\n3. Read [the guide](https://docs.example.com/guide/setup) for details.',
  'Throughput rose from 1,900 to 2,400 requests per second after the change (p99 latency 41 ms) 🚀.',
].join('\n\n');
const SIZE = Number(process.env.STREAM_BYTES ?? 1024 * 1024);
const text = PARA.repeat(Math.ceil(SIZE / PARA.length)).slice(0, SIZE);
const head = { id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 1, model: 'm' };
const frames = [];
for (let i = 0; i < text.length; i += 5)
  frames.push(
    `data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta: { content: text.slice(i, i + 5) }, finish_reason: null }] })}\n\n`,
  );
frames.push(
  `data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`,
);
const bufs = frames.map((f) => Buffer.from(f));

function run(gated) {
  const acc = new Accumulator();
  let out = 0;
  const gate = gated
    ? new GatedEmitter(
        { rules, request, window: 256 },
        openAiChat,
        (c) => acc.toolCalls(c),
        (b) => ((out += b.length), true),
      )
    : undefined;
  const parse = openAiChat.streamParser();
  const framer = createFramer('sse');
  const held = [];
  const t0 = performance.now();
  for (const b of bufs) {
    const batch = framer.push(b);
    let start = 0;
    for (const f of batch.frames) {
      const events = parse(f);
      for (const ev of events) acc.add(ev);
      if (gate) gate.frame(batch.bytes.subarray(start, f.end), f, events);
      else out += f.end - start;
      start = f.end;
    }
    if (gate) held.push(acc.textLength(0) - gate.released(0));
  }
  gate?.end();
  return { ms: performance.now() - t0, out, held };
}

run(true);
const base = run(false);
const gated = run(true);
const q = (xs, p) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const chunks = bufs.length;
const lines = [
  `Measured ${new Date().toISOString().slice(0, 10)}, Node ${process.versions.node}, one core: a 1 MB answer in ${chunks.toLocaleString('en-US')} content events of 5 characters, the default pack.`,
  '',
  '| path | total | per chunk | throughput |',
  '|---|---:|---:|---:|',
  `| parse only (no enforcing rule) | ${base.ms.toFixed(0)} ms | ${((1000 * base.ms) / chunks).toFixed(2)} µs | ${(1000 / base.ms).toFixed(1)} MB/s |`,
  `| parse + streaming enforcement | ${gated.ms.toFixed(0)} ms | ${((1000 * gated.ms) / chunks).toFixed(2)} µs | ${(1000 / gated.ms).toFixed(1)} MB/s |`,
  '',
  `Characters held back after each chunk: p50 ${q(gated.held, 0.5)}, p99 ${q(gated.held, 0.99)}, max ${gated.held.reduce((m, x) => Math.max(m, x), 0)}.`,
];
const table = lines.join('\n');
process.stdout.write(`${table}\n`);
writeResults('stream', table, { readme: SIZE === 1024 * 1024 });
