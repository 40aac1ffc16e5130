/**
 * Policy unit tests (SPEC §6): a YAML file naming policies and cases — an output (plain text
 * or a full provider response body) and the expected decision, rules and resulting text.
 */
import { dirname } from 'node:path';
import { z } from 'zod';
import { adapters, findAdapterById } from '../adapters/registry.js';
import { loadYamlFile } from '../config/yaml-file.js';
import type { SourceIssue } from '../errors.js';
import type { NormalisedResponse } from '../model/exchange.js';
import type { EngineLimits } from './engine.js';
import { evaluate } from './engine.js';
import { loadPolicySet } from './loader.js';
import { redactChoices } from './redact.js';

const decision = z.enum(['pass', 'flag', 'redact', 'block']);
const body = z.record(z.string(), z.unknown());

export const testFileSchema = z.strictObject({
  /** Policy files or globs, relative to this file. */
  policies: z.array(z.string()).min(1),
  /** Upstream name the cases are evaluated for (policies may `match` on it). */
  upstream: z.string().default('test'),
  /** Adapter id of full-body outputs and requests (default: the first registered adapter). */
  format: z.string().default(adapters[0]!.id),
  /** A provider request body shared by the cases (model, system prompt, tools, response_format). */
  request: body.optional(),
  tests: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        output: z.union([z.string(), body]),
        request: body.optional(),
        upstream: z.string().optional(),
        expect: z.strictObject({
          decision,
          /** Ids of the rules that fire (fail or error), in any order. */
          rules: z.array(z.string()).optional(),
          /** The text of the first choice after the actions (redaction). */
          text: z.string().optional(),
        }),
      }),
    )
    .min(1),
});

export interface CaseResult {
  name: string;
  ok: boolean;
  problems: string[];
}

export interface TestFileResult {
  file: string;
  issues: SourceIssue[];
  cases: CaseResult[];
}

const LIMITS: EngineLimits = { maxScanChars: 1_048_576, budgetMs: 1000 };

export function runTestFile(file: string): TestFileResult {
  const parsed = loadYamlFile(file, testFileSchema);
  if (!parsed.ok) return { file, issues: parsed.issues, cases: [] };
  const t = parsed.value;
  const adapter = findAdapterById(t.format);
  if (!adapter)
    return {
      file,
      issues: [{ file, line: 1, col: 1, message: `unknown format "${t.format}"` }],
      cases: [],
    };
  const loaded = loadPolicySet({ patterns: t.policies, baseDir: dirname(file) });
  if (!loaded.ok) return { file, issues: loaded.issues, cases: [] };

  const cases = t.tests.map((c): CaseResult => {
    const problems: string[] = [];
    const request = adapter.parseRequest(c.request ?? t.request ?? {});
    let response: NormalisedResponse | undefined;
    if (typeof c.output === 'string') {
      response = {
        id: undefined,
        model: undefined,
        fingerprint: undefined,
        usage: undefined,
        choices: [{ index: 0, text: c.output, toolCalls: [], finishReason: 'stop' }],
      };
    } else {
      response = adapter.parseResponse(c.output);
      if (!response) problems.push(`output is not a valid ${t.format} response body`);
    }
    if (response) {
      const v = evaluate(
        loaded.set,
        { upstream: c.upstream ?? t.upstream, request, response },
        LIMITS,
      );
      if (v.decision !== c.expect.decision)
        problems.push(`decision: expected ${c.expect.decision}, got ${v.decision}`);
      const fired = [
        ...new Set(v.results.filter((r) => r.status !== 'pass').map((r) => r.rule)),
      ].sort();
      if (c.expect.rules && fired.join(',') !== [...c.expect.rules].sort().join(',')) {
        problems.push(
          `rules: expected [${[...c.expect.rules].sort().join(', ')}], got [${fired.join(', ')}]`,
        );
      }
      if (c.expect.text !== undefined) {
        const first = response.choices[0];
        const edited =
          v.decision === 'redact'
            ? redactChoices(response.choices, v.results).find((e) => e.choice === first?.index)
                ?.text
            : undefined;
        const text = edited ?? first?.text ?? '';
        if (text !== c.expect.text)
          problems.push(
            `text: expected ${JSON.stringify(c.expect.text)}, got ${JSON.stringify(text)}`,
          );
      }
    }
    return { name: c.name, ok: problems.length === 0, problems };
  });
  return { file, issues: [], cases };
}
