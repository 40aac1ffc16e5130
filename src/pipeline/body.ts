/** Reading a whole body with a size limit. */
import type { Readable } from 'node:stream';
import { CoalmineError } from '../errors.js';

/**
 * Reads `body` whole, up to `limit` bytes. Past the limit it rejects with `overflow.error()` and
 * calls `overflow.stop()` once, which decides what becomes of the rest (destroy the stream, or
 * drain it unread so the connection stays usable); no further chunk is kept.
 */
export function readBounded(
  body: Readable,
  limit: number,
  overflow: { error(): Error; stop(): void },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        body.off('data', onData);
        overflow.stop();
        reject(overflow.error());
        return;
      }
      chunks.push(c);
    };
    body.on('data', onData);
    body.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    body.once('error', reject);
  });
}

/** An upstream body within `limit` bytes; past it the upstream is aborted. */
export function readAll(body: Readable, limit: number): Promise<Buffer> {
  return readBounded(body, limit, {
    error: () =>
      new CoalmineError('RESPONSE_TOO_LARGE', `upstream response exceeds the ${limit}-byte limit`),
    stop: () => body.destroy(),
  });
}
