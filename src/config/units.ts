import { z } from 'zod';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses `250ms`, `5s`, `2m`, `1h` into milliseconds. A number needs a unit (`first_byte: 30`
 * could mean 30 ms or 30 s, and guessing wrong makes every request time out): only 0 is taken
 * without one.
 */
export function parseDuration(v: string | number): number | undefined {
  if (typeof v === 'number') return v === 0 ? 0 : undefined;
  const m = DURATION.exec(v.trim());
  if (!m?.[1] || !m[2]) return undefined;
  return Number(m[1]) * (DURATION_MS[m[2]] ?? 1);
}

const UNITLESS = /^\d+(?:\.\d+)?$/;

/** What to say about a duration that did not parse. */
function durationProblem(v: string | number): string {
  const s = String(v).trim();
  if (UNITLESS.test(s) && Number(s) > 0)
    return `invalid duration ${s}: a duration needs a unit; did you mean "${s}ms" or "${s}s"?`;
  return `invalid duration ${JSON.stringify(v)} (use e.g. 250ms, 5s, 2m, 1h)`;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i;
const SIZE_BYTES: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Parses `512kb`, `10mb` (binary units) or a bare number of bytes. */
export function parseSize(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : undefined;
  const m = SIZE.exec(v.trim());
  if (!m?.[1]) return undefined;
  return Math.floor(Number(m[1]) * (SIZE_BYTES[(m[2] ?? 'b').toLowerCase()] ?? 1));
}

/** zod: a duration written as `5s` / `250ms` / `2m` / `1h` (or 0), output in milliseconds. */
export const durationMs = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: durationProblem(v) });
    return z.NEVER;
  }
  return ms;
});

/** zod: a size written as `10mb` / `512kb` / number of bytes, output in bytes. */
export const sizeBytes = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const n = parseSize(v);
  if (n === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `invalid size ${JSON.stringify(v)} (use e.g. 512kb, 10mb)`,
    });
    return z.NEVER;
  }
  return n;
});

/** `host:port`; a bare port means loopback. */
export const listenAddress = z.union([z.string(), z.number().int()]).transform((v, ctx) => {
  const s = String(v);
  const m = /^(?:(.*):)?(\d{1,5})$/.exec(s);
  const port = m?.[2] ? Number(m[2]) : NaN;
  if (!m || port > 65535) {
    ctx.addIssue({
      code: 'custom',
      message: `invalid listen address ${JSON.stringify(s)} (use host:port)`,
    });
    return z.NEVER;
  }
  const host = (m[1] ?? '127.0.0.1').replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  return { host, port };
});

export type ListenAddress = { host: string; port: number };

export const SAME_ADDRESS =
  'the admin listener cannot share the traffic address; give admin.listen (--admin-listen) another port';

/** Two listeners that would collide (port 0 picks a free port each time, so never). */
export function sameAddress(a: ListenAddress, b: ListenAddress): boolean {
  return a.port !== 0 && a.port === b.port && a.host === b.host;
}
