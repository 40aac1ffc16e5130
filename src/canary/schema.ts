/**
 * Canary files (`canaries:` in the configuration). Strict, like every file Coalmine reads;
 * errors are reported at their YAML position by the shared loader.
 */
import { z } from 'zod';
import { durationMs } from '../config/units.js';
import { expectationSchema } from './expect.js';
import { minPValue } from './logprob-test.js';

const ID = /^[a-z0-9][a-z0-9_.-]{0,62}$/i;

/**
 * The request body, without `model` (taken from the canary) — any provider params pass.
 * Chat formats take `messages`; prompt formats `prompt` or `input` (embeddings, Responses).
 */
const request = z
  .looseObject({
    messages: z
      .array(z.looseObject({ role: z.string(), content: z.unknown() }))
      .min(1)
      .optional(),
  })
  .refine((r) => r.messages !== undefined || 'prompt' in r || 'input' in r, {
    message: 'request needs messages (or prompt, or input)',
  })
  .refine((r) => !('model' in r), { message: 'request.model is set by the canary\'s "model"' })
  .refine((r) => !('stream' in r), { message: 'canaries do not stream; remove request.stream' });

const distribution = z
  .strictObject({
    /**
     * `mmd` (default): each run decides alone, by a permutation MMD test against the baseline.
     * `sequential`: every completion adds to one anytime-valid conformal test martingale carried
     * across runs and restarts (conformal.ts); `alpha` bounds false alarms over all time.
     */
    test: z.enum(['mmd', 'sequential']).default('mmd'),
    /** Completions sampled per run; default 30 (mmd) or 5 (sequential). */
    samples: z.number().int().min(1).max(500).optional(),
    /** Completions `coalmine canary baseline` records; default `samples` (mmd) or 200 (sequential). */
    baseline_samples: z.number().int().min(5).max(5000).optional(),
    /** mmd: fail when a run's p-value is below this; sequential: the lifetime false-alarm bound. */
    alpha: z.number().gt(0).lt(1).default(0.01),
    /** mmd: permutations for the p-value (default 1000). */
    permutations: z.number().int().min(100).max(100_000).optional(),
    /** Code points of each completion compared. */
    max_chars: z.number().int().min(1).max(10_000).default(100),
    /** Requests in flight at once while sampling. */
    concurrency: z.number().int().min(1).max(32).default(4),
    /** sequential: distinct completions kept before monitoring restarts from the baseline (default 5000). */
    max_distinct: z.number().int().min(10).max(100_000).optional(),
  })
  .refine((d) => d.test === 'sequential' || d.samples === undefined || d.samples >= 5, {
    message: 'an mmd test needs at least 5 samples per run',
    path: ['samples'],
  })
  .refine((d) => d.test === 'mmd' || d.permutations === undefined, {
    message: 'permutations apply to test: mmd; a sequential test has none',
    path: ['permutations'],
  })
  .refine((d) => d.test === 'sequential' || d.max_distinct === undefined, {
    message: 'max_distinct applies to test: sequential',
    path: ['max_distinct'],
  });

const invariance = z.strictObject({
  /** Candidate trigger strings; each variant puts one where `{{trigger}}` is (or appends it). */
  triggers: z.array(z.string().min(1)).min(1),
  /**
   * `normalised` (default): every variant's answer equals the plain one, compared tolerantly;
   * `expect`: every variant meets the canary's `expect`.
   */
  compare: z.enum(['normalised', 'expect']).default('normalised'),
});

const embedding = z.strictObject({
  /** Fail when the cosine similarity with the baseline vector is below this. */
  min_cosine: z.number().gt(-1).max(1).default(0.99),
});

const logprobs = z.strictObject({
  /** Alternatives asked for at each position (OpenAI allows up to 20). */
  top_k: z.number().int().min(1).max(20).default(5),
  /** Output positions compared: the first N tokens (also the request's output-token limit). */
  tokens: z.number().int().min(1).max(16).default(1),
  /** Calls per run. */
  samples: z.number().int().min(2).max(100).default(5),
  /** Calls `coalmine canary baseline` records (unless --samples says otherwise). */
  baseline_samples: z.number().int().min(2).max(500).default(10),
  /** Fail when the permutation p-value is below this. */
  alpha: z.number().gt(0).lt(1).default(0.001),
  /** Random splits when the exact test would need more than 20,000. */
  permutations: z.number().int().min(100).max(100_000).default(2000),
  /**
   * Also require a (position, token) whose mean logprob moved at least this much (nats): for
   * upstreams whose noise drifts over time more than the calls of one run show. 0: p alone.
   */
  min_shift: z.number().min(0).max(10).default(0),
  /** Requests in flight at once. */
  concurrency: z.number().int().min(1).max(32).default(4),
});

const defaults = z.strictObject({
  upstream: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  every: durationMs.optional(),
  jitter: z.number().min(0).max(0.5).optional(),
  timeout: durationMs.optional(),
});

export function canaryFileSchema() {
  const canary = z
    .strictObject({
      id: z.string().regex(ID, 'canary ids are 1–63 letters, digits, . _ -'),
      description: z.string().optional(),
      /** Upstream name from the configuration; default: `defaults.upstream`, else the first. */
      upstream: z.string().min(1).optional(),
      model: z.string().min(1).optional(),
      /** Path on the upstream; default: the provider's chat endpoint. */
      path: z.string().regex(/^\//, 'path must start with /').optional(),
      request,
      every: durationMs.optional(),
      /** Fraction of `every` by which each interval is randomly shortened or lengthened. */
      jitter: z.number().min(0).max(0.5).optional(),
      timeout: durationMs.optional(),
      expect: z.array(expectationSchema()).default([]),
      distribution: distribution.optional(),
      invariance: invariance.optional(),
      /** Embeddings: compare the vector with the baseline's by cosine similarity. */
      embedding: embedding.optional(),
      /** Compare the top-k next-token logprobs with the baseline's (OpenAI-compatible upstreams). */
      logprobs: logprobs.optional(),
    })
    .superRefine((c, ctx) => {
      const kinds = [c.distribution, c.invariance, c.embedding, c.logprobs].filter(Boolean).length;
      if (kinds > 1)
        ctx.addIssue({
          code: 'custom',
          path: ['invariance'],
          message:
            'a canary is one kind of probe: distribution, invariance, embedding or logprobs, not both',
        });
      const lp = c.logprobs;
      const floor = lp && minPValue(lp.baseline_samples, lp.samples, lp.permutations);
      if (lp && floor !== undefined && floor >= lp.alpha)
        ctx.addIssue({
          code: 'custom',
          path: ['logprobs'],
          message: `with ${lp.baseline_samples} baseline and ${lp.samples} run calls the smallest p-value is ${floor.toPrecision(3)}, not below alpha ${lp.alpha}: add calls or raise alpha`,
        });
      if (c.invariance && !c.request.messages)
        ctx.addIssue({
          code: 'custom',
          path: ['invariance'],
          message: 'invariance probes put triggers into request.messages',
        });
      if (!c.distribution && !c.invariance && !c.embedding && !lp && c.expect.length === 0)
        ctx.addIssue({
          code: 'custom',
          path: ['expect'],
          message: 'a known-answer canary needs at least one expectation',
        });
      if (c.invariance?.compare === 'expect' && c.expect.length === 0)
        ctx.addIssue({
          code: 'custom',
          path: ['expect'],
          message: 'invariance.compare: expect needs at least one expectation',
        });
    });
  return z.strictObject({
    defaults: defaults.optional(),
    /** Baseline file for distribution canaries, relative to this file. */
    baselines: z.string().min(1).optional(),
    canaries: z.array(canary).min(1),
  });
}

export type CanaryFile = z.output<ReturnType<typeof canaryFileSchema>>;
export type CanaryEntry = CanaryFile['canaries'][number];
export type DistributionSpec = z.output<typeof distribution>;
export type InvarianceSpec = z.output<typeof invariance>;
export type EmbeddingSpec = z.output<typeof embedding>;
export type LogprobSpec = z.output<typeof logprobs>;
