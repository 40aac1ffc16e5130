/**
 * The admin API: `adminAnswer` without a socket, then what `serveAdmin` adds on node:http
 * (lengths, HEAD, 500s, the body bound). The e2e tests reach it through `startProxy` too.
 */
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { adminAnswer } from '../../../src/http/admin.js';
import type { AdminDeps } from '../../../src/http/admin.js';
import { MAX_ADMIN_BODY, serveAdmin } from '../../../src/http/admin-router.js';
import type { AdminCall, AdminReply } from '../../../src/http/admin-router.js';
import type { AdminRecord } from '../../../src/model/sink.js';

const TOKEN = 'admin-token-0123456789';

function call(
  url: string,
  init: Partial<Omit<AdminCall, 'url'>> & { body?: string } = {},
): AdminCall {
  return {
    method: init.method ?? 'GET',
    url,
    headers: init.headers ?? {},
    remote: init.remote,
    readBody: init.readBody ?? (() => Promise.resolve(init.body ?? '')),
  };
}
const auth = { authorization: `Bearer ${TOKEN}` };
const json = (r: AdminReply): unknown => JSON.parse(r.body);

function answer(extra: Partial<AdminDeps> = {}) {
  let ready = true;
  const seen: Array<Record<string, string | undefined>> = [];
  const a = adminAnswer({
    tokens: [{ name: 'admin', token: TOKEN }],
    ready: () => ready,
    metrics: () => Promise.resolve('# metrics\n'),
    metricsContentType: 'text/plain; version=0.0.4; charset=utf-8',
    routes: (r) => {
      r.get('/things/:id', (c) =>
        c.json({ id: c.req.param('id'), verbose: c.req.query('verbose') ?? null }),
      );
      r.post('/echo', async (c) => {
        const body = await c.req.json().catch(() => undefined);
        seen.push({ agent: c.req.header('X-Agent') });
        return body === undefined ? c.json({ error: 'bad body' }, 400) : c.json({ body }, 201);
      });
      r.get('/boom', () => {
        throw new Error('boom');
      });
    },
    ...extra,
  });
  return { answer: a, seen, drain: () => (ready = false) };
}

describe('admin API', () => {
  it('health, readiness and metrics are open', async () => {
    const { answer: a, drain } = answer();
    expect(json(await a(call('/healthz')))).toEqual({ status: 'ok' });
    const ready = await a(call('/readyz'));
    expect([ready.status, json(ready)]).toEqual([200, { status: 'ready' }]);
    drain();
    const draining = await a(call('/readyz'));
    expect([draining.status, json(draining)]).toEqual([503, { status: 'draining' }]);
    const m = await a(call('/metrics'));
    expect(m).toEqual({
      status: 200,
      headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
      body: '# metrics\n',
    });
    expect((await a(call('/healthz'))).headers['content-type']).toBe('application/json');
  });

  it('HEAD answers like GET (the listener leaves the body out)', async () => {
    const { answer: a } = answer();
    expect((await a(call('/healthz', { method: 'HEAD' }))).status).toBe(200);
  });

  it('/admin/* wants the bearer token, and is off without one configured', async () => {
    const { answer: a } = answer();
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: TOKEN }]) {
      const r = await a(call('/admin/things/1', { headers }));
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Bearer');
      expect(json(r)).toMatchObject({ error: { code: 'admin_unauthorized' } });
    }
    // Unknown admin paths are no different without the token: nothing to probe.
    expect((await a(call('/admin/nothing-here'))).status).toBe(401);
    expect((await a(call('/admin'))).status).toBe(401);
    // Paths are compared decoded and normalised: no way around the token by spelling.
    for (const url of [
      '/%61dmin/things/1',
      '/healthz/../admin/things/1',
      'http://x/admin/things/1',
    ])
      expect([url, (await a(call(url))).status]).toEqual([url, 401]);
    expect((await a(call('http://x/admin/things/1', { headers: auth }))).status).toBe(200);

    const { answer: off } = answer({ tokens: [] });
    const r = await off(call('/admin/things/1', { headers: auth }));
    expect(r.status).toBe(401);
    expect(json(r)).toMatchObject({ error: { message: expect.stringMatching(/admin\.token/) } });
  });

  it('names who acted: refused credentials and authorised POSTs are recorded, by route pattern', async () => {
    const records: AdminRecord[] = [];
    const other = 'ops-token-0123456789abcdef';
    const { answer: a } = answer({
      tokens: [
        { name: 'admin', token: TOKEN },
        { name: 'oncall', token: other },
      ],
      record: (r) => records.push(r),
    });
    const as = (token: string) => ({ authorization: `Bearer ${token}` });
    await a(call('/admin/things/1', { headers: as(other) }));
    await a(call('/admin/echo', { method: 'POST', headers: as(other), body: '{}' }));
    await a(call('/admin/echo', { method: 'POST', headers: auth, body: '{' }));
    await a(
      call('/admin/things/secret-path', {
        headers: as('wrong-token-0123456789'),
        remote: '10.0.0.9',
      }),
    );
    await a(call('/admin/things/1'));
    expect(records).toEqual([
      {
        kind: 'admin',
        action: 'POST /admin/echo',
        actor: 'oncall',
        remote: undefined,
        status: 201,
      },
      { kind: 'admin', action: 'POST /admin/echo', actor: 'admin', remote: undefined, status: 400 },
      { kind: 'admin', action: 'auth_failed', actor: undefined, remote: '10.0.0.9', status: 401 },
      { kind: 'admin', action: 'auth_failed', actor: undefined, remote: undefined, status: 401 },
    ]);
    // The raw path is client-controlled: it is never recorded.
    expect(JSON.stringify(records)).not.toContain('secret-path');
  });

  it('routes with parameters, queries, headers and JSON bodies', async () => {
    const { answer: a, seen } = answer();
    const got = await a(call('/admin/things/a%20b?verbose=yes&x=1', { headers: auth }));
    expect([got.status, json(got)]).toEqual([200, { id: 'a b', verbose: 'yes' }]);
    const posted = await a(
      call('/admin/echo', {
        method: 'POST',
        headers: { ...auth, 'x-agent': 'test' },
        body: '{"a":1}',
      }),
    );
    expect([posted.status, json(posted)]).toEqual([201, { body: { a: 1 } }]);
    expect(seen).toEqual([{ agent: 'test' }]);
    const bad = await a(call('/admin/echo', { method: 'POST', headers: auth, body: '{' }));
    expect(bad.status).toBe(400);
  });

  it('answers 404 for unknown paths and methods, in JSON', async () => {
    const { answer: a } = answer();
    for (const c of [
      call('/nope'),
      call('/healthz', { method: 'POST' }),
      call('/admin/things', { headers: auth }),
      call('/admin/things/1/more', { headers: auth }),
      call('/admin/echo', { headers: auth }),
      // The token guards /admin only: an admin route is not reachable outside it.
      call('/things/1'),
    ]) {
      const r = await a(c);
      expect([c.method, c.url, r.status, json(r)]).toEqual([
        c.method,
        c.url,
        404,
        { error: { message: 'not found', code: 'not_found' } },
      ]);
    }
  });

  it('a failing handler rejects (the listener answers 500)', async () => {
    const { answer: a } = answer();
    await expect(a(call('/admin/boom', { headers: auth }))).rejects.toThrow('boom');
  });
});

describe('admin listener (node:http)', () => {
  async function listening(): Promise<{ url: string; close(): void }> {
    const server = serveAdmin(answer().answer);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
  }

  it('serves replies with their length; HEAD without a body; 500 when a handler throws', async () => {
    const s = await listening();
    try {
      const r = await fetch(`${s.url}/healthz`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-length')).toBe(String('{"status":"ok"}'.length));
      expect(await r.text()).toBe('{"status":"ok"}');
      const head = await fetch(`${s.url}/healthz`, { method: 'HEAD' });
      expect([head.status, await head.text()]).toEqual([200, '']);
      const boom = await fetch(`${s.url}/admin/boom`, { headers: auth });
      expect(boom.status).toBe(500);
      expect(await boom.json()).toEqual({ error: { message: 'internal error', code: 'internal' } });
    } finally {
      s.close();
    }
  });

  it('refuses a body over MAX_ADMIN_BODY without parsing it', async () => {
    const s = await listening();
    try {
      const big = JSON.stringify({ pad: 'x'.repeat(MAX_ADMIN_BODY) });
      const r = await fetch(`${s.url}/admin/echo`, { method: 'POST', headers: auth, body: big });
      expect(r.status).toBe(400);
      const ok = await fetch(`${s.url}/admin/echo`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ pad: 'x'.repeat(1000) }),
      });
      expect(ok.status).toBe(201);
    } finally {
      s.close();
    }
  });
});
