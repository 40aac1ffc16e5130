import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export function fixture(path: string): Buffer {
  return readFileSync(FIXTURES + path);
}

/** Splits bytes into chunks of the given sizes (cycled), to simulate arbitrary network reads. */
export function chunked(buf: Buffer, sizes: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  let k = 0;
  while (i < buf.length) {
    const n = Math.max(1, sizes[k++ % sizes.length] ?? 1);
    out.push(buf.subarray(i, i + n));
    i += n;
  }
  return out;
}
