/**
 * Routes no adapter understands, and upstream error statuses when no policy is loaded, are
 * relayed untouched. They have no in-band error format, so an upstream failure mid-body is
 * signalled the HTTP way: the response ends without its final chunk and the client sees an
 * incomplete body.
 */
import type { UpstreamResponse } from '../upstream/client.js';
import { toClientHeaders } from '../upstream/headers.js';
import type { ResponseWriter } from './io.js';

export function passThrough(
  res: UpstreamResponse,
  out: ResponseWriter,
  ours: Record<string, string>,
  first: () => void,
): Promise<void> {
  const headers = toClientHeaders(res.headers, { decoded: false, extra: ours });
  const len = res.headers['content-length'];
  if (typeof len === 'string') headers['content-length'] = len;
  out.head(res.status, headers);
  first();
  return new Promise((resolve, reject) => {
    res.body.on('data', (c: Buffer) => {
      if (!out.write(c)) {
        res.body.pause();
        void out.drain().then(() => res.body.resume());
      }
    });
    res.body.once('end', () => {
      out.end();
      resolve();
    });
    res.body.once('error', reject);
  });
}
