/**
 * src/upstream/client.ts requires undici's Pool and its `request` from the files that define
 * them, not from the package entry (which loads fetch, WebSocket and caches, and Node's own
 * fetch with them). Those paths are undici internals: if an upgrade moves them, this fails
 * before anything else does.
 */
import { createRequire } from 'node:module';
import type * as Undici from 'undici';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

describe('undici parts the upstream client requires', () => {
  it('are the package’s own Pool and Dispatcher#request', () => {
    const pool: unknown = require('undici/lib/dispatcher/pool.js');
    const request: unknown = require('undici/lib/api/api-request.js');
    const undici = require('undici') as typeof Undici;
    expect(pool).toBe(undici.Pool);
    expect(request).toBe(
      Object.getOwnPropertyDescriptor(undici.Dispatcher.prototype, 'request')?.value,
    );
  });
});
