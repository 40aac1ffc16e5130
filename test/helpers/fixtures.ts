import { expect } from 'vitest';
import { createFramer } from '../../src/adapters/framing.js';
import type { Framing } from '../../src/adapters/framing.js';
import type { WireAdapter } from '../../src/adapters/types.js';
import { Accumulator } from '../../src/pipeline/accumulate.js';
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

/** Runs a stream fixture through the framer and an adapter's parser; every frame must parse. */
export function parseStreamFixture(
  adapter: WireAdapter,
  file: string,
  framing: Framing = 'sse',
): Accumulator {
  const framer = createFramer(framing);
  const acc = new Accumulator();
  const parse = adapter.streamParser();
  for (const batch of [framer.push(fixture(file)), framer.end()])
    for (const f of batch.frames) {
      const events = parse(f);
      expect(events, `frame ${f.data}`).toBeDefined();
      for (const e of events ?? []) acc.add(e);
    }
  return acc;
}
