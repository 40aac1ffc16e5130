/**
 * The status page's routes on the admin API (`GET /`, `GET /status.json`: open, like
 * /metrics) and the page itself: self-contained, its CSP naming exactly its inline blocks.
 * test/e2e/status-page.test.ts renders it in Chromium.
 */
import { createHash } from 'node:crypto';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { adminAnswer } from '../../../src/http/admin.js';
import type { AdminDeps } from '../../../src/http/admin.js';
import type { AdminCall } from '../../../src/http/admin-router.js';
import type { StatusJson } from '../../../src/http/status-json.js';
import {
  STATUS_PAGE_CSP,
  STATUS_PAGE_HEADERS,
  STATUS_PAGE_HTML,
} from '../../../src/http/status-page.js';

const TOKEN = 'admin-token-0123456789';
const STATUS = { version: '1.2.3', generated_at: '2026-12-04T12:00:00.000Z' } as StatusJson;

const call = (url: string, headers: Record<string, string> = {}, method = 'GET'): AdminCall => ({
  method,
  url,
  headers,
  readBody: () => Promise.resolve(''),
});

function answer(extra: Partial<AdminDeps> = {}, withStatus = true) {
  return adminAnswer({
    tokens: [{ name: 'admin', token: TOKEN }],
    ready: () => true,
    metrics: () => Promise.resolve(''),
    metricsContentType: 'text/plain',
    ...(withStatus ? { status: () => STATUS } : {}),
    routes: (r) => r.get('/things', (c) => c.json({ things: [] })),
    ...extra,
  });
}

/** The contents of every `<tag>…</tag>` block of the page. */
const blocks = (tag: string) =>
  [...STATUS_PAGE_HTML.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map(
    (m) => m[1]!,
  );
const hash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;

describe('status page routes', () => {
  it.each([
    ['GET /', call('/')],
    ['HEAD /', call('/', {}, 'HEAD')],
    ['GET / with a wrong token', call('/', { authorization: 'Bearer wrong' })],
  ])('%s: the page, without a token', async (_name, c) => {
    const r = await answer()(c);
    expect(r.status).toBe(200);
    expect(r.headers).toEqual(STATUS_PAGE_HEADERS);
    expect(r.body).toBe(STATUS_PAGE_HTML);
  });

  it('GET /status.json: the status, without a token, never cached', async () => {
    const r = await answer()(call('/status.json'));
    expect(r.status).toBe(200);
    expect(r.headers).toEqual({
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    expect(JSON.parse(r.body)).toEqual(STATUS);
  });

  it('/admin/* still wants the token', async () => {
    const a = answer();
    expect((await a(call('/admin/things'))).status).toBe(401);
    expect((await a(call('/admin/things', { authorization: `Bearer ${TOKEN}` }))).status).toBe(200);
  });

  it('without a status source, / and /status.json are 404', async () => {
    const a = answer({}, false);
    expect((await a(call('/'))).status).toBe(404);
    expect((await a(call('/status.json'))).status).toBe(404);
  });
});

describe('the page', () => {
  it('has the headers of a page nobody frames, sniffs or caches', () => {
    expect(STATUS_PAGE_HEADERS).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': STATUS_PAGE_CSP,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    });
  });

  it('its CSP allows exactly its one inline style and one inline script, by hash', () => {
    const [style, ...moreStyles] = blocks('style');
    const [script, ...moreScripts] = blocks('script');
    expect([moreStyles, moreScripts]).toEqual([[], []]);
    expect(STATUS_PAGE_CSP.split('; ')).toEqual([
      "default-src 'none'",
      `script-src ${hash(script!)}`,
      `style-src ${hash(style!)}`,
      "connect-src 'self'",
      "img-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ]);
  });

  it('loads nothing from elsewhere and never parses data as HTML', () => {
    const script = blocks('script')[0]!;
    expect([...STATUS_PAGE_HTML.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1])).toEqual([
      'status.json',
    ]);
    expect(STATUS_PAGE_HTML).not.toMatch(/<(link|img|iframe|object|embed)\b/i);
    for (const sink of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'eval('])
      expect(script).not.toContain(sink);
    expect(script).toContain("fetch('status.json'");
    // The inline script compiles (the browser test runs it).
    expect(() => new Script(script)).not.toThrow();
  });
});
