import fc from 'fast-check';
import { createFramer } from '../../src/adapters/framing.js';
import type { Framing } from '../../src/adapters/framing.js';

/** A frame as the differential tests compare it (without its byte offset). */
export interface SeenFrame {
  event: string | undefined;
  data: string | undefined;
  /** Only when set: the framer refused the frame (the stream fails closed). */
  malformed?: true;
}

const seen = ({ event, data, malformed }: SeenFrame): SeenFrame =>
  malformed ? { event, data, malformed } : { event, data };

/**
 * Runs chunks through a fresh framer. `frames` are all the frames, in order; the first `closed`
 * of them came from `push` (an SSE event ended by its blank line, an NDJSON line ended by LF),
 * the rest from `end` (an unterminated tail, which an SSE client discards). `bytes` is every
 * byte the framer handed back.
 */
export function frameAll(
  kind: Framing,
  chunks: readonly Buffer[],
): { frames: SeenFrame[]; closed: number; bytes: Buffer } {
  const f = createFramer(kind);
  const frames: SeenFrame[] = [];
  const bytes: Buffer[] = [];
  for (const c of chunks) {
    const b = f.push(c);
    bytes.push(b.bytes);
    frames.push(...b.frames.map(seen));
  }
  const closed = frames.length;
  const tail = f.end();
  bytes.push(tail.bytes);
  frames.push(...tail.frames.map(seen));
  return { frames, closed, bytes: Buffer.concat(bytes) };
}

/** Cuts `buf` at the given fractions of its length. */
export function cutAt(buf: Buffer, cuts: readonly number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => Math.floor(c * buf.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const i of [...at, buf.length]) {
    out.push(buf.subarray(prev, i));
    prev = i;
  }
  return out;
}

/** Random cut points for `cutAt` (fractions of the length; empty chunks included). */
export const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });
