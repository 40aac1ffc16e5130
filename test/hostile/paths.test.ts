/**
 * Path differentials: an encoded variant of a known route is checked like the route, and the
 * upstream is sent the path that was checked; paths that cannot be read one way are refused.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../../src/main.js';
import type { HostileUpstream } from '../helpers/hostile-upstream.js';
import { chatCompletion, hostileUpstream } from '../helpers/hostile-upstream.js';
import { startProxy } from '../helpers/proxy.js';

const KEY = 'AKIAQYLPMN5HHHFPZAM2';
const seen: string[] = [];
let up: HostileUpstream;
let proxy: Running;

beforeAll(async () => {
  up = await hostileUpstream((req, res) => {
    seen.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(chatCompletion(`the key is ${KEY}`));
  });
  proxy = await startProxy({ upstreams: [{ name: 'h', url: up.url }] });
});
afterAll(async () => {
  await proxy.shutdown();
  await up.close();
});

/** node:http sends the path verbatim (fetch would resolve dot segments itself). */
function post(path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${proxy.url}${path}`, { method: 'POST', path }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ model: 'm', messages: [] }));
  });
}

describe('paths are read once, as the upstream would', () => {
  it.each([
    '/v1/chat/%63ompletions',
    '/v1/%63hat/completions',
    '/v1/x/../chat/completions',
    '/v1/./chat/completions',
    '/v1/x/%2e%2e/chat/completions',
  ])('%s is checked like /v1/chat/completions and forwarded normalised', async (path) => {
    seen.length = 0;
    const r = await post(path);
    expect(r.status).toBe(200);
    expect(r.text).not.toContain(KEY);
    expect(r.text).toContain('[REDACTED:leaked-credentials]');
    expect(seen).toEqual(['/v1/chat/completions']);
  });

  it.each([
    '/v1/chat%2Fcompletions',
    '/v1/chat%5Ccompletions',
    '/v1/%zz',
    '/../v1/chat/completions',
  ])('%s is refused with 400 and never reaches the upstream', async (path) => {
    seen.length = 0;
    const r = await post(path);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toMatchObject({ error: { code: 'request_invalid_path' } });
    expect(seen).toEqual([]);
  });
});
