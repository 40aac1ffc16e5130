/**
 * Where sequential canaries keep their evidence between runs and restarts. Each canary's state is
 * stored with the digest of what it was computed against (its baseline and test settings): a
 * re-recorded baseline or a changed setting starts from fresh evidence, never from another
 * test's. The file store writes the whole file atomically (temporary file, then rename; 0600)
 * after each run, sealed like baseline files (SHA-256, and an HMAC with `canary.hmac_key`).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import type { ConformalState } from './conformal.js';
import { seal, sealProblem } from './baseline.js';
import type { Canary } from './loader.js';

export const EVIDENCE_FORMAT = 1;
/** A larger file is not read (the bag of one canary is bounded at 5,000,000 code points). */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

export interface EvidenceStore {
  /** The stored state of a canary, when it was computed against `digest`. */
  load(canary: string, digest: string): ConformalState | undefined;
  save(canary: string, digest: string, state: ConformalState): void;
}

interface Stored {
  digest: string;
  state: ConformalState;
}

export class MemoryEvidenceStore implements EvidenceStore {
  protected readonly entries = new Map<string, Stored>();

  load(canary: string, digest: string): ConformalState | undefined {
    const e = this.entries.get(canary);
    return e?.digest === digest ? e.state : undefined;
  }

  save(canary: string, digest: string, state: ConformalState): void {
    this.entries.set(canary, { digest, state });
  }
}

/** Whether `v` has the shape of a conformal monitor's state (stored outside this process). */
export function isConformalState(v: unknown): v is ConformalState {
  const s = v as ConformalState;
  const nums = (a: unknown) => Array.isArray(a) && a.every((x) => typeof x === 'number');
  return (
    !!s &&
    Number.isInteger(s.epoch) &&
    Number.isInteger(s.observed) &&
    typeof s.alarmed === 'boolean' &&
    (s.alarm === undefined ||
      (!!s.alarm &&
        typeof s.alarm.evidence === 'number' &&
        typeof s.alarm.threshold === 'number' &&
        Number.isInteger(s.alarm.observed))) &&
    typeof s.logHist === 'number' &&
    nums(s.logs) &&
    nums(s.hist) &&
    Array.isArray(s.seen) &&
    s.seen.every(
      (e) => Array.isArray(e) && typeof e[0] === 'string' && Number.isInteger(e[1]) && e[1] > 0,
    )
  );
}

/**
 * A JSON file. An unreadable, corrupt or unverifiable file, or anything but a regular file (a
 * FIFO is never opened), is reported through `warn` and the evidence starts afresh (it is never
 * trusted, and never silently kept). Each save writes a new temporary file (O_EXCL: a planted
 * symlink is not followed) and renames it over the file; a failed save is reported and the
 * evidence goes on in memory. `readOnly` stores (one-off `coalmine canary run`) read the file and
 * never write, so they cannot race the serving process.
 */
export class FileEvidenceStore extends MemoryEvidenceStore {
  constructor(
    private readonly path: string,
    private readonly key: string | undefined,
    private readonly warn: (message: string) => void,
    private readonly readOnly = false,
  ) {
    super();
    let text: string;
    try {
      const st = statSync(path);
      if (!st.isFile()) throw new Error('not a regular file');
      if (st.size > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        warn(`${path}: cannot read canary evidence (${(e as Error).message}); starting afresh`);
      return;
    }
    const problem = this.read(text);
    if (problem) warn(`${path}: canary evidence ${problem}; starting afresh`);
  }

  private read(text: string): string | undefined {
    let f: Record<string, unknown>;
    try {
      f = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return 'is not JSON';
    }
    if (f.coalmine_evidence !== EVIDENCE_FORMAT)
      return `is not a Coalmine evidence file (format ${EVIDENCE_FORMAT})`;
    const content = { coalmine_evidence: EVIDENCE_FORMAT, canaries: f.canaries };
    const problem = sealProblem(content, f, this.key);
    if (problem) return problem;
    const canaries = Object.entries((f.canaries ?? {}) as Record<string, Stored>);
    const bad = canaries.find(
      ([, e]) => !e || typeof e.digest !== 'string' || !isConformalState(e.state),
    );
    if (bad) return `entry "${bad[0]}" is malformed`;
    for (const [id, e] of canaries) this.entries.set(id, e);
    return undefined;
  }

  override save(canary: string, digest: string, state: ConformalState): void {
    super.save(canary, digest, state);
    if (this.readOnly) return;
    const file = seal(
      { coalmine_evidence: EVIDENCE_FORMAT, canaries: Object.fromEntries(this.entries) },
      this.key,
    );
    const tmp = `${this.path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      writeFileSync(tmp, `${JSON.stringify(file)}\n`, { mode: 0o600, flag: 'wx' });
      renameSync(tmp, this.path);
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        // never created, or already renamed
      }
      this.warn(
        `${this.path}: cannot save canary evidence (${(e as Error).message}); it goes on in memory`,
      );
    }
  }
}

/**
 * The store for a process: the configured file, else memory, with a warning when a serving
 * process has sequential canaries (a restart then forgets the evidence gathered so far).
 */
export function openEvidenceStore(o: {
  file: string | undefined;
  key: string | undefined;
  write: boolean;
  canaries: readonly Canary[];
  warn: (message: string) => void;
}): EvidenceStore {
  if (o.file) return new FileEvidenceStore(o.file, o.key, o.warn, !o.write);
  const ids = o.canaries.filter((c) => c.distribution?.test === 'sequential').map((c) => c.id);
  if (ids.length && o.write)
    o.warn(
      `sequential canaries (${ids.join(', ')}) keep their evidence in memory: set canary.evidence_file to carry it across restarts`,
    );
  return new MemoryEvidenceStore();
}
