/** `coalmine policy lint|test|schema`. Each returns the process exit code. */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { providerIds } from '../adapters/providers.js';
import { loadConfig } from '../config/load.js';
import { parseYaml, validateYaml } from '../config/yaml-file.js';
import { ConfigError, formatIssue } from '../errors.js';
import type { SourceIssue } from '../errors.js';
import { loadPolicySet } from '../policy/loader.js';
import { loadCanaries } from '../canary/loader.js';
import { canaryUpstreams, DEFAULT_PACK } from '../core.js';
import { blockedCanaryAnswers } from '../canary/policy-conflicts.js';
import { fileArguments } from './files.js';

/** Stands in for the configured upstreams when a canary file is linted on its own. */
const ANY_UPSTREAM = canaryUpstreams([]);
import { checksTable } from '../policy/checks/docs.js';
import { policyJsonSchema } from '../policy/schema.js';
import { runTestFile, testFileSchema } from '../policy/test-file.js';

export interface Io {
  out(s: string): void;
  err(s: string): void;
  cwd: string;
  env: Record<string, string | undefined>;
}

type Kind = 'policy' | 'test' | 'canary' | 'config';

function kindOf(value: unknown): Kind {
  const keys = value && typeof value === 'object' ? Object.keys(value) : [];
  if (keys.includes('rules')) return 'policy';
  if (keys.includes('tests')) return 'test';
  const canaries = (value as { canaries?: unknown } | undefined)?.canaries;
  if (Array.isArray(canaries) && canaries.some((c) => c && typeof c === 'object')) return 'canary';
  return 'config';
}

/** Validates policy, policy-test and configuration files; every error as file:line:col. */
export function lint(files: string[], io: Io): number {
  if (files.length === 0) {
    io.err('usage: coalmine policy lint FILE…\n');
    return 2;
  }
  const issues: SourceIssue[] = [];
  const policies: string[] = [];
  for (const f of fileArguments('policy lint', files, io.cwd)) {
    const { value, issues: syntax } = parseYaml(readText(f), f);
    if (syntax.length) {
      issues.push(...syntax);
      continue;
    }
    const kind = kindOf(value);
    if (kind === 'policy') policies.push(f);
    else if (kind === 'test') {
      const r = validateYaml(readText(f), f, testFileSchema);
      if (!r.ok) issues.push(...r.issues);
      else {
        const loaded = loadPolicySet({ patterns: r.value.policies, baseDir: dirname(f) });
        if (!loaded.ok) issues.push(...loaded.issues);
      }
    } else if (kind === 'canary') {
      // Alone, a canary file cannot know the upstreams: its schema and baseline are checked.
      const r = loadCanaries({
        patterns: [f],
        baseDir: dirname(f),
        upstreams: ANY_UPSTREAM,
        env: io.env,
      });
      if (!r.ok) issues.push(...r.issues.filter((i) => !i.message.includes('unknown upstream')));
    } else {
      try {
        const { config, baseDir } = loadConfig({
          cwd: io.cwd,
          env: io.env,
          configFile: f,
          schema: { providers: providerIds() },
        });
        const loaded = loadPolicySet({
          patterns: config.policies ?? [],
          baseDir,
          upstreams: config.upstreams.map((u) => u.name),
        });
        if (!loaded.ok) issues.push(...loaded.issues);
        const canaries = loadCanaries({
          patterns: config.canaries ?? [],
          baseDir,
          upstreams: canaryUpstreams(config.upstreams),
          hmacKey: config.canary.hmac_key,
          env: io.env,
        });
        if (!canaries.ok) issues.push(...canaries.issues);
        // With no `policies:` the server serves the shipped pack: lint what it would serve.
        const served = config.policies
          ? loaded
          : loadPolicySet({ patterns: [DEFAULT_PACK], baseDir });
        if (served.ok && canaries.ok)
          for (const w of blockedCanaryAnswers(canaries.canaries, served.set))
            io.err(`${f}: warning: ${w}\n`);
      } catch (e) {
        if (e instanceof ConfigError) issues.push(...e.issues);
        else throw e;
      }
    }
  }
  if (policies.length) {
    const loaded = loadPolicySet({ patterns: policies, baseDir: io.cwd });
    if (!loaded.ok) issues.push(...loaded.issues);
  }
  for (const i of issues) io.err(`${formatIssue(i)}\n`);
  io.out(
    issues.length
      ? `${issues.length} error(s) in ${files.length} file(s)\n`
      : `${files.length} file(s) OK\n`,
  );
  return issues.length ? 1 : 0;
}

/** Runs policy test files; prints each failure and `N passed, N failed`. */
export function test(files: string[], io: Io): number {
  if (files.length === 0) {
    io.err('usage: coalmine policy test FILE…\n');
    return 2;
  }
  let passed = 0;
  let failed = 0;
  for (const f of fileArguments('policy test', files, io.cwd)) {
    const r = runTestFile(f);
    for (const i of r.issues) io.err(`${formatIssue(i)}\n`);
    if (r.issues.length) failed++;
    for (const c of r.cases) {
      if (c.ok) passed++;
      else {
        failed++;
        io.out(`FAIL ${f}: ${c.name}\n${c.problems.map((p) => `  ${p}\n`).join('')}`);
      }
    }
  }
  io.out(`${passed} passed, ${failed} failed\n`);
  return failed ? 1 : 0;
}

export function checks(io: Io): number {
  io.out(`${checksTable()}\n`);
  return 0;
}

export function schema(io: Io): number {
  io.out(`${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
  return 0;
}

function readText(f: string): string {
  return readFileSync(f, 'utf8');
}
