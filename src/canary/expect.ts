/**
 * The canary expectation forms: one registry, like the check catalogue. Each form validates
 * its own parameter with zod and compiles it once, at load, into a predicate over one answer.
 * `check` reuses any catalogue check: the expectation holds when the check passes.
 */
import { z } from 'zod';
import type { RequestInfo, TokenLogprob } from '../model/exchange.js';
import { getCheck } from '../policy/checks/registry.js';
import { runCheck } from '../policy/checks/types.js';
import type { Check } from '../policy/checks/types.js';
import { safeRegexIssue } from '../policy/safe-regex.js';

/** One answer as a canary sees it. */
export interface Answer {
  text: string;
  /** The answer's refusal text (formats with a refusal field). */
  refusal?: string | undefined;
  /** Embeddings: the first vector of the answer. */
  vector?: ArrayLike<number> | undefined;
  /** Logprob canaries: the content's tokens with their log probabilities, when returned. */
  logprobs?: TokenLogprob[] | undefined;
  finishReason: string | undefined;
  request: RequestInfo;
}

/** Holds, or says why not without quoting more than a short prefix of the answer. */
export type Expectation = ((a: Answer) => { ok: true } | { ok: false; reason: string }) & {
  /** The answers it names (`equals`, `one_of`): what `policy lint` runs the policies over. */
  readonly answers?: readonly string[];
};

interface ExpectForm<S extends z.ZodType = z.ZodType> {
  key: string;
  summary: string;
  param: S;
  create(param: z.output<S>): Expectation;
}

const defineForm = <S extends z.ZodType>(f: ExpectForm<S>): ExpectForm => f;

/** Tolerant comparison: case, surrounding whitespace and punctuation, inner runs of spaces. */
export function normalise(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** What a failure report may show of an answer: its first 40 characters. */
export function preview(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(t.length > 40 ? `${t.slice(0, 40)}…` : t);
}

const fromCheck = (check: Check, holdsWhen: 'pass' | 'fail', what: string): Expectation => {
  return (a) => {
    const r = runCheck(check, {
      text: a.text,
      toolCalls: [],
      finishReason: a.finishReason,
      request: a.request,
      refusal: a.refusal,
    });
    if (r.status === 'error') return { ok: false, reason: `${what}: ${r.message}` };
    if (r.status === holdsWhen) return { ok: true };
    return { ok: false, reason: r.status === 'fail' ? `${what}: ${r.detail}` : `${what}` };
  };
};

/** A catalogue check with its params' defaults applied. */
const compile = (id: string, params: unknown): Check => {
  const def = getCheck(id)!;
  return def.create(def.params.parse(params));
};

const NUMBER = /[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[-+]?\d+)?/i;

const regexParam = z.union([
  z.string(),
  z.strictObject({
    pattern: z.string(),
    flags: z
      .string()
      .regex(/^[imsu]*$/)
      .default(''),
  }),
]);

export const forms: readonly ExpectForm[] = [
  defineForm({
    key: 'equals',
    summary: 'The answer equals the text, ignoring case, punctuation and extra whitespace.',
    param: z.string(),
    create(want) {
      const n = normalise(want);
      const holds: Expectation = (a) =>
        normalise(a.text) === n
          ? { ok: true }
          : { ok: false, reason: `expected ${JSON.stringify(want)}, got ${preview(a.text)}` };
      return Object.assign(holds, { answers: [want] });
    },
  }),
  defineForm({
    key: 'one_of',
    summary: 'The answer equals one of the texts (compared as `equals` does).',
    param: z.array(z.string()).min(1),
    create(list) {
      const set = new Set(list.map(normalise));
      const holds: Expectation = (a) =>
        set.has(normalise(a.text))
          ? { ok: true }
          : { ok: false, reason: `expected one of ${list.length} answers, got ${preview(a.text)}` };
      return Object.assign(holds, { answers: list });
    },
  }),
  defineForm({
    key: 'regex',
    summary: 'The answer matches the pattern (`{pattern, flags}` or a string).',
    param: regexParam.superRefine((v, ctx) => {
      const { pattern, flags } = typeof v === 'string' ? { pattern: v, flags: '' } : v;
      const issue = safeRegexIssue(pattern, flags);
      if (issue) ctx.addIssue({ code: 'custom', message: issue });
    }),
    create(v) {
      const { pattern, flags } = typeof v === 'string' ? { pattern: v, flags: '' } : v;
      const re = new RegExp(pattern, flags);
      return (a) =>
        re.test(a.text)
          ? { ok: true }
          : { ok: false, reason: `answer ${preview(a.text)} does not match /${pattern}/${flags}` };
    },
  }),
  defineForm({
    key: 'number',
    summary: 'The first number in the answer is `equals` ± `tolerance`.',
    param: z.strictObject({
      equals: z.number(),
      tolerance: z.number().min(0).default(0),
    }),
    create({ equals, tolerance }) {
      return (a) => {
        const m = NUMBER.exec(a.text);
        if (!m) return { ok: false, reason: `no number in ${preview(a.text)}` };
        const got = Number(m[0].replace(/,/g, ''));
        return Math.abs(got - equals) <= tolerance
          ? { ok: true }
          : { ok: false, reason: `expected ${equals} ± ${tolerance}, got ${got}` };
      };
    },
  }),
  defineForm({
    key: 'json-schema',
    summary: 'The answer is JSON valid against the schema (catalogue check `json-schema`).',
    param: z.record(z.string(), z.unknown()),
    create(schema) {
      return fromCheck(compile('json-schema', { schema }), 'pass', 'json-schema');
    },
  }),
  defineForm({
    key: 'refusal',
    summary: '`true`: the model must refuse (a safety probe); `false`: it must not.',
    param: z.boolean(),
    create(must) {
      return fromCheck(
        compile('refusal', {}),
        must ? 'fail' : 'pass',
        must ? 'expected a refusal' : 'unexpected refusal',
      );
    },
  }),
];

const CHECK_KEYS = ['check', 'params'] as const;

/** The zod schema of one expectation: exactly one form, or `check` (+ `params`). */
export function expectationSchema() {
  const shape: Record<string, z.ZodType> = {};
  for (const f of forms) shape[f.key] = f.param.optional();
  shape.check = z.string().optional();
  shape.params = z.unknown().optional();
  return z.strictObject(shape).transform((v, ctx): Expectation => {
    const present = Object.keys(v).filter((k) => v[k] !== undefined);
    const used = present.filter((k) => k !== 'params');
    if (used.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `an expectation has exactly one of: ${[...forms.map((f) => f.key), 'check'].join(', ')} (got ${used.join(', ') || 'none'})`,
      });
      return z.NEVER;
    }
    const key = used[0]!;
    if (key !== 'check') {
      if (present.includes('params')) {
        ctx.addIssue({ code: 'custom', path: ['params'], message: 'params go with check' });
        return z.NEVER;
      }
      return forms.find((f) => f.key === key)!.create(v[key]);
    }
    const def = getCheck(v.check as string);
    if (!def) {
      ctx.addIssue({
        code: 'custom',
        path: ['check'],
        message: `unknown check "${String(v.check)}"`,
      });
      return z.NEVER;
    }
    const params = def.params.safeParse(v.params ?? {});
    if (!params.success) {
      for (const i of params.error.issues)
        ctx.addIssue({ code: 'custom', path: ['params', ...i.path], message: i.message });
      return z.NEVER;
    }
    try {
      return fromCheck(def.create(params.data), 'pass', `check ${def.id}`);
    } catch (e) {
      ctx.addIssue({ code: 'custom', path: ['params'], message: (e as Error).message });
      return z.NEVER;
    }
  });
}

export const expectationKeys = (): string[] => [...forms.map((f) => f.key), ...CHECK_KEYS];
