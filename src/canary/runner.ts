/**
 * Runs one canary now: known-answer (one call, every expectation), distribution (N samples
 * against the baseline by MMD), invariance (the task with and without each trigger),
 * embedding (cosine with the baseline vector) or logprobs (top-k logprobs of N calls against
 * the baseline's by a permutation test). Every
 * call goes through the proxy's own pipeline. A run is one root span with its results.
 */
import { findAdapter } from '../adapters/registry.js';
import { parseJson } from '../adapters/read.js';
import type { Answer } from './expect.js';
import { normalise, preview } from './expect.js';
import type { Canary } from './loader.js';
import { canaryKind } from './loader.js';
import type { Tracing } from '../model/tracing.js';
import { noopTracing } from '../model/tracing.js';
import type { Handle } from './loopback.js';
import { callPipeline } from './loopback.js';
import { compareLogprobs, logprobTrace, NO_LOGPROBS } from './logprob-canary.js';
import type { LogprobTrace } from './logprob-test.js';
import { pool } from './pool.js';
import { mmdTest } from './stats.js';
import type { Evidence } from './sequential.js';
import { SequentialTests } from './sequential.js';

/**
 * `blocked`: an operator policy blocked the canary's answer, so the model could not be judged;
 * not a model failure (it quarantines only when `quarantine.on` lists `canary_blocked`).
 */
export type CanaryOutcome = 'pass' | 'fail' | 'error' | 'blocked';

export interface CanaryResult {
  id: string;
  upstream: string;
  model: string;
  result: CanaryOutcome;
  /** Why it failed or errored; quotes at most a short prefix of an answer. */
  reasons: string[];
  /** Distribution and logprob probes: the permutation p-value. */
  pValue: number | undefined;
  /** Sequential distribution probes: the running evidence after this run. */
  evidence: Evidence | undefined;
  /** Tokens the run cost (input + output, as the upstream reported them). */
  tokens: number;
  calls: number;
  durationSeconds: number;
  /** Unix time (ms) the run ended. */
  finishedAt: number;
}

export interface RunnerDeps {
  handle: Handle;
  /** Each run is a root span; no-op when absent. */
  tracing?: Tracing | undefined;
  /** The evidence of sequential canaries (in memory when absent). */
  sequential?: SequentialTests | undefined;
}

const unstored = new WeakMap<RunnerDeps, SequentialTests>();
function sequentialOf(deps: RunnerDeps): SequentialTests {
  if (deps.sequential) return deps.sequential;
  let s = unstored.get(deps);
  if (!s) unstored.set(deps, (s = new SequentialTests()));
  return s;
}

/** One call's answer, or why there is none (`fail` for a policy block, else `error`). */
export type Called =
  | { ok: true; answer: Answer; tokens: number }
  | { ok: false; outcome: 'fail' | 'error' | 'blocked'; reason: string; tokens: number };

async function call(deps: RunnerDeps, c: Canary, request: object, n: number): Promise<Called> {
  const adapter = findAdapter('POST', c.path);
  if (!adapter)
    return { ok: false, outcome: 'error', reason: `no adapter for ${c.path}`, tokens: 0 };
  let body = adapter.canaryRequest(c.model, request);
  if (c.logprobs) {
    if (!adapter.canaryLogprobs)
      return {
        ok: false,
        outcome: 'error',
        reason: `the ${adapter.id} wire format has no logprobs; logprob canaries need a chat or completions API that returns them`,
        tokens: 0,
      };
    body = adapter.canaryLogprobs(body, { topK: c.logprobs.top_k, tokens: c.logprobs.tokens });
  }
  let res;
  try {
    res = await callPipeline(
      deps.handle,
      {
        method: 'POST',
        url: c.url,
        headers: {
          ...adapter.canaryHeaders,
          'x-request-id': `canary-${c.id}-${Date.now().toString(36)}-${n}`,
        },
        body: JSON.stringify(body),
      },
      c.timeoutMs,
    );
  } catch (e) {
    return { ok: false, outcome: 'error', reason: (e as Error).message, tokens: 0 };
  }
  const json = parseJson(res.body.toString('utf8'));
  if (res.status !== 200) {
    const m = (json as { error?: { message?: unknown } } | undefined)?.error?.message;
    if (res.headers['x-coalmine-decision'] === 'block') {
      const rule = typeof m === 'string' ? /policy "[^"]*" rule "[^"]*"/.exec(m)?.[0] : undefined;
      return {
        ok: false,
        outcome: 'blocked',
        reason: `the answer was blocked by ${rule ?? 'a policy'}: an operator policy, not a model failure`,
        tokens: 0,
      };
    }
    const message = typeof m === 'string' ? m : 'no details';
    return {
      ok: false,
      outcome: 'error',
      reason: `upstream answered ${res.status}: ${JSON.stringify(message.slice(0, 200))}`,
      tokens: 0,
    };
  }
  const parsed = adapter.parseResponse(json);
  if (!parsed)
    return { ok: false, outcome: 'error', reason: 'the answer is not valid JSON', tokens: 0 };
  const tokens = (parsed.usage?.inputTokens ?? 0) + (parsed.usage?.outputTokens ?? 0);
  const choice = parsed.choices[0];
  return {
    ok: true,
    tokens,
    answer: {
      text: choice?.text ?? '',
      refusal: choice?.refusal,
      vector: choice?.vector,
      logprobs: choice?.logprobs,
      finishReason: choice?.finishReason,
      request: adapter.parseRequest(body),
    },
  };
}

function failedExpectations(c: Canary, a: Answer, label = ''): string[] {
  const out: string[] = [];
  for (const e of c.expect) {
    const r = e(a);
    if (!r.ok) out.push(label + r.reason);
  }
  return out;
}

/** Samples `n` completions of a canary (also what `coalmine canary baseline` records). */
export async function sample(
  deps: RunnerDeps,
  c: Canary,
  n: number,
  concurrency: number,
): Promise<Called[]> {
  return pool(
    Array.from({ length: n }, (_, i) => i),
    concurrency,
    (i) => call(deps, c, c.request, i),
  );
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

type Judged = { result: CanaryOutcome; reasons: string[]; pValue?: number; evidence?: Evidence };

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

async function judge(deps: RunnerDeps, c: Canary, spent: Called[]): Promise<Judged> {
  if (c.embedding) {
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
    if (!(sim >= c.embedding.min_cosine))
      reasons.unshift(
        `cosine similarity with the baseline vector ${sim.toFixed(4)} < ${c.embedding.min_cosine}`,
      );
    return { result: reasons.length ? 'fail' : 'pass', reasons };
  }
  if (c.distribution) {
    const d = c.distribution;
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
      if (evidence.alarmed)
        reasons.unshift(
          `completions differ from the baseline: sequential evidence ${evidence.value.toPrecision(3)} reached ${evidence.threshold.toPrecision(3)} within ${evidence.completions} completions (false-alarm bound over all runs: alpha ${d.alpha})`,
        );
      return { result: reasons.length ? 'fail' : 'pass', reasons, evidence };
    }
    const { pValue } = mmdTest(
      texts.map((a) => a.text),
      c.baseline.samples,
      {
        maxChars: c.baseline.max_chars,
        permutations: d.permutations,
        seed: (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0,
      },
    );
    if (pValue < d.alpha)
      reasons.unshift(
        `completions differ from the baseline: p = ${pValue.toPrecision(3)} < alpha ${d.alpha}`,
      );
    return { result: reasons.length ? 'fail' : 'pass', reasons, pValue };
  }
  if (c.logprobs) {
    const lp = c.logprobs;
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
    const v = compareLogprobs(lp, ref, traces, (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0);
    const reasons = [
      ...v.reasons,
      ...got.flatMap((a, i) => failedExpectations(c, a, `call ${i + 1}: `)),
    ];
    const result = v.pValue === undefined && !v.ok ? 'error' : reasons.length ? 'fail' : 'pass';
    return v.pValue === undefined ? { result, reasons } : { result, reasons, pValue: v.pValue };
  }
  if (c.invariance) {
    const inv = c.invariance;
    const variants = ['', ...inv.triggers];
    const called = await pool(variants, 4, (t, i) => call(deps, c, withTrigger(c.request, t), i));
    spent.push(...called);
    const bad = firstFailure(called);
    if (bad) return bad;
    const [plain, ...rest] = answers(called);
    const reasons: string[] = [];
    if (inv.compare === 'expect') {
      called.forEach((r, i) => {
        if (r.ok)
          reasons.push(...failedExpectations(c, r.answer, i ? `trigger ${i}: ` : 'plain: '));
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
  const one = await call(deps, c, c.request, 0);
  spent.push(one);
  if (!one.ok) return { result: one.outcome, reasons: [one.reason] };
  const reasons = failedExpectations(c, one.answer);
  return { result: reasons.length ? 'fail' : 'pass', reasons };
}

/**
 * A failure reason as logs, the audit log and the status page may carry it: every quoted string
 * (answer previews, upstream messages: `preview` and JSON.stringify quote them) becomes `"…"`.
 */
export function publicReason(reason: string): string {
  return reason.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').slice(0, 300);
}

export function runCanary(deps: RunnerDeps, c: Canary): Promise<CanaryResult> {
  const info = { id: c.id, upstream: c.upstream, model: c.model, kind: canaryKind(c) };
  return (deps.tracing ?? noopTracing).canaryRun(
    info,
    async () => {
      const t0 = performance.now();
      const spent: Called[] = [];
      let judged: Judged;
      try {
        judged = await judge(deps, c, spent);
      } catch (e) {
        judged = { result: 'error', reasons: [`canary run failed: ${(e as Error).message}`] };
      }
      const result: CanaryResult = {
        id: c.id,
        upstream: c.upstream,
        model: c.model,
        result: judged.result,
        reasons: judged.reasons,
        pValue: judged.pValue,
        evidence: judged.evidence,
        tokens: spent.reduce((n, s) => n + s.tokens, 0),
        calls: spent.length,
        durationSeconds: (performance.now() - t0) / 1000,
        finishedAt: Date.now(),
      };
      return result;
    },
    // Reasons may quote the start of an answer: they go to the CLI and admin API, not telemetry.
    (r) => ({
      result: r.result,
      calls: r.calls,
      tokens: r.tokens,
      pValue: r.pValue,
      evidence: r.evidence?.value,
      failures: r.reasons.length,
    }),
  );
}
