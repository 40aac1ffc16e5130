/**
 * `json-schema`: the output must be JSON valid against a schema — given in params, or with
 * `schema_from: request` the request's own structured-output schema. Compiled validators are
 * cached (LRU) so per-request schemas are compiled once.
 */
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { defineCheck, PASS } from './types.js';

const ajv = new Ajv({ allErrors: false, strict: false, validateSchema: true });
const cache = new LRUCache<string, ValidateFunction | Error>({ max: 500 });

/** A cached validator for `schema`, or the reason it cannot be compiled. */
export function validatorFor(schema: unknown): ValidateFunction | Error {
  const key = JSON.stringify(schema);
  let v = cache.get(key);
  if (!v) {
    try {
      v = ajv.compile(schema as object);
    } catch (e) {
      v = e instanceof Error ? e : new Error(String(e));
    }
    cache.set(key, v);
  }
  return v;
}

const params = z
  .strictObject({
    schema: z.record(z.string(), z.unknown()).optional(),
    schema_from: z.enum(['params', 'request']).default('params'),
    /** Accept JSON wrapped in a ``` fenced code block. */
    allow_code_fence: z.boolean().default(true),
  })
  .superRefine((p, ctx) => {
    if (p.schema_from === 'params' && !p.schema)
      ctx.addIssue({
        code: 'custom',
        path: ['schema'],
        message: 'schema is required unless schema_from is request',
      });
    if (p.schema) {
      const v = validatorFor(p.schema);
      if (v instanceof Error)
        ctx.addIssue({
          code: 'custom',
          path: ['schema'],
          message: `invalid JSON Schema: ${v.message}`,
        });
    }
  });

const FENCE = /^\s*```[a-z]*\s*\n([\s\S]*?)\n\s*```\s*$/i;

export const jsonSchemaCheck = defineCheck({
  id: 'json-schema',
  summary:
    "The output must be JSON valid against a schema (from params, or the request's own response_format schema).",
  params,
  actions: ['block', 'flag'],
  create(p) {
    return {
      evaluate(input) {
        const schema = p.schema_from === 'request' ? input.request.responseSchema : p.schema;
        if (schema === undefined) return PASS;
        if (input.toolCalls.length && !input.text.trim()) return PASS;
        const v = validatorFor(schema);
        if (v instanceof Error)
          return { status: 'error', message: 'the JSON Schema does not compile' };
        const raw = p.allow_code_fence ? (FENCE.exec(input.text)?.[1] ?? input.text) : input.text;
        let value: unknown;
        try {
          value = JSON.parse(raw);
        } catch {
          return { status: 'fail', spans: [], detail: 'output is not valid JSON' };
        }
        if (v(value)) return PASS;
        const e = v.errors?.[0];
        return {
          status: 'fail',
          spans: [],
          detail: `output does not match the schema${e ? ` at ${e.instancePath || '/'} (${e.keyword})` : ''}`,
        };
      },
    };
  },
});
