/** `coalmine canary run|baseline`: canaries on demand, in process, through the full pipeline. */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BaselineEntry } from '../canary/baseline.js';
import {
  BASELINE_FORMAT,
  requestDigest,
  sealBaseline,
  verifyBaseline,
} from '../canary/baseline.js';
import { logprobTrace, NO_LOGPROBS } from '../canary/logprob-canary.js';
import type { CanaryResult } from '../canary/runner.js';
import { sample } from '../canary/runner.js';
import type { Core, ServeOptions } from '../core.js';
import type { Logger } from '../model/log.js';
import { canaryResultJson } from '../canary/result-json.js';
import type { Io } from './policy.js';
import { UserError } from './user-error.js';

export interface CanaryCommandOptions {
  configFile: string | undefined;
  ids: string[];
  json?: boolean | undefined;
}

type MakeCore = (o: ServeOptions) => Promise<Core>;

/**
 * The command prints its own results: of the incident log it shows configuration warnings and
 * errors only (a failing canary is in the table, not repeated as a warning).
 */
const quietLog = (io: Io): Logger => ({
  enabled: (level) => level === 'warn' || level === 'error',
  write(level, event, msg) {
    if (level === 'error') io.err(`error: ${msg}\n`);
    else if (event === 'config_warning' || event === 'no_upstream_configured')
      io.err(`warning: ${msg}\n`);
  },
});

function unknownIds(core: Core, ids: readonly string[], io: Io): boolean {
  const missing = ids.filter((id) => !core.canaries.get(id));
  if (missing.length)
    io.err(
      `unknown canary id${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}; known: ${core.canaries.canaries.map((c) => c.id).join(', ') || '(none)'}\n`,
    );
  return missing.length > 0;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function resultTable(results: readonly CanaryResult[]): string {
  const rows = [['CANARY', 'UPSTREAM', 'MODEL', 'RESULT', 'P-VALUE', 'TOKENS', 'TIME', 'DETAILS']];
  for (const r of results)
    rows.push([
      r.id,
      r.upstream,
      r.model,
      r.result.toUpperCase(),
      r.evidence
        ? `e=${r.evidence.value.toPrecision(3)}/${r.evidence.threshold.toPrecision(3)}`
        : r.pValue === undefined
          ? '-'
          : r.pValue.toPrecision(3),
      String(r.tokens),
      `${r.durationSeconds.toFixed(2)}s`,
      r.reasons.join('; ') || '-',
    ]);
  return table(rows);
}

/** Builds the proxy core (no listeners) for a command, and always closes it. */
async function withCore(
  opts: CanaryCommandOptions,
  io: Io,
  makeCore: MakeCore,
  fn: (core: Core) => Promise<number>,
): Promise<number> {
  const core = await makeCore({
    cwd: io.cwd,
    env: io.env,
    configFile: opts.configFile,
    log: quietLog(io),
    // The audit log belongs to the serving process: a second writer would fork its chain.
    audit: false,
    writeEvidence: false,
    shareState: false,
  });
  try {
    return await fn(core);
  } finally {
    await core.close();
  }
}

/** Runs the canaries now; exit 1 when any fails or cannot run, 2 on a usage or config error. */
export function run(opts: CanaryCommandOptions, io: Io, makeCore: MakeCore): Promise<number> {
  return withCore(opts, io, makeCore, async (core) => {
    if (core.canaries.canaries.length === 0) {
      io.err('no canaries configured (add `canaries: [FILE]` to the configuration)\n');
      return 2;
    }
    if (unknownIds(core, opts.ids, io)) return 2;
    const results = await core.canaries.runAll(opts.ids);
    if (opts.json) io.out(`${JSON.stringify(results.map(canaryResultJson), null, 2)}\n`);
    else {
      const blocked = results.filter((r) => r.result === 'blocked').length;
      const failed = results.filter((r) => r.result !== 'pass').length - blocked;
      const also = blocked ? `, ${blocked} blocked by a policy` : '';
      io.out(
        `${resultTable(results)}\n\n${results.length - failed - blocked} passed, ${failed} failed${also}\n`,
      );
    }
    return results.every((r) => r.result === 'pass') ? 0 : 1;
  });
}

/** Samples the baselined canaries and writes (or updates) a signed baseline file. */
export async function baseline(
  opts: CanaryCommandOptions & { out: string | undefined; samples?: number | undefined },
  io: Io,
  makeCore: MakeCore,
): Promise<number> {
  if (!opts.out)
    throw new UserError(
      'CLI_MISSING_ARGUMENT',
      'canary baseline: --out FILE is required (see coalmine canary baseline --help)',
    );
  const out = resolve(io.cwd, opts.out);
  return withCore(opts, io, makeCore, async (core) => {
    if (unknownIds(core, opts.ids, io)) return 2;
    const chosen = core.canaries.canaries.filter(
      (c) =>
        (c.distribution ?? c.embedding ?? c.logprobs) &&
        (opts.ids.length === 0 || opts.ids.includes(c.id)),
    );
    if (chosen.length === 0) {
      io.err('no distribution, logprob or embedding canaries selected\n');
      return 2;
    }
    const key = core.config.canary.hmac_key;
    let entries: Record<string, BaselineEntry> = {};
    if (existsSync(out)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(out, 'utf8'));
      } catch {
        parsed = undefined;
      }
      const v = verifyBaseline(parsed, key);
      if (!v.ok) {
        io.err(`${out}: refusing to update: ${v.reason}\n`);
        return 1;
      }
      entries = { ...v.content.canaries };
    }
    const runner = core.canaries.runnerDeps;
    for (const c of chosen) {
      const n = c.distribution
        ? (opts.samples ?? c.distribution.baseline_samples)
        : c.logprobs
          ? (opts.samples ?? c.logprobs.baseline_samples)
          : 1;
      const concurrency = c.distribution?.concurrency ?? c.logprobs?.concurrency ?? 1;
      const called = await sample(runner, c, n, concurrency);
      const bad = called.find((x) => !x.ok);
      if (bad && !bad.ok) {
        io.err(`canary "${c.id}": cannot record a baseline: ${bad.reason}\n`);
        return 1;
      }
      entries[c.id] = {
        upstream: c.upstream,
        model: c.model,
        request_sha256: requestDigest(c.path, c.model, c.request),
        max_chars: c.distribution?.max_chars ?? 0,
        samples: c.distribution ? called.map((x) => (x.ok ? x.answer.text : '')) : [],
      };
      if (c.embedding) {
        const v = called[0]?.ok ? called[0].answer.vector : undefined;
        if (!v) {
          io.err(`canary "${c.id}": the answer has no embedding vector\n`);
          return 1;
        }
        entries[c.id]!.vector = Array.from(v);
      }
      if (c.logprobs) {
        const lp = c.logprobs;
        const calls = called.map((x) => (x.ok ? x.answer.logprobs : undefined));
        if (calls.some((t) => !t?.length)) {
          io.err(`canary "${c.id}": cannot record a baseline: ${NO_LOGPROBS}\n`);
          return 1;
        }
        entries[c.id]!.logprobs = {
          top_k: lp.top_k,
          tokens: lp.tokens,
          calls: calls.map((t) => logprobTrace(t!, lp.tokens, lp.top_k)),
        };
      }
      if (c.baselineFile !== out)
        io.err(
          `warning: canary "${c.id}" reads its baseline from ${c.baselineFile ?? '(no baselines: key in its file)'}, not ${out}\n`,
        );
      io.out(
        c.embedding
          ? `recorded the embedding vector for ${c.id} (${c.upstream}/${c.model})\n`
          : c.logprobs
            ? `recorded the top-${c.logprobs.top_k} logprobs of ${n} calls for ${c.id} (${c.upstream}/${c.model}, ${called.reduce((t, x) => t + x.tokens, 0)} tokens)\n`
            : `recorded ${n} samples for ${c.id} (${c.upstream}/${c.model})\n`,
      );
    }
    const file = sealBaseline(
      { coalmine_baseline: BASELINE_FORMAT, created: new Date().toISOString(), canaries: entries },
      key,
    );
    writeFileSync(`${out}.tmp`, `${JSON.stringify(file, null, 2)}\n`);
    renameSync(`${out}.tmp`, out);
    io.out(`wrote ${out}${key ? ' (signed)' : ''}\n`);
    return 0;
  });
}
