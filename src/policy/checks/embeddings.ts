/**
 * `embeddings`: an embedding vector is sane — the expected dimension, no NaN or infinity,
 * not all zeros, its L2 norm within a range. A swapped or broken embedding model rarely
 * announces itself; this and the canary's cosine comparison make it visible. Responses
 * without vectors pass.
 */
import { z } from 'zod';
import { defineCheck, PASS } from './types.js';

const params = z
  .strictObject({
    /** The dimension every vector must have. */
    dimensions: z.number().int().positive().optional(),
    min_norm: z.number().min(0).default(0),
    max_norm: z.number().positive().optional(),
    /** Whether an all-zero vector is acceptable. */
    allow_zero: z.boolean().default(false),
  })
  .refine((p) => p.max_norm === undefined || p.max_norm >= p.min_norm, {
    message: 'max_norm must be at least min_norm',
    path: ['max_norm'],
  });

export const embeddingsCheck = defineCheck({
  id: 'embeddings',
  summary:
    'An embedding vector has the expected dimension, finite values, a norm in range and is not all zeros.',
  params,
  actions: ['block', 'flag'],
  create(p) {
    return {
      reads: { text: 0, toolCallArguments: false },
      evaluate({ vector }) {
        if (!vector) return PASS;
        const fail = (detail: string) => ({ status: 'fail' as const, spans: [], detail });
        if (p.dimensions !== undefined && vector.length !== p.dimensions)
          return fail(`dimension ${vector.length}, expected ${p.dimensions}`);
        let sq = 0;
        let nonZero = false;
        for (let i = 0; i < vector.length; i++) {
          const x = vector[i]!;
          if (!Number.isFinite(x)) return fail(`component ${i} is ${x}`);
          if (x !== 0) nonZero = true;
          sq += x * x;
        }
        if (!nonZero && !p.allow_zero) return fail('the vector is all zeros');
        const norm = Math.sqrt(sq);
        if (norm < p.min_norm || (p.max_norm !== undefined && norm > p.max_norm))
          return fail(`norm ${norm.toPrecision(4)} outside [${p.min_norm}, ${p.max_norm ?? '∞'}]`);
        return PASS;
      },
    };
  },
});
