// `npm run bench:stream`: streaming enforcement in process, with the default pack: a 1 MB
// answer arriving as ~5-character content events (about 200,000 frames) through the
// frame gate, one event per read and 16 coalesced (the gate decides once per read). Reports
// CPU µs per event, parse only and with enforcement, and how many characters are held back
// after each read (p50 / p99 / max) — the latency the hold-back adds, in characters.
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
/** The frames as the upstream's reads: one event per read, or `per` events coalesced. */
const reads = (per) => {
  const out = [];
  for (let i = 0; i < frames.length; i += per)
    out.push(Buffer.from(frames.slice(i, i + per).join('')));
  return out;
};

/**
 * One pass: frames parsed and folded; with `gated`, added to the gate and committed once per
 * read, as the relay does. CPU time (user + system) of this process.
 */
function run(gated, bufs) {
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
  const t0 = process.cpuUsage();
  for (const b of bufs) {
    const batch = framer.push(b);
    let start = 0;
    for (const f of batch.frames) {
      const events = parse(f);
      for (const ev of events) acc.add(ev);
      if (gate) gate.add(batch.bytes.subarray(start, f.end), f, events);
      else out += f.end - start;
      start = f.end;
    }
    if (gate && batch.frames.length) {
      gate.commit();
      held.push(acc.textLength(0) - gate.released(0));
    }
  }
  gate?.end();
  const u = process.cpuUsage(t0);
  return { us: u.user + u.system, out, held };
}

const ROUNDS = Number(process.env.STREAM_ROUNDS ?? 5);
const events = frames.length;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const q = (xs, p) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const rows = [];
let held1;
for (const per of [1, 16]) {
  const bufs = reads(per);
  run(true, bufs);
  const base = [];
  const gated = [];
  // Interleaved rounds, median: the machine is shared.
  for (let r = 0; r < ROUNDS; r++) {
    base.push(run(false, bufs).us);
    const g = run(true, bufs);
    gated.push(g.us);
    if (per === 1) held1 = g.held;
  }
  const b = median(base) / events;
  const g = median(gated) / events;
  rows.push(
    `| ${per === 1 ? 'one event per read' : `${per} events per read`} | ${b.toFixed(2)} µs | ${g.toFixed(2)} µs | ${(g - b).toFixed(2)} µs |`,
  );
}
const lines = [
  `Measured ${new Date().toISOString().slice(0, 10)}, Node ${process.versions.node}, one core: a ${(SIZE / 1024).toLocaleString('en-US')} KB answer in ${events.toLocaleString('en-US')} content events of 5 characters, the default pack; CPU time per event, median of ${ROUNDS} interleaved rounds.`,
  '',
  '| reads | parse only | parse + enforcement | enforcement alone |',
  '|---|---:|---:|---:|',
  ...rows,
  '',
  `Characters held back after each read (one event per read): p50 ${q(held1, 0.5)}, p99 ${q(held1, 0.99)}, max ${held1.reduce((m, x) => Math.max(m, x), 0)}.`,
];
const table = lines.join('\n');
process.stdout.write(`${table}\n`);
writeResults('stream', table, { readme: SIZE === 1024 * 1024 });
