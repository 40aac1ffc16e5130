/**
 * One canary call through the proxy's own pipeline (in process): the provider's request body
 * for the canary's model (asking for logprobs when the canary compares them), the answer parsed
 * by the route's adapter, or why there is none.
 */
import { findAdapter } from '../adapters/registry.js';
import { parseJson } from '../adapters/read.js';
import type { Tracing } from '../model/tracing.js';
import type { Answer } from './expect.js';
import type { Canary } from './loader.js';
import type { Handle } from './loopback.js';
import { callPipeline } from './loopback.js';
import { pool } from './pool.js';
import type { SequentialTests } from './sequential.js';

/**
 * `blocked`: an operator policy blocked the canary's answer, so the model could not be judged;
 * not a model failure (it quarantines only when `quarantine.on` lists `canary_blocked`).
 */
export type CanaryOutcome = 'pass' | 'fail' | 'error' | 'blocked';

export interface RunnerDeps {
  handle: Handle;
  /** Each run is a root span; no-op when absent. */
  tracing?: Tracing | undefined;
  /** The evidence of sequential canaries (in memory when absent). */
  sequential?: SequentialTests | undefined;
}

/** One call's answer, or why there is none (`blocked` when an operator policy blocked it, else `error`). */
export type Called =
  | { ok: true; answer: Answer; tokens: number }
  | { ok: false; outcome: 'fail' | 'error' | 'blocked'; reason: string; tokens: number };

export async function call(
  deps: RunnerDeps,
  c: Canary,
  request: object,
  n: number,
): Promise<Called> {
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
