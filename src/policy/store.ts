/**
 * Holds the live policy set and swaps it atomically on reload. A reload that fails leaves the
 * old set serving and remembers the error. Requests take `current` once, at their start, so
 * one request is evaluated against one set, whose version its response carries.
 */
import type { SourceIssue } from '../errors.js';
import type { Sink } from '../model/sink.js';
import type { PolicySet } from './compiled.js';
import type { LoadResult } from './loader.js';

export interface ReloadStatus {
  at: Date;
  ok: boolean;
  version: string;
  issues: readonly SourceIssue[];
}

export class PolicyStore {
  private set: PolicySet;
  private last: ReloadStatus;

  constructor(
    private readonly load: () => LoadResult,
    private readonly sink: Sink,
    initial: PolicySet,
  ) {
    this.set = initial;
    this.last = { at: new Date(), ok: true, version: initial.version, issues: [] };
    sink.record({
      kind: 'policy_reload',
      result: 'success',
      version: initial.version,
      previousVersion: undefined,
    });
  }

  get current(): PolicySet {
    return this.set;
  }

  get lastReload(): ReloadStatus {
    return this.last;
  }

  reload(): ReloadStatus {
    const r = this.load();
    const previous = this.set.version;
    if (r.ok) {
      this.set = r.set;
      this.last = { at: new Date(), ok: true, version: r.set.version, issues: [] };
    } else {
      this.last = { at: new Date(), ok: false, version: previous, issues: r.issues };
    }
    this.sink.record({
      kind: 'policy_reload',
      result: r.ok ? 'success' : 'failure',
      version: this.set.version,
      previousVersion: previous,
    });
    return this.last;
  }
}
