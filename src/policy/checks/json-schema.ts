/**
 * `json-schema`: the output must be JSON valid against a schema — given in params, or with
 * `schema_from: request` the request's own structured-output schema. Compiled validators are
 * cached (LRU) so per-request schemas are compiled once.
 */
import type * as AjvModule from 'ajv';
import type { Ajv, ValidateFunction } from 'ajv';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { fencedBody, parseJson } from './support/json.js';
import { defineCheck, PASS } from './types.js';

// Schemas come from requests too. Each is dropped from the shared instance once compiled: its
// `$id` must not stay registered (a second schema with the same `$id` would then fail to
// compile, switching the check off for someone else), and Ajv's own cache is unbounded (this
// module's LRU is the cache). Created, and Ajv (CommonJS) required, on first use: a policy set
// without schemas never loads it.
let shared: Ajv | undefined;
const ajv = (): Ajv =>
  (shared ??= new (createRequire(import.meta.url)('ajv') as typeof AjvModule).Ajv({
    allErrors: false,
    strict: false,
    validateSchema: true,
  }));
// Bounded in count and in bytes: keys are hashes, and an entry weighs its schema's JSON text
// (a compiled validator is of the same order); a schema over a MiB is compiled, not kept.
const cache = new LRUCache<string, ValidateFunction | Error>({
  max: 500,
  maxSize: 32 * 1024 * 1024,
  maxEntrySize: 1024 * 1024,
});

/** Drops `schema` from Ajv's cache (a non-string `$id` fails before Ajv caches anything). */
function release(schema: unknown): void {
  if (typeof schema !== 'object' || schema === null) return;
  const id = (schema as { $id?: unknown }).$id;
  if (id === undefined || typeof id === 'string') ajv().removeSchema(schema);
}

/** A cached validator for `schema`, or the reason it cannot be compiled. */
export function validatorFor(schema: unknown): ValidateFunction | Error {
  const json = JSON.stringify(schema) ?? 'undefined';
  const key = createHash('sha256').update(json).digest('base64');
  let v = cache.get(key);
  if (!v) {
    try {
      v = ajv().compile(schema as object);
      // An `$async` schema validates to a Promise: always truthy, and its rejection is unhandled.
      if ((v as { $async?: unknown }).$async)
        v = new Error('asynchronous schemas are not supported');
    } catch (e) {
      v = e instanceof Error ? e : new Error(String(e));
    } finally {
      release(schema);
    }
    if (json.length <= 1024 * 1024) cache.set(key, v, { size: Math.max(1, json.length) });
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

export const jsonSchemaCheck = defineCheck({
  id: 'json-schema',
  summary:
    "The output must be JSON valid against a schema (from params, or the request's own response_format schema).",
  params,
  actions: ['block', 'flag'],
  create(p) {
    return {
      // The text only, and nothing when there is no schema to hold it to.
      reads: (input) =>
        (p.schema_from === 'request' ? input.request.responseSchema : p.schema) === undefined
          ? { text: 0, toolCallArguments: false }
          : { toolCallArguments: false },
      evaluate(input) {
        const schema = p.schema_from === 'request' ? input.request.responseSchema : p.schema;
        if (schema === undefined) return PASS;
        if (input.toolCalls.length && !input.text.trim()) return PASS;
        const v = validatorFor(schema);
        if (v instanceof Error)
          return { status: 'error', message: 'the JSON Schema does not compile' };
        const raw = p.allow_code_fence ? (fencedBody(input.text) ?? input.text) : input.text;
        const parsed = parseJson(raw);
        if (!parsed.ok) return { status: 'fail', spans: [], detail: `output is ${parsed.why}` };
        if (v(parsed.value)) return PASS;
        const e = v.errors?.[0];
        return {
          status: 'fail',
          spans: [],
          // Where in the schema, never where in the output: the output's property names are
          // model text, and details reach spans and logs.
          detail: `output does not match the schema${e ? ` at ${bounded(e.schemaPath)} (${e.keyword})` : ''}`,
        };
      },
    };
  },
});

function bounded(path: string): string {
  return path.length <= 128 ? path : `${path.slice(0, 127)}…`;
}
