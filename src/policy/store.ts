/**
 * Holds the live policy set and swaps it atomically on reload. A reload that fails leaves the
 * old set serving and remembers the error. Requests take `current` once, at their start, so
 * one request is evaluated against one set, whose version its response carries.
 *
 * A reload that would drop a file the serving set was loaded from (a file deleted, renamed or
 * no longer matched by a glob) is refused too, as `file_removed`: a security proxy should not
 * lose enforcement because a file went missing. An operator who means it reloads with
 * `allowRemoval` (`POST /admin/reload?allow_removal=true`), or restarts.
 */
import { formatIssue } from '../errors.js';
import type { SourceIssue } from '../errors.js';
import type { PolicyReloadResult, Sink } from '../model/sink.js';
import type { PolicySet } from './compiled.js';
import type { LoadResult } from './loader.js';

export interface ReloadStatus {
  at: Date;
  ok: boolean;
  result: PolicyReloadResult;
  version: string;
  issues: readonly SourceIssue[];
}

export interface ReloadOptions {
  /** Accept a set loaded from fewer files than the serving one. */
  allowRemoval?: boolean | undefined;
}

export class PolicyStore {
  private set: PolicySet;
  private last: ReloadStatus;
  /** Reloads run one at a time, in the order asked. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly load: () => LoadResult | Promise<LoadResult>,
    private readonly sink: Sink,
    initial: PolicySet,
  ) {
    this.set = initial;
    this.last = {
      at: new Date(),
      ok: true,
      result: 'success',
      version: initial.version,
      issues: [],
    };
    sink.record({
      kind: 'policy_reload',
      result: 'success',
      version: initial.version,
      previousVersion: undefined,
      issues: [],
    });
  }

  get current(): PolicySet {
    return this.set;
  }

  get lastReload(): ReloadStatus {
    return this.last;
  }

  reload(opts: ReloadOptions = {}): Promise<ReloadStatus> {
    const run = this.queue.then(() => this.run(opts));
    this.queue = run.catch(() => {});
    return run;
  }

  private async run(opts: ReloadOptions): Promise<ReloadStatus> {
    let r: LoadResult;
    try {
      r = await this.load();
    } catch (e) {
      const message = `policy reload failed: ${e instanceof Error ? e.message : String(e)}`;
      r = { ok: false, issues: [{ file: '(reload)', line: 1, col: 1, message }] };
    }
    const previous = this.set.version;
    let result: PolicyReloadResult = r.ok ? 'success' : 'failure';
    let issues: readonly SourceIssue[] = r.ok ? [] : r.issues;
    if (r.ok && !opts.allowRemoval) {
      const kept = new Set(r.set.files);
      const removed = this.set.files.filter((f) => !kept.has(f));
      if (removed.length > 0) {
        result = 'file_removed';
        issues = removed.map((file) => ({
          file,
          line: 1,
          col: 1,
          message:
            'policy file was loaded but is gone from the new set; reload refused so enforcement is not lost silently (POST /admin/reload?allow_removal=true to apply the removal)',
        }));
      }
    }
    if (r.ok && result === 'success') this.set = r.set;
    this.last = {
      at: new Date(),
      ok: result === 'success',
      result,
      version: this.set.version,
      issues,
    };
    this.sink.record({
      kind: 'policy_reload',
      result,
      version: this.set.version,
      previousVersion: previous,
      issues: issues.map(formatIssue),
    });
    return this.last;
  }
}
