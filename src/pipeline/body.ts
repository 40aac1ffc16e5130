/** Reading a whole upstream body with a size limit. */
import type { Readable } from 'node:stream';
import { CoalmineError } from '../errors.js';

export function readAll(body: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        body.destroy();
        reject(
          new CoalmineError(
            'RESPONSE_TOO_LARGE',
            `upstream response exceeds the ${limit}-byte limit`,
          ),
        );
        return;
      }
      chunks.push(c);
    });
    body.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    body.once('error', reject);
  });
}
