import { mkdir, open, stat, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { AuditError } from './errors.js';
import { sealRecord, ZERO_HASH } from './record.js';
import type { AuditEvent } from './record.js';
import { rotateFiles, rotatedName } from './rotate.js';
import { readTail } from './tail.js';
import { lockChain } from './lock.js';

/** New audit files (and a missing directory, 0700) are readable by their owner only. */
const FILE_MODE = 0o600;

/** The seam the rest of Coalmine sees: fire-and-forget, never throws, never waits. */
export interface AuditWriter {
  append(event: AuditEvent): void;
}

export interface AuditLogOptions {
  /** The current file; rotated files are `path.1` (newest) … `path.keep`. */
  path: string;
  /** Rotate before a record would take the file past this many bytes. Default 10 MiB. */
  maxBytes?: number;
  /** Rotated files kept. Default 5. */
  keep?: number;
  /** HMAC-SHA-256 key; plain SHA-256 without one. */
  key?: Buffer;
  /** Events held in memory awaiting the file; past it appends are dropped and counted. Default 10,000. */
  queueSize?: number;
  /** Clock, for tests. */
  now?: () => Date;
}

interface Pending {
  event: AuditEvent;
  time: string;
  /** Set on the log's own gap records: how many drops it reports. */
  gap?: number;
}

/**
 * Tamper-evident append-only log: each JSON line carries the hash of the line before it.
 * `append` only queues; one drain loop at a time writes batches to the file, so records reach
 * the file in append order. Use `AuditLog.open` (it resumes the chain from an existing file).
 */
export class AuditLog implements AuditWriter {
  private readonly queue: Pending[] = [];
  private draining: Promise<void> | undefined;
  private fh: FileHandle | undefined;
  private size = 0;
  private seq = 0;
  private prev = ZERO_HASH;
  private droppedTotal = 0;
  private droppedPending = 0;
  private writeFailures = 0;
  private writtenTotal = 0;
  private unlock: () => Promise<void> = () => Promise.resolve();
  private closed = false;
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly queueSize: number;
  private readonly now: () => Date;

  private constructor(private readonly opts: AuditLogOptions) {
    this.maxBytes = opts.maxBytes ?? 10 * 1024 ** 2;
    this.keep = opts.keep ?? 5;
    this.queueSize = opts.queueSize ?? 10_000;
    this.now = opts.now ?? (() => new Date());
  }

  /**
   * Opens `path` for appending, resuming `seq`/`prev` from its last line (or from `path.1`'s
   * when `path` is missing or empty, e.g. after a crash between rotation and reopening).
   * Bytes after the last newline (a torn write) are cut off and kept, base64, in a
   * `recovered` record written first. Throws AUDIT_RESUME_FAILED when the last complete line
   * is not a record: starting a new chain there would hide whatever happened.
   */
  static async open(opts: AuditLogOptions): Promise<AuditLog> {
    const log = new AuditLog(opts);
    await mkdir(dirname(opts.path), { recursive: true, mode: 0o700 });
    log.unlock = await lockChain(opts.path);
    try {
      await log.resume();
    } catch (e) {
      await log.unlock();
      throw e;
    }
    return log;
  }

  /** Queues an event; never throws, never waits. Dropped (and counted) when the queue is full or the log closed. */
  append(event: AuditEvent): void {
    if (this.closed || this.queue.length >= this.queueSize) {
      this.droppedTotal++;
      this.droppedPending++;
      return;
    }
    const time = this.now().toISOString();
    if (this.droppedPending > 0) {
      // The gap goes where the loss happened: just before the next event that got in.
      const n = this.droppedPending;
      this.queue.push({ event: { type: 'gap', dropped: n }, time, gap: n });
      this.droppedPending = 0;
    }
    this.queue.push({ event, time });
    this.draining ??= this.drain();
  }

  /** Events dropped so far (queue full, log closed, or a failed write). */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** Records written to the file so far by this process (its own gap records included). */
  get written(): number {
    return this.writtenTotal;
  }

  /** Events waiting for the file now. */
  get queued(): number {
    return this.queue.length;
  }

  /** Writes that failed (their records are counted as dropped and reported by a `gap` record). */
  get failedWrites(): number {
    return this.writeFailures;
  }

  /** Resolves once everything queued so far is in the file. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Flushes and closes the file; later appends are counted as dropped. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.fh?.close();
    this.fh = undefined;
    await this.unlock();
  }

  private async resume(): Promise<void> {
    const { path } = this.opts;
    const tail = await readTail(path);
    let torn: Buffer | undefined;
    if (tail && tail.torn.length > 0) {
      torn = Buffer.from(tail.torn);
      await truncate(path, tail.cleanLength);
    }
    const last = tail?.lastLine ?? (await readTail(rotatedName(path, 1)))?.lastLine;
    if (last !== undefined) this.resumeFrom(last, path);
    this.fh = await open(path, 'a', FILE_MODE);
    this.size = (await stat(path)).size;
    if (torn) {
      await this.writeLines([
        this.seal({
          event: {
            type: 'recovered',
            torn_bytes: torn.length,
            torn_base64: torn.toString('base64'),
          },
          time: this.now().toISOString(),
        }),
      ]);
    }
  }

  private resumeFrom(line: string, path: string): void {
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch (e) {
      throw new AuditError('AUDIT_RESUME_FAILED', `${path}: last line is not JSON`, { cause: e });
    }
    const { seq, hash } = (rec ?? {}) as { seq?: unknown; hash?: unknown };
    if (typeof seq !== 'number' || !Number.isInteger(seq) || typeof hash !== 'string') {
      throw new AuditError('AUDIT_RESUME_FAILED', `${path}: last line has no seq/hash`);
    }
    this.seq = seq + 1;
    this.prev = hash;
  }

  private seal(p: Pending): string {
    const { line, hash } = sealRecord(p.event, {
      seq: this.seq,
      prev: this.prev,
      time: p.time,
      key: this.opts.key,
    });
    this.seq++;
    this.prev = hash;
    return line;
  }

  private async drain(): Promise<void> {
    try {
      // Let the caller's synchronous burst of appends land first: one write per burst.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.queue.length);
        const chain = { seq: this.seq, prev: this.prev };
        const lines: string[] = [];
        for (const p of batch) {
          try {
            lines.push(this.seal(p));
          } catch {
            // Not serialisable (a BigInt, a cycle): counted, reported by the next gap record.
            this.droppedTotal++;
            this.droppedPending++;
          }
        }
        try {
          await this.writeLines(lines);
          this.writtenTotal += lines.length;
        } catch {
          // Nothing of the batch is assumed written: rewind the chain, count the loss.
          this.writeFailures++;
          this.seq = chain.seq;
          this.prev = chain.prev;
          // Lost gap records' drops are still unreported: the next gap record carries them too.
          for (const p of batch) {
            if (p.gap === undefined) this.droppedTotal++;
            this.droppedPending += p.gap ?? 1;
          }
        }
      }
    } finally {
      this.draining = undefined;
    }
  }

  /** Appends lines, rotating first whenever the next line would take the file past maxBytes. */
  private async writeLines(lines: string[]): Promise<void> {
    let buf: string[] = [];
    let bufBytes = 0;
    for (const line of lines) {
      const n = Buffer.byteLength(line);
      if (this.size + bufBytes + n > this.maxBytes && this.size + bufBytes > 0) {
        await this.writeOut(buf.join(''));
        this.size += bufBytes;
        buf = [];
        bufBytes = 0;
        await this.rotate();
      }
      buf.push(line);
      bufBytes += n;
    }
    if (buf.length > 0) {
      await this.writeOut(buf.join(''));
      this.size += bufBytes;
    }
  }

  private async writeOut(text: string): Promise<void> {
    if (text.length === 0) return;
    if (!this.fh) throw new AuditError('AUDIT_WRITE_FAILED', 'audit file is not open');
    await this.fh.write(text);
  }

  private async rotate(): Promise<void> {
    await this.fh?.close();
    this.fh = undefined;
    await rotateFiles(this.opts.path, this.keep);
    this.fh = await open(this.opts.path, 'a', FILE_MODE);
    this.size = 0;
  }
}
