// Logprob canaries against the simulator (issue 19, item 3), in process: the same code a
// canary run uses from the request body on (the simulator's wire format, the proxy adapter's
// parser, `logprobTrace`, `compareLogprobs`), without sockets. For each probe it records a
// fresh baseline per trial and measures
//   detection     runs against the `fine-tuned` scenario that fail (the answers are unchanged)
//   false alarms  runs against the same model that fail (per-call noise only)
//   tokens        tokens one run costs (input + output, as the simulator reports them)
// Usage: npm run bench:logprobs [-- DETECT_RUNS SAME_RUNS] [--write] (default 100 and 1000).
import { parseChatResponse } from '../dist/adapters/openai-chat/response.js';
import { openAiCompletions } from '../dist/adapters/openai-completions/index.js';
import { openAiChat } from '../dist/adapters/openai-chat/index.js';
import { compareLogprobs, logprobTrace } from '../dist/canary/logprob-canary.js';
import { canaryFileSchema } from '../dist/canary/schema.js';
import { answer } from '../dist/sim/answer.js';
import { simOpenAiChat } from '../dist/sim/formats/openai-chat.js';
import { simOpenAiCompletions } from '../dist/sim/formats/openai-completions.js';
import { NO_SCENARIO, parseScenario } from '../dist/sim/scenario.js';
import { writeResults } from './readme.js';

const [DETECT = 100, SAME = 1000] = process.argv
  .slice(2)
  .filter((a) => /^\d+$/.test(a))
  .map(Number);
const FINE_TUNED = parseScenario('fine-tuned').scenario;

const PROBES = [
  {
    name: 'chat, one-word answer',
    adapter: openAiChat,
    sim: simOpenAiChat,
    parse: parseChatResponse,
    request: {
      messages: [{ role: 'user', content: 'Which planet is known as the Red Planet? One word.' }],
      temperature: 0,
    },
    logprobs: {},
  },
  {
    name: 'completions, 2 positions',
    adapter: openAiCompletions,
    sim: simOpenAiCompletions,
    parse: (b) => openAiCompletions.parseResponse(b),
    request: { prompt: 'The capital of France is', temperature: 0 },
    logprobs: { tokens: 2 },
  },
  {
    name: 'chat, 4 positions of a sentence',
    adapter: openAiChat,
    sim: simOpenAiChat,
    parse: parseChatResponse,
    request: { messages: [{ role: 'user', content: 'Tell me about the mine.' }], temperature: 0 },
    logprobs: { tokens: 4 },
  },
];

/** The canary's `logprobs:` block with its defaults, as the schema fills them in. */
function spec(logprobs, request) {
  const file = canaryFileSchema().parse({
    canaries: [{ id: 'x', model: 'gpt-4o-mini', request, logprobs }],
  });
  return file.canaries[0].logprobs;
}

function call(probe, s, scenario) {
  const body = probe.adapter.canaryLogprobs(
    probe.adapter.canaryRequest('gpt-4o-mini', probe.request),
    { topK: s.top_k, tokens: s.tokens },
  );
  const a = answer(probe.sim.parse(body), scenario);
  const parsed = probe.parse(JSON.parse(probe.sim.json(a)));
  const choice = parsed.choices[0];
  return {
    trace: logprobTrace(choice.logprobs, s.tokens),
    text: choice.text,
    tokens: parsed.usage.inputTokens + parsed.usage.outputTokens,
  };
}

let seed = 1;
function trial(probe, s, scenario) {
  const baseline = Array.from({ length: s.baseline_samples }, () => call(probe, s, NO_SCENARIO));
  const run = Array.from({ length: s.samples }, () => call(probe, s, scenario));
  const v = compareLogprobs(
    s,
    { top_k: s.top_k, tokens: s.tokens, calls: baseline.map((c) => c.trace) },
    run.map((c) => c.trace),
    seed++,
  );
  const sameText = run.every((c) => c.text === baseline[0].text);
  return { failed: !v.ok, tokens: run.reduce((n, c) => n + c.tokens, 0), sameText };
}

process.stderr.write(
  `logprob canaries vs the simulator: ${DETECT} fine-tuned runs, ${SAME} same-model runs per probe\n`,
);
const rows = [];
for (const probe of PROBES) {
  const s = spec(probe.logprobs, probe.request);
  let caught = 0;
  let sameText = true;
  let tokens = 0;
  for (let i = 0; i < DETECT; i++) {
    const r = trial(probe, s, FINE_TUNED);
    if (r.failed) caught++;
    sameText &&= r.sameText;
    tokens = r.tokens;
  }
  let alarms = 0;
  for (let i = 0; i < SAME; i++) if (trial(probe, s, NO_SCENARIO).failed) alarms++;
  rows.push(
    `| ${probe.name} | ${s.tokens} | ${caught}/${DETECT} | ${sameText ? 'yes' : 'NO'} | ${alarms}/${SAME} | ${tokens} |`,
  );
}
const out = [
  '| probe | tokens compared | detected (fine-tuned) | answers unchanged | false alarms (same model) | tokens per run |',
  '| --- | ---: | ---: | --- | ---: | ---: |',
  ...rows,
].join('\n');
process.stdout.write(`${out}\n`);
writeResults('logprob-canary', out);
