/**
 * `tool-calls`: a tool call must name a tool the request declared, its arguments must be JSON
 * valid against that tool's declared parameters schema, and params may add allow/deny lists
 * and per-argument constraints (a URL argument's domains, a pattern, a maximum length).
 */
import { z } from 'zod';
import { validatorFor } from './json-schema.js';
import { safeRegexIssue } from '../safe-regex.js';
import { parseJson } from './support/json.js';
import { domainMatches, hostOf } from './support/links.js';
import { defineCheck, PASS } from './types.js';
import type { Span } from '../../model/verdict.js';

const constraint = z.strictObject({
  /** The argument, if a URL, must point to one of these domains. */
  domains: z.array(z.string().min(1)).optional(),
  pattern: z.string().optional(),
  max_length: z.number().int().positive().optional(),
});

const params = z
  .strictObject({
    require_declared: z.boolean().default(true),
    validate_arguments: z.boolean().default(true),
    allow: z.array(z.string()).optional(),
    deny: z.array(z.string()).default([]),
    /** Per tool, per top-level argument constraints. */
    arguments: z.record(z.string(), z.record(z.string(), constraint)).default({}),
  })
  .superRefine((p, ctx) => {
    for (const [tool, args] of Object.entries(p.arguments)) {
      for (const [arg, c] of Object.entries(args)) {
        const issue = c.pattern === undefined ? undefined : safeRegexIssue(c.pattern, '');
        if (issue)
          ctx.addIssue({
            code: 'custom',
            path: ['arguments', tool, arg, 'pattern'],
            message: issue,
          });
      }
    }
  });

export const toolCallsCheck = defineCheck({
  id: 'tool-calls',
  summary:
    'Tool calls must name a declared tool, with arguments valid against its declared schema; allow/deny lists and per-argument constraints (domains, pattern, length).',
  params,
  actions: ['block', 'flag'],
  create(p) {
    const patterns = new Map<string, RegExp>();
    for (const [tool, args] of Object.entries(p.arguments))
      for (const [arg, c] of Object.entries(args))
        if (c.pattern) patterns.set(`${tool}\0${arg}`, new RegExp(c.pattern));
    return {
      reads: { text: 0 },
      // Looks only at tool calls, which streams check once complete: never holds text.
      stream: { triggers: [] },
      evaluate(input) {
        const problems: string[] = [];
        const spans: Span[] = [];
        input.toolCalls.forEach((call, i) => {
          const fail = (why: string) => {
            problems.push(`tool call ${i}: ${why}`);
            // Empty arguments have nothing to redact: no empty span.
            if (call.arguments.length)
              spans.push({ start: 0, end: call.arguments.length, toolCall: i });
          };
          const declared = input.request.tools.find((t) => t.name === call.name);
          if (p.deny.includes(call.name)) return fail('tool is denied');
          if (p.allow && !p.allow.includes(call.name)) return fail('tool is not allowed');
          if (p.require_declared && !declared) return fail('tool was not declared in the request');
          let args: unknown = {};
          if (call.arguments.trim()) {
            const parsed = parseJson(call.arguments);
            if (!parsed.ok) return fail(`arguments are ${parsed.why}`);
            args = parsed.value;
          }
          if (
            p.validate_arguments &&
            declared?.parameters &&
            typeof declared.parameters === 'object'
          ) {
            const v = validatorFor(declared.parameters);
            if (!(v instanceof Error) && !v(args))
              return fail(
                `arguments do not match the declared schema at ${v.errors?.[0]?.instancePath || '/'} (${v.errors?.[0]?.keyword ?? 'invalid'})`,
              );
          }
          const constraints = p.arguments[call.name] ?? {};
          for (const [arg, c] of Object.entries(constraints)) {
            // Own properties only: `constructor` or `__proto__` would otherwise read the prototype.
            if (typeof args !== 'object' || args === null || !Object.hasOwn(args, arg)) continue;
            const value = (args as Record<string, unknown>)[arg];
            if (value === undefined) continue;
            const s = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
            if (c.max_length !== undefined && s.length > c.max_length)
              return fail(`argument "${arg}" is longer than ${c.max_length}`);
            const re = patterns.get(`${call.name}\0${arg}`);
            if (re && !re.test(s)) return fail(`argument "${arg}" does not match its pattern`);
            if (c.domains) {
              const host = hostOf(s);
              if (!host || !domainMatches(host, c.domains))
                return fail(`argument "${arg}" points to a domain not allowed`);
            }
          }
        });
        return problems.length ? { status: 'fail', spans, detail: problems.join('; ') } : PASS;
      },
    };
  },
});
