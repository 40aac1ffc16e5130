/**
 * The policy file format, built from the check registry so that each rule's `params` is
 * validated by its own check's schema. Strict: unknown keys are errors.
 */
import { z } from 'zod';
import type { Action, Severity } from '../model/verdict.js';
import { checks } from './checks/registry.js';

const id = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_.-]{0,63}$/i,
    'ids are 1–64 letters, digits, . _ - (starting with a letter or digit)',
  );
const severity = z.enum(['info', 'low', 'medium', 'high', 'critical']);

/** A rule as validated (its `params` already checked by its check's own schema). */
export interface RuleConfig {
  id: string;
  description?: string | undefined;
  check: string;
  params: unknown;
  action: Action;
  severity: Severity;
  /** `false`: the rule does not read the model's reasoning text (default: it does). */
  reasoning?: boolean | undefined;
}

function ruleSchema(): z.ZodType<RuleConfig> {
  const variants = checks.map((c) =>
    z.strictObject({
      id,
      description: z.string().optional(),
      check: z.literal(c.id),
      params: c.params.prefault({} as never),
      action: z
        .enum(c.actions as [string, ...string[]], {
          error: `check "${c.id}" supports the actions: ${c.actions.join(', ')}`,
        })
        .default('flag'),
      severity: severity.default('medium'),
      reasoning: z
        .boolean()
        .optional()
        .describe(
          "false: the rule skips the model's reasoning text (reasoning_content / reasoning); checked by default",
        ),
    }),
  );
  return z.discriminatedUnion('check', variants as unknown as [z.ZodObject, ...z.ZodObject[]], {
    error: (iss) =>
      iss.code === 'invalid_union'
        ? `unknown check; the checks are: ${checks.map((c) => c.id).join(', ')}`
        : undefined,
  }) as unknown as z.ZodType<RuleConfig>;
}

export function policySchema() {
  return z
    .strictObject({
      name: id,
      description: z.string().optional(),
      match: z
        .strictObject({
          upstreams: z.array(z.string().min(1)).min(1).optional(),
          models: z.array(z.string().min(1)).min(1).optional(),
        })
        .optional(),
      mode: z.enum(['enforce', 'shadow']).default('enforce'),
      on_error: z.enum(['open', 'closed']).default('open'),
      rules: z.array(ruleSchema()).min(1),
    })
    .superRefine(
      (p, ctx) => {
        // Runs even when other issues exist, so that lint lists every error at once.
        const rules = Array.isArray(p.rules) ? (p.rules as { id?: unknown }[]) : [];
        const seen = new Set<unknown>();
        rules.forEach((r, i) => {
          if (typeof r?.id !== 'string') return;
          if (seen.has(r.id))
            ctx.addIssue({
              code: 'custom',
              path: ['rules', i, 'id'],
              message: `duplicate rule id "${r.id}" in policy "${String(p.name)}"`,
            });
          seen.add(r.id);
        });
      },
      { when: () => true },
    );
}

export type PolicyFile = z.output<ReturnType<typeof policySchema>>;

/** The JSON Schema of a policy file, for editors (`policies/schema.json`). */
export function policyJsonSchema(): unknown {
  return {
    ...z.toJSONSchema(policySchema(), { io: 'input', unrepresentable: 'any' }),
    $id: 'https://coalmine.dev/schema/policy.json',
    title: 'Coalmine policy',
  };
}
