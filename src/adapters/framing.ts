/**
 * Byte-level framers for upstream streams. They cut on frame boundaries without decoding
 * partial UTF-8, and hand back the bytes of complete frames untouched (zero-copy when a
 * chunk ends on a boundary), so that an unaltered stream is forwarded byte for byte.
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
const EMPTY = Buffer.alloc(0);

export function createFramer(kind: Framing): Framer {
  return kind === 'sse' ? new SseFramer() : new NdjsonFramer();
}

abstract class ByteFramer implements Framer {
  private pending: Buffer = EMPTY;

  push(chunk: Buffer): FrameBatch {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const frames: Frame[] = [];
    const cut = this.scan(buf, frames, false);
    this.pending = cut < buf.length ? Buffer.from(buf.subarray(cut)) : EMPTY;
    return { bytes: cut === buf.length ? buf : buf.subarray(0, cut), frames };
  }

  end(): FrameBatch {
    const buf = this.pending;
    this.pending = EMPTY;
    if (!buf.length) return { bytes: EMPTY, frames: [] };
    const frames: Frame[] = [];
    this.scan(buf, frames, true);
    return { bytes: buf, frames };
  }

  /** Appends the complete frames in `buf` to `frames`; returns the offset after the last one. */
  protected abstract scan(buf: Buffer, frames: Frame[], atEnd: boolean): number;
}

function lineEnd(buf: Buffer, start: number, nl: number): number {
  return nl > start && buf[nl - 1] === CR ? nl - 1 : nl;
}

const DATA = Buffer.from('data:');
const EVENT = Buffer.from('event:');

/** The field of an SSE line if it is one we read (`data` or `event`), without decoding the line. */
function fieldOf(buf: Buffer, start: number, end: number): 'data' | 'event' | undefined {
  if (end - start >= 5 && buf.compare(DATA, 0, 5, start, start + 5) === 0) return 'data';
  if (end - start >= 6 && buf.compare(EVENT, 0, 6, start, start + 6) === 0) return 'event';
  if (end - start === 4 && buf.compare(DATA, 0, 4, start, end) === 0) return 'data';
  return undefined;
}

/** text/event-stream, per the WHATWG HTML "server-sent events" parsing rules (LF or CRLF). */
class SseFramer extends ByteFramer {
  protected scan(buf: Buffer, frames: Frame[], atEnd: boolean): number {
    let frameStart = 0;
    let lineStart = 0;
    let event: string | undefined;
    let data: string | undefined;
    for (;;) {
      const nl = buf.indexOf(LF, lineStart);
      const stop = nl === -1 ? (atEnd ? buf.length : -1) : nl;
      if (stop === -1) break;
      const end = nl === -1 ? stop : lineEnd(buf, lineStart, nl);
      if (end === lineStart) {
        if (nl !== -1) {
          frames.push({ event, data, end: nl + 1 });
          frameStart = nl + 1;
          event = data = undefined;
        }
      } else if (buf[lineStart] !== 0x3a /* ':' comment */) {
        const field = fieldOf(buf, lineStart, end);
        if (field !== undefined) {
          let v = lineStart + field.length + 1;
          if (buf[v] === 0x20) v++;
          const value = buf.toString('utf8', v, end);
          if (field === 'data') data = data === undefined ? value : `${data}\n${value}`;
          else event = value;
        }
      }
      if (nl === -1) {
        if (event !== undefined || data !== undefined)
          frames.push({ event, data, end: buf.length });
        return buf.length;
      }
      lineStart = nl + 1;
    }
    return frameStart;
  }
}

/** application/x-ndjson: one JSON document per line; blank lines are skipped. */
class NdjsonFramer extends ByteFramer {
  protected scan(buf: Buffer, frames: Frame[], atEnd: boolean): number {
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(LF, start);
      if (nl === -1) {
        if (atEnd && start < buf.length) {
          const line = buf.toString('utf8', start).trim();
          if (line) frames.push({ event: undefined, data: line, end: buf.length });
          return buf.length;
        }
        return start;
      }
      const end = lineEnd(buf, start, nl);
      if (end > start)
        frames.push({ event: undefined, data: buf.toString('utf8', start, end), end: nl + 1 });
      start = nl + 1;
    }
  }
}
