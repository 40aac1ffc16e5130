// `npm run bench:linear`: the cost of stream framing and streamed enforcement must grow
// linearly with the input, whatever its shape. Each case runs at size N and 2N and prints
// t(2N)/t(N): about 2 for linear work, about 4 for quadratic. Times are CPU time of this
// process (less disturbed than the wall clock on a shared machine), best of at least three
// samples. LINEAR_SCALE multiplies every N (default 1); LINEAR_ONLY picks cases by name.
// Results go to bench/results/linear.md; `--write` also puts them into bench/README.md.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeResults } from './readme.js';
import { openAiChat } from '../dist/adapters/openai-chat/index.js';
import { createFramer } from '../dist/adapters/framing.js';
import { Accumulator } from '../dist/pipeline/accumulate.js';
import { GatedEmitter } from '../dist/pipeline/gated-emitter.js';
import { loadPolicySet } from '../dist/policy/loader.js';
import { gateRules } from '../dist/policy/gate-rules.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCALE = Number(process.env.LINEAR_SCALE ?? 1);
const request = {
  operation: 'chat',
  model: 'm',
  stream: true,
  systemPrompt: undefined,
  tools: [],
  responseSchema: undefined,
  choices: 1,
};

function policies(extra, withDefault = true) {
  const dir = mkdtempSync(join(tmpdir(), 'coalmine-bench-'));
  if (withDefault)
    writeFileSync(join(dir, 'default.yaml'), readFileSync(join(ROOT, 'policies/default.yaml')));
  if (extra) writeFileSync(join(dir, 'extra.yaml'), extra);
  const r = loadPolicySet({ patterns: ['*.yaml'], baseDir: dir });
  if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('\n'));
  return gateRules(r.set.policies);
}
const defaultRules = policies();
// A rule whose check has no spans (length, action block) holds every choice until it ends; a
// regex rule (no triggers) re-checks a window on every chunk.
const holdAllRules = policies(
  [
    'name: extra',
    'rules:',
    '  - id: too-long',
    '    check: length',
    '    params: { max_chars: 100000000 }',
    '    action: block',
    '  - id: ticket',
    '    check: regex',
    "    params: { pattern: 'TICKET-[0-9]{6}' }",
    '    action: redact',
  ].join('\n'),
);

const secretRules = policies(
  'name: extra\nrules:\n  - id: creds\n    check: secrets\n    action: redact\n',
  false,
);

function chunks(buf, size) {
  const out = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

function frameAll(kind, bufs) {
  const f = createFramer(kind);
  let frames = 0;
  let bytes = 0;
  for (const b of bufs) {
    const r = f.push(b);
    frames += r.frames.length;
    bytes += r.bytes.length;
  }
  const r = f.end();
  return { frames: frames + r.frames.length, bytes: bytes + r.bytes.length };
}

let seed = 1;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const awsKey = () => {
  let k = 'AKIA';
  for (let i = 0; i < 16; i++) k += B32[Math.floor(rand() * 32)];
  return k;
};

/** About `n` characters of prose full of credentials (and tickets), one key per line. */
function secretText(n) {
  seed = 1;
  const lines = [];
  let len = 0;
  for (let i = 0; len < n; i++) {
    const line = `Key ${i}: ${awsKey()} for TICKET-${String(i % 1e6).padStart(6, '0')}.\n`;
    lines.push(line);
    len += line.length;
  }
  return { text: lines.join(''), secrets: lines.length };
}

const head = { id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 1, model: 'm' };
function chatFrames(text) {
  const frames = [];
  for (let i = 0; i < text.length; i += 5)
    frames.push(
      `data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta: { content: text.slice(i, i + 5) }, finish_reason: null }] })}\n\n`,
    );
  frames.push(
    `data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`,
  );
  return frames.map((f) => Buffer.from(f));
}

function toolFrames(n) {
  const frames = [];
  for (let i = 0; i < n; i++) {
    const open = {
      index: i,
      id: `c${i}`,
      type: 'function',
      function: { name: 'f', arguments: '' },
    };
    const args = { index: i, function: { arguments: '{"a":1}' } };
    for (const call of [open, args])
      frames.push(
        `data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta: { tool_calls: [call] }, finish_reason: null }] })}\n\n`,
      );
  }
  frames.push(
    `data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] })}\n\n`,
  );
  return frames.map((f) => Buffer.from(f));
}

/** Parses and gates a chat stream; returns what the client received. */
function gate(rules, bufs) {
  const acc = new Accumulator();
  const out = [];
  const g = new GatedEmitter(
    { rules, request, window: 256 },
    openAiChat,
    (c) => acc.response.choices[c]?.toolCalls ?? [],
    (b) => (out.push(typeof b === 'string' ? b : b.toString()), true),
  );
  const parse = openAiChat.streamParser();
  const framer = createFramer('sse');
  for (const b of bufs) {
    const batch = framer.push(b);
    let start = 0;
    for (const f of batch.frames) {
      const events = parse(f);
      for (const ev of events) acc.add(ev);
      g.frame(batch.bytes.subarray(start, f.end), f, events);
      start = f.end;
    }
  }
  g.end();
  if (g.blocked) throw new Error(`blocked by ${g.blocked.rule}`);
  return out.join('');
}

function redactionCase(rules, expectTickets) {
  return (n) => {
    const { text, secrets } = secretText(n);
    const input = chatFrames(text);
    return {
      input,
      run: () => gate(rules, input),
      check(out) {
        const got = out.split('[REDACTED:leaked-credentials]').length - 1;
        if (got !== secrets || out.includes('AKIA'))
          throw new Error(`expected ${secrets} redactions, saw ${got}`);
        if (expectTickets && out.includes('TICKET-')) throw new Error('a ticket went out');
      },
    };
  };
}

const cases = [
  {
    name: 'SSE: one line of N bytes in 1 KB chunks',
    n: 2 << 20,
    make: (n) => {
      const input = chunks(Buffer.from(`data: ${'x'.repeat(n)}\n\n`), 1024);
      return { input, run: () => frameAll('sse', input), check: (r) => r.frames === 1 };
    },
  },
  {
    name: 'SSE: N/40 events of 40 bytes in 1 KB chunks',
    n: 4 << 20,
    make: (n) => {
      const k = Math.floor(n / 40);
      const input = chunks(
        Buffer.from('data: {"i":1234567,"text":"abcdefghi"}\n\n'.repeat(k)),
        1024,
      );
      return { input, run: () => frameAll('sse', input), check: (r) => r.frames === k };
    },
  },
  {
    name: 'NDJSON: one line of N bytes in 1 KB chunks',
    n: 2 << 20,
    make: (n) => {
      const input = chunks(Buffer.from(`"${'x'.repeat(n)}"\n`), 1024);
      return { input, run: () => frameAll('ndjson', input), check: (r) => r.frames === 1 };
    },
  },
  {
    name: 'NDJSON: N/32 lines of 32 bytes in 1 KB chunks',
    n: 4 << 20,
    make: (n) => {
      const k = Math.floor(n / 32);
      const input = chunks(Buffer.from('{"i":1234567,"text":"abcdefgh"}\n'.repeat(k)), 1024);
      return { input, run: () => frameAll('ndjson', input), check: (r) => r.frames === k };
    },
  },
  {
    name: 'streamed redaction: N chars, a key every 50, default pack',
    n: 40_000,
    make: redactionCase(defaultRules, false),
  },
  {
    name: 'held until the end (length block + regex redact): N chars',
    n: 40_000,
    make: redactionCase(holdAllRules, true),
  },
  {
    name: 'a match that keeps growing: N zero-width spaces, default pack',
    n: 20_000,
    make: (n) => {
      const input = chatFrames(`a${'\u200b'.repeat(n)}b`);
      return { input, run: () => gate(defaultRules, input), check: (o) => !o.includes('\u200b') };
    },
  },
  {
    name: 'N tool calls, secrets rule',
    n: 4_000,
    make: (n) => {
      const input = toolFrames(n);
      return {
        input,
        run: () => gate(secretRules, input),
        check: (o) => o.split('data: ').length - 1 === 2 * n + 1,
      };
    },
  },
];

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Best CPU ms per run: at least three samples, and samples of at least 50 ms. */
function best(c, n) {
  const { run, check } = c.make(n);
  if (check(run()) === false) throw new Error(`${c.name}: wrong result at N=${n}`);
  run(); // warm-up
  let ms = Infinity;
  let times = 1;
  for (let i = 0; i < 3; i++) {
    const t0 = cpu();
    for (let k = 0; k < times; k++) run();
    const t = (cpu() - t0) / times;
    ms = Math.min(ms, t);
    if (t * times < 50 && times < 64) {
      times *= 2;
      i--;
    }
  }
  return ms;
}

const only = process.env.LINEAR_ONLY;
const rows = [];
for (const c of cases) {
  if (only && !c.name.toLowerCase().includes(only.toLowerCase())) continue;
  const n = Math.round(c.n * SCALE);
  const t1 = best(c, n);
  const t2 = best(c, 2 * n);
  rows.push(
    `| ${c.name} | ${n.toLocaleString('en-US')} | ${t1.toFixed(1)} ms | ${t2.toFixed(1)} ms | ${(t2 / t1).toFixed(2)} |`,
  );
  process.stderr.write(`${rows.at(-1)}\n`);
}
const table = [
  `Measured ${new Date().toISOString().slice(0, 10)}, Node ${process.versions.node}, CPU time per run (best of three samples); t(2N)/t(N) is about 2 for linear cost, 4 for quadratic.`,
  '',
  '| case | N | t(N) | t(2N) | ratio |',
  '|---|---:|---:|---:|---:|',
  ...rows,
].join('\n');
process.stdout.write(`\n${table}\n`);
// Only a full run at the default sizes goes into bench/README.md (and only with --write).
writeResults('linear', table, { readme: !only && SCALE === 1 });
