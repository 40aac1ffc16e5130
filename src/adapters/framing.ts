/**
 * Byte-level framers for upstream streams. They cut on frame boundaries without decoding
 * partial UTF-8, and hand back the bytes of complete frames untouched (zero-copy when a
 * chunk ends on a boundary), so that an unaltered stream is forwarded byte for byte.
 *
 * Linear in the bytes whatever the chunking: the bytes of an unfinished frame are kept in one
 * buffer that grows by doubling, and the scan resumes where the last chunk ended (the start
 * of the current line, the fields of the current event) instead of rescanning the frame.
 */
import type { Frame } from './types.js';

export type Framing = 'sse' | 'ndjson';

export interface FrameBatch {
  /** The bytes of the complete frames, exactly as received. */
  bytes: Buffer;
  frames: Frame[];
}

export interface Framer {
  push(chunk: Buffer): FrameBatch;
  /** At end of stream: whatever was left after the last boundary (maybe empty). */
  end(): FrameBatch;
}

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const TAB = 0x09;
const EMPTY = Buffer.alloc(0);
const BOM = [0xef, 0xbb, 0xbf];

export function createFramer(kind: Framing): Framer {
  return kind === 'sse' ? new SseFramer() : new NdjsonFramer();
}

/** The next position of one byte, by `indexOf`, never searching a byte twice. */
class Seeker {
  /** The last hit, or -1 when there was none before `to`. */
  private hit = -1;
  private to = 0;

  constructor(private readonly byte: number) {}

  next(buf: Buffer, from: number): number {
    if (this.hit >= from) return this.hit;
    const i = buf.indexOf(this.byte, Math.max(from, this.to));
    this.hit = i;
    this.to = i === -1 ? buf.length : i;
    return i;
  }

  /** The first `by` bytes were cut off the front of the buffer. */
  shift(by: number): void {
    if (this.hit >= 0) this.hit -= by;
    this.to = Math.max(0, this.to - by);
  }
}

/** A line `buf[start, end)` without its terminator; `next` is the offset after the terminator. */
interface Line {
  start: number;
  end: number;
  next: number;
}

abstract class ByteFramer implements Framer {
  /** The bytes after the last boundary: `pend[0, pendLen)`, capacity grown by doubling. */
  private pend: Buffer = EMPTY;
  private pendLen = 0;
  /** Where the current line starts and how far bytes were scanned, in the pending bytes. */
  private lineStart = 0;
  private pos = 0;
  /** The last line ended at a CR that ended its buffer: a LF first thing is part of it. */
  private afterCr = false;
  /** The stream start was looked at (for a byte-order mark). */
  private started = false;
  private readonly lf = new Seeker(LF);
  private readonly cr = new Seeker(CR);

  /**
   * @param crEnds a lone CR ends a line (event streams), or only LF and CRLF do (NDJSON).
   * @param bom a UTF-8 byte-order mark at the start of the stream is ignored.
   */
  constructor(
    private readonly crEnds: boolean,
    private readonly bom: boolean,
  ) {}

  push(chunk: Buffer): FrameBatch {
    if (!chunk.length) return { bytes: EMPTY, frames: [] };
    let buf = chunk;
    if (this.pendLen) {
      this.append(chunk);
      buf = this.pend.subarray(0, this.pendLen);
    }
    const frames: Frame[] = [];
    const cut = this.scan(buf, frames);
    if (cut === 0) {
      if (buf === chunk) this.append(chunk);
      return { bytes: EMPTY, frames };
    }
    // The batch may share memory with `pend`: the rest goes into a fresh buffer.
    const rest = buf.subarray(cut);
    this.pend = EMPTY;
    this.pendLen = 0;
    if (rest.length) this.append(rest);
    this.lineStart -= cut;
    this.pos -= cut;
    this.lf.shift(cut);
    this.cr.shift(cut);
    return { bytes: cut === buf.length ? buf : buf.subarray(0, cut), frames };
  }

  end(): FrameBatch {
    const buf = this.pend.subarray(0, this.pendLen);
    this.pend = EMPTY;
    this.pendLen = 0;
    if (!buf.length) return { bytes: EMPTY, frames: [] };
    const frames: Frame[] = [];
    if (!this.started) this.skipBom(buf);
    this.scan(buf, frames);
    this.last(buf, this.lineStart, buf.length, frames);
    return { bytes: buf, frames };
  }

  private append(b: Buffer): void {
    const need = this.pendLen + b.length;
    if (need > this.pend.length) {
      const next = Buffer.allocUnsafe(Math.max(need, 2 * this.pend.length, 1024));
      this.pend.copy(next, 0, 0, this.pendLen);
      this.pend = next;
    }
    b.copy(this.pend, this.pendLen);
    this.pendLen = need;
  }

  private skipBom(buf: Buffer): void {
    this.started = true;
    if (this.bom && buf[0] === BOM[0] && buf[1] === BOM[1] && buf[2] === BOM[2])
      this.lineStart = this.pos = 3;
  }

  /** Scans the new bytes of `buf`; returns the offset after the last complete frame, or 0. */
  private scan(buf: Buffer, frames: Frame[]): number {
    const n = buf.length;
    if (!this.started) {
      // A mark split across chunks: wait for its third byte.
      if (this.bom && n < 3 && buf.every((b, i) => b === BOM[i])) return 0;
      this.skipBom(buf);
    }
    let i = this.pos;
    if (this.afterCr && i < n) {
      this.afterCr = false;
      if (buf[i] === LF) this.lineStart = ++i;
    }
    let cut = 0;
    for (;;) {
      const lf = this.lf.next(buf, i);
      const cr = this.crEnds ? this.cr.next(buf, i) : -1;
      const t = cr !== -1 && (lf === -1 || cr < lf) ? cr : lf;
      if (t === -1) break;
      let next = t + 1;
      let end = t;
      if (buf[t] === CR) {
        if (next === n) this.afterCr = true;
        else if (buf[next] === LF) next++;
      } else if (t > this.lineStart && buf[t - 1] === CR) end = t - 1;
      if (this.line(buf, { start: this.lineStart, end, next }, frames)) cut = next;
      this.lineStart = i = next;
    }
    this.pos = n;
    return cut;
  }

  /** One complete line; returns whether a frame boundary follows it. */
  protected abstract line(buf: Buffer, line: Line, frames: Frame[]): boolean;

  /** At end of stream: the unterminated last line `buf[start, end)` (maybe empty), and whatever frame is open. */
  protected abstract last(buf: Buffer, start: number, end: number, frames: Frame[]): void;
}

/** The field of an SSE line if it is one we read (`data` or `event`), and where its value starts. */
function fieldOf(buf: Buffer, start: number, end: number): ['data' | 'event', number] | undefined {
  const len = end - start;
  const name = buf.toString('latin1', start, start + Math.min(len, 6));
  let field: 'data' | 'event' | undefined;
  let v: number;
  if (name.startsWith('data:')) [field, v] = ['data', start + 5];
  else if (name === 'event:') [field, v] = ['event', start + 6];
  else if (len === 4 && name === 'data') [field, v] = ['data', end];
  else if (len === 5 && name === 'event') [field, v] = ['event', end];
  else return undefined;
  return [field, v < end && buf[v] === SPACE ? v + 1 : v];
}

/**
 * text/event-stream, per the WHATWG HTML "server-sent events" parsing rules: lines end at CR,
 * LF or CRLF; a leading byte-order mark is ignored; `:` starts a comment; a line without a
 * colon is a field with an empty value; one space after the colon is dropped; data lines are
 * joined by LF; an empty line ends the event. Only `data` and `event` are read.
 */
class SseFramer extends ByteFramer {
  private event: string | undefined;
  private data: string | undefined;
  /**
   * The event has a line that starts with a byte-order mark. WHATWG readers take it for an
   * unknown field; the openai and Anthropic SDKs drop the mark and read the line (a `data:`
   * line, or a blank line that ends the event). No reading serves both, so the frame is
   * marked malformed and the stream fails closed.
   */
  private marked = false;

  constructor() {
    super(true, true);
  }

  protected line(buf: Buffer, { start, end, next }: Line, frames: Frame[]): boolean {
    if (end === start) {
      this.dispatch(frames, next);
      return true;
    }
    this.field(buf, start, end);
    return false;
  }

  protected last(buf: Buffer, start: number, end: number, frames: Frame[]): void {
    if (end > start) this.field(buf, start, end);
    if (this.event !== undefined || this.data !== undefined || this.marked)
      this.dispatch(frames, end);
  }

  private dispatch(frames: Frame[], end: number): void {
    const frame: Frame = { event: this.event, data: this.data, end };
    if (this.marked) frame.malformed = true;
    frames.push(frame);
    this.event = this.data = undefined;
    this.marked = false;
  }

  private field(buf: Buffer, start: number, end: number): void {
    if (buf[start] === BOM[0] && buf[start + 1] === BOM[1] && buf[start + 2] === BOM[2]) {
      this.marked = true;
      return;
    }
    if (buf[start] === COLON) return;
    const f = fieldOf(buf, start, end);
    if (!f) return;
    const value = buf.toString('utf8', f[1], end);
    if (f[0] === 'data') this.data = this.data === undefined ? value : `${this.data}\n${value}`;
    // An empty event type is the default one, as if none were named.
    else this.event = value || undefined;
  }
}

/** application/x-ndjson: one JSON document per line (LF or CRLF); blank lines are skipped. */
class NdjsonFramer extends ByteFramer {
  constructor() {
    super(false, false);
  }

  protected line(buf: Buffer, { start, end, next }: Line, frames: Frame[]): boolean {
    if (!blank(buf, start, end))
      frames.push({ event: undefined, data: buf.toString('utf8', start, end), end: next });
    return true;
  }

  protected last(buf: Buffer, start: number, end: number, frames: Frame[]): void {
    if (!blank(buf, start, end))
      frames.push({ event: undefined, data: buf.toString('utf8', start, end).trim(), end });
  }
}

/** Only JSON whitespace (space, tab, CR). */
function blank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b !== SPACE && b !== TAB && b !== CR) return false;
  }
  return true;
}
