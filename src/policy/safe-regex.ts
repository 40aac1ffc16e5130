/**
 * Policy regexes run on attacker-controlled model output, so a pattern that can backtrack
 * catastrophically could hang the proxy. Patterns are analysed at load with recheck
 * (https://makenowjust-labs.github.io/recheck/) and rejected unless proven linear; a pattern
 * whose analysis runs out of time cannot be proven safe and is rejected too.
 *
 * Analysis costs up to `ANALYSIS_TIMEOUT_MS` per pattern, so verdicts are cached by
 * (source, flags) and a reload analyses only the patterns it has not seen. `safeRegexIssue` is
 * synchronous (zod refinements call it; the CLI and startup can afford to wait);
 * `withOffThreadRegexAnalysis` runs a synchronous load so that its unseen patterns are
 * analysed by recheck's asynchronous backend (a worker thread or recheck's agent process),
 * leaving the event loop free for live traffic while a reload is checked.
 *
 * recheck (about 20 MB resident once loaded) is required on first use: a pack without regexes (the
 * default one) never loads it.
 */
import { createRequire } from 'node:module';
import { LRUCache } from 'lru-cache';
import type * as RecheckModule from 'recheck';
import type { Diagnostics } from 'recheck';

type Recheck = typeof RecheckModule;
let recheck: Recheck | undefined;
/** recheck, loaded on first use (it is CommonJS, so a synchronous require serves `checkSync`). */
const rechecker = (): Recheck => (recheck ??= createRequire(import.meta.url)('recheck') as Recheck);

/** How long recheck may analyse one pattern before it is reported as unprovable. */
export const ANALYSIS_TIMEOUT_MS = 2000;
/**
 * Beyond recheck's own timeout, how long an asynchronous analysis may take (queueing, starting
 * recheck's agent) before it is abandoned and the pattern rejected.
 */
const ANALYSIS_GRACE_MS = 10_000;

const TIMED_OUT =
  'pattern could not be proven safe from catastrophic backtracking in time; simplify it';

interface Pattern {
  source: string;
  flags: string;
}

/**
 * Verdicts by `flags/source` (undefined: safe). Bounded in entries and characters; patterns
 * come from policy and canary files, not from clients.
 */
const verdicts = new LRUCache<string, { issue: string | undefined }>({
  max: 2000,
  maxSize: 4 * 1024 * 1024,
  sizeCalculation: (v, k) => k.length + (v.issue?.length ?? 0) + 1,
});

/** While a load runs in collection mode: the patterns it met that have no cached verdict. */
let collecting: Map<string, Pattern> | undefined;
/** While a load is re-run after asynchronous analysis: the verdicts of that analysis. */
let analysed: ReadonlyMap<string, string | undefined> | undefined;

const keyOf = (source: string, flags: string) => `${flags}/${source}`;

function syntaxIssue(pattern: string, flags: string): string | undefined {
  try {
    new RegExp(pattern, flags);
    return undefined;
  } catch (e) {
    return `invalid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
}

function issueOf(r: Diagnostics): string | undefined {
  if (r.status === 'safe') return undefined;
  if (r.status === 'vulnerable') {
    const kind =
      r.complexity.type === 'polynomial'
        ? `polynomial (degree ${r.complexity.degree})`
        : 'exponential';
    return `pattern can take ${kind} time on hostile output (catastrophic backtracking); rewrite it without nested or overlapping quantifiers`;
  }
  if (r.error.kind === 'timeout') return TIMED_OUT;
  const detail = 'message' in r.error ? `: ${r.error.message}` : '';
  return `pattern could not be analysed for catastrophic backtracking (${r.error.kind}${detail}); simplify it`;
}

/** Why `pattern` is unacceptable, or undefined when it is a valid, linear-time pattern. */
export function safeRegexIssue(pattern: string, flags: string): string | undefined {
  const syntax = syntaxIssue(pattern, flags);
  if (syntax) return syntax;
  const key = keyOf(pattern, flags);
  if (analysed?.has(key)) return analysed.get(key);
  const hit = verdicts.get(key);
  if (hit) return hit.issue;
  if (collecting) {
    // The verdict is not known yet: the caller's result is discarded, the load re-run.
    collecting.set(key, { source: pattern, flags });
    return undefined;
  }
  const issue = issueOf(rechecker().checkSync(pattern, flags, { timeout: ANALYSIS_TIMEOUT_MS }));
  verdicts.set(key, { issue });
  return issue;
}

/** Analyses one pattern with recheck's asynchronous backend, within a hard deadline. */
async function analyse(p: Pattern): Promise<string | undefined> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      resolve(undefined);
    }, ANALYSIS_TIMEOUT_MS + ANALYSIS_GRACE_MS);
  });
  try {
    const r = await Promise.race([
      rechecker().check(p.source, p.flags, {
        timeout: ANALYSIS_TIMEOUT_MS,
        signal: abort.signal,
      }),
      deadline,
    ]);
    // Past the deadline: rejected now, but not remembered (the machine, not the pattern, was slow).
    if (r === undefined) return TIMED_OUT;
    const issue = issueOf(r);
    verdicts.set(keyOf(p.source, p.flags), { issue });
    return issue;
  } catch {
    // No asynchronous backend available: analyse here, blocking, rather than not at all.
    const issue = issueOf(
      rechecker().checkSync(p.source, p.flags, { timeout: ANALYSIS_TIMEOUT_MS }),
    );
    verdicts.set(keyOf(p.source, p.flags), { issue });
    return issue;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the synchronous `load` with the regex analysis it needs done off the event loop: a first
 * run collects the patterns without a cached verdict, which are analysed asynchronously one at
 * a time (recheck's timeout counts from the start of each analysis), then `load` runs again
 * with those verdicts. When every pattern is cached, the first run is the result.
 */
export async function withOffThreadRegexAnalysis<T>(load: () => T): Promise<T> {
  const pending = new Map<string, Pattern>();
  collecting = pending;
  let first: T;
  try {
    first = load();
  } finally {
    collecting = undefined;
  }
  if (pending.size === 0) return first;
  const results = new Map<string, string | undefined>();
  for (const [key, p] of pending) results.set(key, await analyse(p));
  analysed = results;
  try {
    return load();
  } finally {
    analysed = undefined;
  }
}
