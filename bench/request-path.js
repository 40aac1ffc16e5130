// `npm run bench:path`: the CPU a request costs in Coalmine's own code, in process and without
// sockets — the pipeline as `coalmine serve` builds it (Prometheus sink, identity tracking,
// tracing without an exporter) over an in-memory upstream that answers at once. JSON (a
// ~1 KB chat completion) and a stream (47 events, one per read, as `npm run bench` sends),
// without policies and with the default pack. The machine is shared, so rounds are
// interleaved and the median is reported; CPU time (user + system) of this process.
// Results go to bench/results/path.md; `--write` also puts them into bench/README.md.
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { writeResults } from './readme.js';
import { providerIds } from '../dist/adapters/providers.js';
import { IdentityTracker } from '../dist/canary/identity.js';
import { configSchema } from '../dist/config/schema.js';
import { noopLogger } from '../dist/model/log.js';
import { createPipeline } from '../dist/pipeline/proxy.js';
import { EMPTY_SET } from '../dist/policy/compiled.js';
import { loadPolicySet } from '../dist/policy/loader.js';
import { otelTracing } from '../dist/telemetry/otel.js';
import { PrometheusSink } from '../dist/telemetry/prometheus.js';
import { createRouter } from '../dist/upstream/router.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.PATH_ROUNDS ?? 7);
const CONCURRENCY = 32;
const BATCHES = Number(process.env.PATH_BATCHES ?? 100);

const cfg = configSchema({ providers: providerIds() }).parse({
  upstreams: [{ name: 'sim', url: 'http://127.0.0.1:9' }],
});
const pack = loadPolicySet({ patterns: ['policies/default.yaml'], baseDir: ROOT });
if (!pack.ok) throw new Error('default pack does not load');

const WORDS =
  'The canary sings while the miners work and the air stays clean because someone watches every breath of it'.split(
    ' ',
  );
let text = '';
for (let i = 0; text.length < 700; i++) text += `${WORDS[i % WORDS.length]} `;
const JSON_BODY = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'bench-model',
    system_fingerprint: 'fp_1',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 10, completion_tokens: 150, total_tokens: 160 },
  }),
);
const head = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'bench-model' };
const frame = (delta, finish = null) =>
  `data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const EVENTS = [
  frame({ role: 'assistant', content: '' }),
  ...Array.from({ length: 44 }, (_, i) => frame({ content: `${WORDS[i % WORDS.length]} ` })),
  frame({}, 'stop'),
  'data: [DONE]\n\n',
].map((e) => Buffer.from(e));

function pipeline(policies, stream) {
  const upstream = {
    request: () =>
      Promise.resolve(
        stream
          ? {
              status: 200,
              headers: { 'content-type': 'text/event-stream' },
              body: Readable.from(EVENTS),
            }
          : {
              status: 200,
              headers: {
                'content-type': 'application/json',
                'content-length': String(JSON_BODY.length),
              },
              body: Readable.from([JSON_BODY]),
            },
      ),
    close: async () => {},
  };
  const handle = createPipeline({
    route: createRouter(cfg.upstreams),
    client: () => upstream,
    limits: { requestBody: cfg.limits.request_body, responseBody: cfg.limits.response_body },
    unknownRoutes: cfg.unknown_routes,
    sink: new PrometheusSink({ version: 'bench', processMetrics: false }),
    log: noopLogger,
    policies: () => policies,
    checkLimits: { maxScanChars: cfg.checks.max_scan_chars, budgetMs: cfg.checks.time_budget },
    streamWindow: cfg.streaming.window,
    identity: new IdentityTracker(new Map([['sim', {}]])),
    tracing: otelTracing,
  });
  const body = Buffer.from(
    JSON.stringify({
      model: 'bench-model',
      stream,
      messages: [{ role: 'user', content: 'benchmark' }],
    }),
  );
  const request = () => ({
    method: 'POST',
    url: '/v1/chat/completions',
    headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
    readBody: () => Promise.resolve(body),
    receivedAt: performance.now(),
    source: 'live',
  });
  const writer = () => ({
    headersSent: false,
    clientGone: false,
    bytes: 0,
    head() {
      this.headersSent = true;
    },
    write(c) {
      this.bytes += c.length;
      return true;
    },
    drain: () => Promise.resolve(),
    end(c) {
      if (c) this.bytes += c.length;
    },
    abort() {},
    onClientGone() {},
  });
  /** CPU µs per request over `batches` batches of CONCURRENCY requests in flight together. */
  return async (batches) => {
    const t0 = process.cpuUsage();
    for (let b = 0; b < batches; b++) {
      const outs = Array.from({ length: CONCURRENCY }, writer);
      await Promise.all(outs.map((o) => handle(request(), o)));
      if (outs.some((o) => o.bytes === 0)) throw new Error('a request was not answered');
    }
    const u = process.cpuUsage(t0);
    return (u.user + u.system) / (batches * CONCURRENCY);
  };
}

const ONLY = process.env.PATH_ONLY;
const targets0 = [
  ['json', 'no policies', pipeline({ ...EMPTY_SET, version: 'none' }, false)],
  ['json', 'default pack', pipeline(pack.set, false)],
  ['stream', 'no policies', pipeline({ ...EMPTY_SET, version: 'none' }, true)],
  ['stream', 'default pack', pipeline(pack.set, true)],
];
const targets = targets0.filter(([w, p]) => !ONLY || `${w}/${p}` === ONLY);
for (const [, , run] of targets) await run(BATCHES); // warm-up: JIT, caches
const samples = targets.map(() => []);
for (let r = 0; r < ROUNDS; r++)
  for (const [i, [, , run]] of targets.entries()) samples[i].push(await run(BATCHES));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const rows = targets.map(([workload, policies], i) => {
  const us = median(samples[i]);
  const perEvent = workload === 'stream' ? (us / EVENTS.length).toFixed(2) : '—';
  return `| ${workload} | ${policies} | ${us.toFixed(1)} | ${perEvent} |`;
});
const table = [
  `Measured ${new Date().toISOString().slice(0, 10)}, Node ${process.versions.node}: CPU per request in process (no sockets), ${CONCURRENCY} requests in flight, median of ${ROUNDS} interleaved rounds of ${(BATCHES * CONCURRENCY).toLocaleString('en-US')} requests. Stream: ${EVENTS.length} events, one per read.`,
  '',
  '| workload | policies | CPU µs / request | CPU µs / event |',
  '|---|---|---:|---:|',
  ...rows,
].join('\n');
process.stdout.write(`${table}\n`);
writeResults('path', table);
