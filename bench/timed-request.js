// One POST of `payload` to `${url}/v1/chat/completions` on a keep-alive connection per target
// (one socket each, so requests to a target are sequential), timed in milliseconds: to the first
// body byte (`firstByte`) or to the end of the body. Rejects on a status other than 200.
import http from 'node:http';

const agents = new Map();

export function timedRequest(url, payload, { firstByte = false } = {}) {
  if (!agents.has(url)) agents.set(url, new http.Agent({ keepAlive: true, maxSockets: 1 }));
  return new Promise((resolve, reject) => {
    const u = new URL(`${url}/v1/chat/completions`);
    const t0 = process.hrtime.bigint();
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        agent: agents.get(url),
        headers: { 'content-type': 'application/json' },
      },
      async (res) => {
        if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
        let first;
        for await (const _ of res) first ??= process.hrtime.bigint();
        const end = firstByte ? (first ?? process.hrtime.bigint()) : process.hrtime.bigint();
        resolve(Number(end - t0) / 1e6);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The p-quantile of `xs` (nearest rank). */
export const quantile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
