/**
 * Judges one canary run by its kind: known-answer (one call, every expectation), distribution
 * (N samples against the baseline: one-shot MMD, or the sequential test's running evidence),
 * invariance (the task with and without each trigger), embedding (cosine with the baseline
 * vector) or logprobs (top-k logprobs of N calls against the baseline's by a permutation test).
 */
import type { Called, CanaryOutcome, RunnerDeps } from './call.js';
import { call, sample } from './call.js';
import type { Answer } from './expect.js';
import { normalise, preview } from './expect.js';
import type { Canary, Distribution } from './loader.js';
import { compareLogprobs, logprobTrace, NO_LOGPROBS } from './logprob-canary.js';
import type { LogprobTrace } from './logprob-test.js';
import { pool } from './pool.js';
import type { EmbeddingSpec, InvarianceSpec, LogprobSpec } from './schema.js';
import type { Evidence } from './sequential.js';
import { SequentialTests } from './sequential.js';
import { mmdTest } from './stats.js';

export type Judged = {
  result: CanaryOutcome;
  reasons: string[];
  pValue?: number;
  evidence?: Evidence;
};

const unstored = new WeakMap<RunnerDeps, SequentialTests>();
function sequentialOf(deps: RunnerDeps): SequentialTests {
  if (deps.sequential) return deps.sequential;
  let s = unstored.get(deps);
  if (!s) unstored.set(deps, (s = new SequentialTests()));
  return s;
}

function failedExpectations(c: Canary, a: Answer, label = ''): string[] {
  const out: string[] = [];
  for (const e of c.expect) {
    const r = e(a);
    if (!r.ok) out.push(label + r.reason);
  }
  return out;
}

/** The request with `{{trigger}}` replaced (or, without a placeholder, appended to the last user message). */
export function withTrigger(request: Record<string, unknown>, trigger: string): object {
  const messages = (request.messages as { role: string; content: unknown }[]).map((m) => ({
    ...m,
  }));
  const has = messages.some(
    (m) => typeof m.content === 'string' && m.content.includes('{{trigger}}'),
  );
  if (has) {
    for (const m of messages)
      if (typeof m.content === 'string')
        m.content = m.content.replaceAll('{{trigger}}', trigger).replace(/ {2,}/g, ' ').trim();
  } else if (trigger) {
    const last = [...messages].reverse().find((m) => m.role === 'user');
    if (last && typeof last.content === 'string') last.content = `${last.content} ${trigger}`;
  }
  return { ...request, messages };
}

/** A baselined canary without its baseline cannot run: say how to record one. */
const noBaseline = (c: Canary): Judged => ({
  result: 'error',
  reasons: [
    `no baseline recorded: run \`coalmine canary baseline --id ${c.id} --out ${c.baselineFile ?? 'FILE'}\``,
  ],
});

function firstFailure(called: Called[]): Judged | undefined {
  const bad = called.filter((c): c is Extract<Called, { ok: false }> => !c.ok);
  if (!bad.length) return undefined;
  const result = bad.some((b) => b.outcome === 'error')
    ? 'error'
    : bad.some((b) => b.outcome === 'blocked')
      ? 'blocked'
      : 'fail';
  return { result, reasons: [...new Set(bad.map((b) => b.reason))] };
}

const answers = (called: Called[]): Answer[] => called.flatMap((c) => (c.ok ? [c.answer] : []));

/** Cosine similarity of two vectors of one dimension (NaN when either is all zeros). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

/** A seed for one run's random permutations. */
const freshSeed = (): number => (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0;

export function judge(deps: RunnerDeps, c: Canary, spent: Called[]): Promise<Judged> {
  if (c.embedding) return judgeEmbedding(deps, c, c.embedding, spent);
  if (c.distribution) return judgeDistribution(deps, c, c.distribution, spent);
  if (c.logprobs) return judgeLogprobs(deps, c, c.logprobs, spent);
  if (c.invariance) return judgeInvariance(deps, c, c.invariance, spent);
  return judgeKnown(deps, c, spent);
}

async function judgeEmbedding(
  deps: RunnerDeps,
  c: Canary,
  spec: EmbeddingSpec,
  spent: Called[],
): Promise<Judged> {
  const ref = c.baseline?.vector;
  if (!ref) return noBaseline(c);
  const one = await call(deps, c, c.request, 0);
  spent.push(one);
  if (!one.ok) return { result: one.outcome, reasons: [one.reason] };
  const v = one.answer.vector;
  if (!v) return { result: 'fail', reasons: ['the answer has no embedding vector'] };
  if (v.length !== ref.length)
    return { result: 'fail', reasons: [`dimension ${v.length}, the baseline has ${ref.length}`] };
  const sim = cosine(v, ref);
  const reasons = failedExpectations(c, one.answer);
  if (!(sim >= spec.min_cosine))
    reasons.unshift(
      `cosine similarity with the baseline vector ${sim.toFixed(4)} < ${spec.min_cosine}`,
    );
  return { result: reasons.length ? 'fail' : 'pass', reasons };
}

async function judgeDistribution(
  deps: RunnerDeps,
  c: Canary,
  d: Distribution,
  spent: Called[],
): Promise<Judged> {
  if (!c.baseline) return noBaseline(c);
  const called = await sample(deps, c, d.samples, d.concurrency);
  spent.push(...called);
  const bad = firstFailure(called);
  if (bad) return bad;
  const texts = answers(called);
  const reasons = texts.flatMap((a, i) => failedExpectations(c, a, `sample ${i + 1}: `));
  if (d.test === 'sequential') {
    const evidence = sequentialOf(deps).observe(
      c,
      texts.map((a) => a.text),
    );
    if (evidence.alarmed) {
      // The crossing, not the current value: the evidence may fall after it, the verdict stands.
      const at = evidence.alarm ?? evidence;
      reasons.unshift(
        `completions differ from the baseline: sequential evidence ${at.value.toPrecision(3)} reached ${at.threshold.toPrecision(3)} within ${at.completions} completions (false-alarm bound over all runs: alpha ${d.alpha})`,
      );
    }
    return { result: reasons.length ? 'fail' : 'pass', reasons, evidence };
  }
  const { pValue } = mmdTest(
    texts.map((a) => a.text),
    c.baseline.samples,
    {
      maxChars: c.baseline.max_chars,
      permutations: d.permutations,
      seed: freshSeed(),
    },
  );
  if (pValue < d.alpha)
    reasons.unshift(
      `completions differ from the baseline: p = ${pValue.toPrecision(3)} < alpha ${d.alpha}`,
    );
  return { result: reasons.length ? 'fail' : 'pass', reasons, pValue };
}

async function judgeLogprobs(
  deps: RunnerDeps,
  c: Canary,
  lp: LogprobSpec,
  spent: Called[],
): Promise<Judged> {
  const ref = c.baseline?.logprobs;
  if (!ref) return noBaseline(c);
  const called = await sample(deps, c, lp.samples, lp.concurrency);
  spent.push(...called);
  const bad = firstFailure(called);
  if (bad) return bad;
  const got = answers(called);
  const traces: LogprobTrace[] = [];
  for (const a of got) {
    if (!a.logprobs?.length) return { result: 'error', reasons: [NO_LOGPROBS] };
    traces.push(logprobTrace(a.logprobs, lp.tokens, lp.top_k));
  }
  const v = compareLogprobs(lp, ref, traces, freshSeed());
  const reasons = [
    ...v.reasons,
    ...got.flatMap((a, i) => failedExpectations(c, a, `call ${i + 1}: `)),
  ];
  const result = v.pValue === undefined && !v.ok ? 'error' : reasons.length ? 'fail' : 'pass';
  return v.pValue === undefined ? { result, reasons } : { result, reasons, pValue: v.pValue };
}

async function judgeInvariance(
  deps: RunnerDeps,
  c: Canary,
  inv: InvarianceSpec,
  spent: Called[],
): Promise<Judged> {
  const variants = ['', ...inv.triggers];
  const called = await pool(variants, 4, (t, i) => call(deps, c, withTrigger(c.request, t), i));
  spent.push(...called);
  const bad = firstFailure(called);
  if (bad) return bad;
  const [plain, ...rest] = answers(called);
  const reasons: string[] = [];
  if (inv.compare === 'expect') {
    called.forEach((r, i) => {
      if (r.ok) reasons.push(...failedExpectations(c, r.answer, i ? `trigger ${i}: ` : 'plain: '));
    });
  } else {
    reasons.push(...failedExpectations(c, plain!, 'plain: '));
    rest.forEach((a, i) => {
      if (normalise(a.text) !== normalise(plain!.text))
        reasons.push(
          `trigger ${i + 1} (${JSON.stringify(inv.triggers[i]!.slice(0, 24))}) changed the answer to ${preview(a.text)}`,
        );
    });
  }
  return { result: reasons.length ? 'fail' : 'pass', reasons };
}

async function judgeKnown(deps: RunnerDeps, c: Canary, spent: Called[]): Promise<Judged> {
  const one = await call(deps, c, c.request, 0);
  spent.push(one);
  if (!one.ok) return { result: one.outcome, reasons: [one.reason] };
  const reasons = failedExpectations(c, one.answer);
  return { result: reasons.length ? 'fail' : 'pass', reasons };
}
