/**
 * Loads canary files (with their baselines) into runnable canaries. All or nothing: any
 * error and no set is returned; every error carries file:line:col. Only regular files are
 * read, within a size limit (a FIFO or device is refused, never opened blocking).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { SourceIssue } from '../errors.js';
import { locate, readSourceFile, validateYaml } from '../config/yaml-file.js';
import type { Env } from '../config/yaml-file.js';
import { expandPatterns } from '../policy/loader.js';
import type { BaselineEntry } from './baseline.js';
import { requestDigest, verifyBaseline } from './baseline.js';
import type { Expectation } from './expect.js';
import type { DistributionSpec, EmbeddingSpec, InvarianceSpec, LogprobSpec } from './schema.js';
import { canaryFileSchema } from './schema.js';

export interface Canary {
  id: string;
  upstream: string;
  model: string;
  /** Path on the upstream (the provider's chat endpoint unless set). */
  path: string;
  /** What the proxy is asked for: the upstream's prefix and the path. */
  url: string;
  /** Request body without `model`. */
  request: Record<string, unknown>;
  everyMs: number;
  jitter: number;
  timeoutMs: number;
  expect: Expectation[];
  distribution: Distribution | undefined;
  invariance: InvarianceSpec | undefined;
  embedding: EmbeddingSpec | undefined;
  logprobs: LogprobSpec | undefined;
  /** Where the baseline is (or would be) written, for distribution canaries. */
  baselineFile: string | undefined;
  baseline: BaselineEntry | undefined;
  file: string;
}

/** A distribution probe with its per-test defaults filled in. */
export type Distribution = Omit<
  DistributionSpec,
  'samples' | 'baseline_samples' | 'permutations' | 'max_distinct'
> & {
  samples: number;
  baseline_samples: number;
  permutations: number;
  max_distinct: number;
};

function distributionOf(d: DistributionSpec): Distribution {
  const samples = d.samples ?? (d.test === 'sequential' ? 5 : 30);
  return {
    ...d,
    samples,
    baseline_samples: d.baseline_samples ?? (d.test === 'sequential' ? 200 : samples),
    permutations: d.permutations ?? 1000,
    max_distinct: d.max_distinct ?? 5000,
  };
}

export type CanaryKind = 'known' | 'distribution' | 'invariance' | 'embedding' | 'logprobs';

export function canaryKind(c: Canary): CanaryKind {
  if (c.distribution) return 'distribution';
  if (c.invariance) return 'invariance';
  if (c.embedding) return 'embedding';
  if (c.logprobs) return 'logprobs';
  return 'known';
}

export interface LoadCanaryOptions {
  patterns: readonly string[];
  baseDir: string;
  /** Configured upstreams: name, route prefix and the path of its provider's chat endpoint. */
  upstreams: readonly { name: string; prefix: string; chatPath: string }[];
  hmacKey?: string | undefined;
  env?: Env | undefined;
}

export type CanaryLoad =
  { ok: true; canaries: Canary[]; warnings: string[] } | { ok: false; issues: SourceIssue[] };

const DEFAULT_EVERY = 300_000;
const DEFAULT_JITTER = 0.1;
const DEFAULT_TIMEOUT = 60_000;
/** Baselines hold samples per canary, so they may be larger than the YAML files. */
const MAX_BASELINE_BYTES = 16 * 1024 * 1024;

export function loadCanaries(opts: LoadCanaryOptions): CanaryLoad {
  const issues: SourceIssue[] = [];
  const warnings: string[] = [];
  const files = expandPatterns(opts.patterns, opts.baseDir, issues, 'canary');
  const schema = canaryFileSchema();
  const canaries: Canary[] = [];
  const ids = new Map<string, string>();
  const names = opts.upstreams.map((u) => u.name);

  for (const file of files) {
    const text = readSourceFile(file);
    if (!text.ok) {
      issues.push(text.issue);
      continue;
    }
    const r = validateYaml(text.text, file, schema, opts.env);
    if (!r.ok) {
      issues.push(...r.issues);
      continue;
    }
    const { defaults = {}, baselines } = r.value;
    const baselineFile = baselines ? resolve(dirname(file), baselines) : undefined;
    let entries: Record<string, BaselineEntry> = {};
    if (baselineFile && existsSync(baselineFile)) {
      const read = readSourceFile(baselineFile, MAX_BASELINE_BYTES);
      let parsed: unknown;
      try {
        parsed = read.ok ? JSON.parse(read.text) : undefined;
      } catch {
        parsed = undefined;
      }
      const v = verifyBaseline(parsed, opts.hmacKey);
      if (!read.ok) issues.push(read.issue);
      else if (!v.ok)
        issues.push({ file: baselineFile, line: 1, col: 1, message: `refused: ${v.reason}` });
      else {
        entries = v.content.canaries;
        if (v.warning) warnings.push(`${baselineFile}: ${v.warning}`);
      }
    }
    r.value.canaries.forEach((c, i) => {
      const at = (key: string, message: string): void => {
        issues.push(locate(r.source, ['canaries', i, key], message));
      };
      const first = ids.get(c.id);
      if (first) return at('id', `duplicate canary id "${c.id}" (also in ${first})`);
      ids.set(c.id, file);
      const upstream = c.upstream ?? defaults.upstream ?? names[0];
      const up = opts.upstreams.find((u) => u.name === upstream);
      if (!up)
        return at(
          'upstream',
          `unknown upstream "${upstream ?? ''}"; the configured upstreams are: ${names.join(', ') || '(none)'}`,
        );
      const model = c.model ?? defaults.model;
      if (!model) return at('id', 'model is required (on the canary or in defaults)');
      const path = c.path ?? up.chatPath;
      const baselined = !!(c.distribution ?? c.embedding ?? c.logprobs);
      let baseline = baselined ? entries[c.id] : undefined;
      if (baseline && baseline.request_sha256 !== requestDigest(path, model, c.request)) {
        warnings.push(
          `canary "${c.id}": its baseline was recorded for another request or model; re-record it`,
        );
        baseline = undefined;
      } else if (baseline && baseline.upstream !== up.name) {
        warnings.push(
          `canary "${c.id}": its baseline was recorded on upstream "${baseline.upstream}"; re-record it`,
        );
        baseline = undefined;
      }
      canaries.push({
        id: c.id,
        upstream: up.name,
        model,
        path,
        url: (up.prefix === '/' ? '' : up.prefix) + path,
        request: c.request,
        everyMs: c.every ?? defaults.every ?? DEFAULT_EVERY,
        jitter: c.jitter ?? defaults.jitter ?? DEFAULT_JITTER,
        timeoutMs: c.timeout ?? defaults.timeout ?? DEFAULT_TIMEOUT,
        expect: c.expect,
        distribution: c.distribution && distributionOf(c.distribution),
        invariance: c.invariance,
        embedding: c.embedding,
        logprobs: c.logprobs,
        baselineFile: baselined ? baselineFile : undefined,
        baseline,
        file,
      });
    });
  }
  return issues.length ? { ok: false, issues } : { ok: true, canaries, warnings };
}
