/** Content-encoding: what the proxy inspects is always the decoded text. */
import type { Readable, Transform } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { CoalmineError } from '../errors.js';
import { readAll } from './body.js';

const gunzip = promisify(zlib.gunzip);
const brotli = promisify(zlib.brotliDecompress);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);

/** The encoding of an upstream body, when it is one the proxy decodes. */
export function encodingOf(
  v: string | string[] | undefined,
): 'gzip' | 'br' | 'deflate' | undefined {
  const e = (Array.isArray(v) ? v.join(',') : v)?.trim().toLowerCase();
  if (e === 'gzip' || e === 'x-gzip') return 'gzip';
  if (e === 'br' || e === 'deflate') return e;
  return undefined;
}

/** True when a content-encoding is present and not one we can decode. */
export function isOpaqueEncoding(v: string | string[] | undefined): boolean {
  const e = (Array.isArray(v) ? v.join(',') : v)?.trim().toLowerCase();
  return !!e && e !== 'identity' && encodingOf(v) === undefined;
}

export async function decodeBuffer(
  buf: Buffer,
  enc: 'gzip' | 'br' | 'deflate',
  maxOutputLength: number,
): Promise<Buffer> {
  const opts = { maxOutputLength };
  if (enc === 'gzip') return gunzip(buf, opts);
  if (enc === 'br') return brotli(buf, opts);
  // "deflate" is zlib-wrapped per RFC 9110, but some servers send raw deflate.
  return inflate(buf, opts).catch(() => inflateRaw(buf, opts));
}

export function decodeStream(enc: 'gzip' | 'br' | 'deflate'): Transform {
  if (enc === 'gzip') return zlib.createGunzip();
  if (enc === 'br') return zlib.createBrotliDecompress();
  return zlib.createInflate();
}

/**
 * A whole upstream body, as received (`raw`) and decoded (`text`), both within `limit`: one
 * that decodes past it (a decompression bomb) is RESPONSE_TOO_LARGE, one that does not decode
 * is UPSTREAM_MALFORMED_BODY.
 */
export async function readDecoded(
  body: Readable,
  encoding: string | string[] | undefined,
  limit: number,
): Promise<{ raw: Buffer; text: Buffer }> {
  const raw = await readAll(body, limit);
  const enc = encodingOf(encoding);
  if (!enc) return { raw, text: raw };
  const text = await decodeBuffer(raw, enc, limit).catch((e: unknown) => {
    if ((e as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE')
      throw new CoalmineError(
        'RESPONSE_TOO_LARGE',
        `upstream response decodes to more than the ${limit}-byte limit`,
        { cause: e },
      );
    throw new CoalmineError('UPSTREAM_MALFORMED_BODY', `upstream body is not valid ${enc}`, {
      cause: e,
    });
  });
  return { raw, text };
}
