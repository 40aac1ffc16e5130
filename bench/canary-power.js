// How fast each distribution test sees a small drift, and how often it cries wolf (issue 19,
// item 2). Completions are the simulator's own answers to the shipped fruit canary ("Name a
// fruit. One word.", temperature 1), drawn in-process through its `answer()` with a distinct
// seed per call; `drift=N` answers from the drifted table N % of the time.
//   sequential   distribution.test: sequential — 5 completions per run, baseline 200; one
//                martingale over all runs, alpha 0.01 over unbounded time
//   one-shot     distribution.test: mmd — 30 completions per run, baseline 30 (the defaults);
//                at the same false-alarm rate over a horizon of H runs: alpha 0.01 / H per run
//                (Bonferroni), and at its own default alpha 0.01 per run; at 30 % and 50 %
//                also with the sequential test's baseline of 200
// Reports detection within H runs, the median completions and runs to detect (time at the
// default `every: 5m`), tokens per run, and false alarms over same-model runs.
// Usage: npm run bench:canary [-- --quick] [--write]
import { writeResults } from './readme.js';
import { ConformalMonitor } from '../dist/canary/conformal.js';
import { mmdTest, prng } from '../dist/canary/stats.js';
import { answer } from '../dist/sim/answer.js';
import { parseScenario } from '../dist/sim/scenario.js';

const QUICK = process.argv.includes('--quick');
const ALPHA = 0.01;
const H = 48; // horizon: 4 hours at the default 5-minute interval
const EVERY_MIN = 5;
const SEQUENCES = QUICK ? 10 : 40;
const SAME_RUNS = QUICK ? 1000 : 10_000;
const MMD_SAME_RUNS = QUICK ? 200 : 2000;
const DRIFTS = [10, 20, 30, 50];
const PROMPT = 'Name a fruit. One word.';

let seed = 1;
let tokensPerCompletion = 0;
function sampler(spec) {
  const parsed = parseScenario(spec);
  if (!parsed.ok) throw new Error(parsed.message);
  return () => {
    const a = answer(
      {
        model: 'gpt-4o-mini',
        prompt: PROMPT,
        said: PROMPT,
        allText: PROMPT,
        choices: 1,
        tools: [],
        temperature: 1,
        seed: seed++,
      },
      parsed.scenario,
    );
    tokensPerCompletion = a.promptTokens + a.completionTokens;
    return a.texts[0];
  };
}
const same = sampler(undefined);
const draw = (f, n) => Array.from({ length: n }, f);
const median = (xs) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};

function monitor(random) {
  return new ConformalMonitor(draw(same, 200), {
    maxChars: 20,
    k: 5,
    alpha: ALPHA,
    maxDistinct: 5000,
    random,
  });
}

/** Runs (of 5) until the sequential test alarms, or undefined within `horizon`. */
function sequentialRuns(live, horizon, random) {
  const m = monitor(random);
  for (let run = 1; run <= horizon; run++) {
    for (const s of draw(live, 5)) m.observe(s);
    if (m.alarmed) return run;
  }
  return undefined;
}

/** Runs (of 30) until a one-shot MMD run has p < alpha, or undefined within `horizon`. */
function mmdRuns(live, horizon, alpha, permutations, random, baseline = 30) {
  const base = draw(same, baseline);
  for (let run = 1; run <= horizon; run++) {
    const { pValue } = mmdTest(draw(live, 30), base, {
      maxChars: 20,
      permutations,
      seed: (random() * 2 ** 32) >>> 0,
    });
    if (pValue < alpha) return run;
  }
  return undefined;
}

function row(name, perRun, found) {
  const hit = found.filter((x) => x !== undefined);
  const runs = median(hit);
  return {
    test: name,
    detected: `${hit.length}/${found.length}`,
    runs: Number.isNaN(runs) ? '–' : String(runs),
    completions: Number.isNaN(runs) ? '–' : String(runs * perRun),
    time: Number.isNaN(runs) ? '–' : `${runs * EVERY_MIN} min`,
  };
}

const random = prng(0xc0a1);
const t0 = Date.now();
const rows = [];
for (const q of DRIFTS) {
  const live = sampler(`drift=${q}`);
  rows.push({
    drift: q,
    ...row(
      'sequential, 5/run',
      5,
      draw(() => sequentialRuns(live, H, random), SEQUENCES),
    ),
  });
  // The per-run alpha that gives the same false-alarm bound over H runs, and enough
  // permutations to reach it (the p-value's floor is 1 / (permutations + 1)).
  rows.push({
    drift: q,
    ...row(
      `one-shot, 30/run, alpha ${ALPHA}/${H}`,
      30,
      draw(() => mmdRuns(live, H, ALPHA / H, Math.ceil((3 * H) / ALPHA), random), SEQUENCES),
    ),
  });
  // The one-shot test with the sequential test's baseline of 200 (fewer sequences: each run
  // permutes 230 completions).
  if (q >= 30)
    rows.push({
      drift: q,
      ...row(
        `one-shot, 30/run, baseline 200, alpha ${ALPHA}/${H}`,
        30,
        draw(
          () => mmdRuns(live, H, ALPHA / H, Math.ceil((3 * H) / ALPHA), random, 200),
          Math.ceil(SEQUENCES / 4),
        ),
      ),
    });
  process.stderr.write(`drift ${q}% done (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
}

// False alarms on the same model: one sequential monitor over SAME_RUNS runs, and many
// independent shorter sequences (each alarms at most once: P(ever) <= alpha).
const long = monitor(random);
let longAlarmedAt;
for (let run = 1; run <= SAME_RUNS && longAlarmedAt === undefined; run++) {
  for (const s of draw(same, 5)) long.observe(s);
  if (long.alarmed) longAlarmedAt = run;
}
const SHORT = QUICK ? 100 : 1000;
let shortAlarms = 0;
for (let i = 0; i < SHORT; i++) if (sequentialRuns(same, 200, random) !== undefined) shortAlarms++;
// The one-shot test's false alarms depend on its fixed baseline: a fresh one every 100 runs.
let mmdAlarms = 0;
let mmdBase = draw(same, 30);
for (let i = 0; i < MMD_SAME_RUNS; i++) {
  if (i % 100 === 0) mmdBase = draw(same, 30);
  const { pValue } = mmdTest(draw(same, 30), mmdBase, {
    maxChars: 20,
    permutations: 1000,
    seed: (random() * 2 ** 32) >>> 0,
  });
  if (pValue < ALPHA) mmdAlarms++;
}

const table = [
  '| drift | test | detected within 48 runs | median runs | median completions | median time (every 5m) |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.drift} % | ${r.test} | ${r.detected} | ${r.runs} | ${r.completions} | ${r.time} |`,
  ),
].join('\n');
const falseAlarms = [
  `Same model: one sequential monitor over ${SAME_RUNS.toLocaleString('en')} runs (${(SAME_RUNS * 5).toLocaleString('en')} completions): ${longAlarmedAt === undefined ? 'no alarm' : `alarmed at run ${longAlarmedAt}`}; ${shortAlarms} of ${SHORT} independent 200-run sequences ever alarmed (bound: ${ALPHA * 100} %).`,
  `One-shot MMD at alpha ${ALPHA} per run (a fresh baseline of 30 every 100 runs): ${mmdAlarms} of ${MMD_SAME_RUNS.toLocaleString('en')} same-model runs failed (${((100 * mmdAlarms) / MMD_SAME_RUNS).toFixed(2)} %: ${((mmdAlarms / MMD_SAME_RUNS) * 288).toFixed(1)} false alarms a day at 5-minute runs, where the sequential test allows at most a 1 % chance of one, ever).`,
  `Tokens: ${tokensPerCompletion} per completion (simulator's count): sequential ${5 * tokensPerCompletion} per run, one-shot ${30 * tokensPerCompletion} per run; baselines 200 and 30 completions.`,
].join('\n\n');
const out = `${table}\n\n${falseAlarms}\n`;
process.stdout.write(out);
process.stderr.write(`total ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
writeResults('canary-power', out, { readme: !QUICK });
