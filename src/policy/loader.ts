/**
 * Loads a policy set from files or globs: every file validated (file:line:col errors),
 * names unique across files, `match.upstreams` checked against the configured upstreams,
 * every rule compiled. All or nothing: any error and no set is returned. Only regular files of
 * at most `MAX_SOURCE_BYTES` are read (a FIFO or device is refused, never opened blocking).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';
import type { SourceIssue } from '../errors.js';
import { locate, readSourceFile, validateYaml } from '../config/yaml-file.js';
import type { YamlSource } from '../config/yaml-file.js';
import { getCheck } from './checks/registry.js';
import type { CompiledPolicy, CompiledRule, PolicySet } from './compiled.js';
import { EMPTY_SET } from './compiled.js';
import { globToRegExp } from './glob.js';
import { withOffThreadRegexAnalysis } from './safe-regex.js';
import type { PolicyFile } from './schema.js';
import { policySchema } from './schema.js';

export interface LoadPolicyOptions {
  /** Files or globs, relative to `baseDir`. */
  patterns: readonly string[];
  baseDir: string;
  /** Known upstream names; when given, `match.upstreams` must name only these. */
  upstreams?: readonly string[] | undefined;
}

export type LoadResult = { ok: true; set: PolicySet } | { ok: false; issues: SourceIssue[] };

/**
 * Expands patterns to absolute file paths; a literal path that does not exist is an issue.
 * Globs list regular files and symlinks (a FIFO, socket or device in the directory is not
 * listed; a symlink to one is, and refused when read).
 */
export function expandPatterns(
  patterns: readonly string[],
  baseDir: string,
  issues: SourceIssue[],
  what = 'policy',
): string[] {
  const files = new Set<string>();
  for (const p of patterns) {
    if (isDynamicPattern(p)) {
      const found = globSync(p, { cwd: baseDir, absolute: true, onlyFiles: true }).sort();
      if (found.length === 0)
        issues.push({
          file: resolve(baseDir, p),
          line: 1,
          col: 1,
          message: `${what} pattern matched no files`,
        });
      for (const f of found) files.add(resolve(f));
    } else {
      const f = resolve(baseDir, p);
      if (!existsSync(f))
        issues.push({ file: f, line: 1, col: 1, message: `${what} file not found` });
      else files.add(f);
    }
  }
  return [...files];
}

interface Parsed {
  file: string;
  text: string;
  value: PolicyFile;
  source: YamlSource;
}

interface SourceText {
  file: string;
  text: string;
}

/** The files the patterns name, read (each a regular file within the size limit). */
function readPolicyFiles(opts: LoadPolicyOptions): {
  files: string[];
  texts: SourceText[];
  issues: SourceIssue[];
} {
  const issues: SourceIssue[] = [];
  const files = expandPatterns(opts.patterns, opts.baseDir, issues);
  const texts: SourceText[] = [];
  for (const file of files) {
    const r = readSourceFile(file);
    if (r.ok) texts.push({ file, text: r.text });
    else issues.push(r.issue);
  }
  return { files, texts, issues };
}

export function loadPolicySet(opts: LoadPolicyOptions): LoadResult {
  return compilePolicySet(opts, readPolicyFiles(opts));
}

/**
 * `loadPolicySet` for a running proxy: the same result, with the regex analysis it needs run
 * off the event loop (see safe-regex.ts), so live traffic is not stalled while a reload with
 * new patterns is checked.
 */
export async function loadPolicySetAsync(opts: LoadPolicyOptions): Promise<LoadResult> {
  const read = readPolicyFiles(opts);
  return withOffThreadRegexAnalysis(() => compilePolicySet(opts, read));
}

function compilePolicySet(
  opts: LoadPolicyOptions,
  read: { files: string[]; texts: readonly SourceText[]; issues: readonly SourceIssue[] },
): LoadResult {
  const { files } = read;
  const issues = [...read.issues];
  if (files.length === 0 && issues.length === 0) return { ok: true, set: EMPTY_SET };

  const schema = policySchema();
  const parsed: Parsed[] = [];
  for (const { file, text } of read.texts) {
    const r = validateYaml(text, file, schema);
    if (!r.ok) issues.push(...r.issues);
    else parsed.push({ file, text, value: r.value, source: r.source });
  }

  const names = new Map<string, string>();
  for (const p of parsed) {
    const first = names.get(p.value.name);
    if (first)
      issues.push(
        locate(p.source, ['name'], `duplicate policy name "${p.value.name}" (also in ${first})`),
      );
    else names.set(p.value.name, p.file);
    if (opts.upstreams) {
      p.value.match?.upstreams?.forEach((u, i) => {
        if (!opts.upstreams!.includes(u))
          issues.push(
            locate(
              p.source,
              ['match', 'upstreams', i],
              `unknown upstream "${u}"; the configured upstreams are: ${opts.upstreams!.join(', ') || '(none)'}`,
            ),
          );
      });
    }
  }
  if (issues.length > 0) return { ok: false, issues };

  const policies: CompiledPolicy[] = [];
  for (const p of parsed) {
    const rules: CompiledRule[] = [];
    p.value.rules.forEach((r, i) => {
      const def = getCheck(r.check);
      try {
        if (!def) throw new Error(`unknown check "${r.check}"`);
        rules.push({
          id: r.id,
          check: r.check,
          action: r.action,
          severity: r.severity,
          instance: def.create(r.params),
          ...(r.reasoning === false ? { reasoning: false } : {}),
        });
      } catch (e) {
        issues.push(
          locate(
            p.source,
            ['rules', i],
            `rule "${r.id}" could not be compiled: ${(e as Error).message}`,
          ),
        );
      }
    });
    policies.push({
      name: p.value.name,
      file: p.file,
      description: p.value.description,
      upstreams: p.value.match?.upstreams ? new Set(p.value.match.upstreams) : undefined,
      models: p.value.match?.models?.map(globToRegExp),
      mode: p.value.mode,
      onError: p.value.on_error,
      rules,
    });
  }
  if (issues.length > 0) return { ok: false, issues };

  return {
    ok: true,
    set: { version: policyVersion(parsed), policies, files, loadedAt: new Date() },
  };
}

/**
 * The version of a policy set: a hash of its files' contents only — not of their paths, the
 * working directory or the order the patterns named them in — so that one set of policies has
 * one version wherever and however it is loaded. Each file's text is hashed, and the digests
 * are hashed in sorted order (code-unit order, not localeCompare: the version must not depend
 * on the host's locale, and collation would load ICU's tables, about 3 MB resident, for one
 * sort). Policy names are unique across a set, so the contents tell its files apart.
 */
export function policyVersion(files: readonly { text: string }[]): string {
  const digests = files
    .map((f) => createHash('sha256').update(f.text).digest('hex'))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash('sha256');
  for (const d of digests) hash.update(d).update('\0');
  return hash.digest('hex').slice(0, 12);
}
