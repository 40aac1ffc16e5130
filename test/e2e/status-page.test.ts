/**
 * The status page in a real browser (issue 16): headless Chromium loads `GET /` from the admin
 * listener of a running proxy, sees the canary pass, then — after the simulator swaps its model
 * and the canary runs again — sees it turn red and the model quarantined, by the page's own
 * refresh (no reload). A hostile upstream's model name must show as text. Any console error,
 * page error, CSP violation or failed request fails the test. Skips loudly without Chromium;
 * fails under CI=true (`.ci/run` installs it).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../../src/main.js';
import type { StatusJson } from '../../src/http/status-json.js';
import { REFRESH_SECONDS } from '../../src/http/status-page.js';
import type { SimServer } from '../../src/sim/server.js';
import { startSim } from '../../src/sim/server.js';
import { chromium, launchChromium } from '../helpers/chromium.js';
import type { HostileUpstream } from '../helpers/hostile-upstream.js';
import { hostileUpstream } from '../helpers/hostile-upstream.js';
import { ADMIN_TOKEN, adminFetch, eventually, startProxy } from '../helpers/proxy.js';

const executable = chromium();

/** What the hostile upstream reports as its model and fingerprint. */
const EVIL_MODEL = '<img src=x onerror="window.__pwned=1;alert(1)">';
const EVIL_FINGERPRINT = '<script>window.__pwned=2</script>';
const JUNK_MODEL = 'junk-client-model-4f1c';

const CANARIES = `canaries:
  - id: red-planet
    upstream: sim
    model: gpt-4o-mini
    every: 1h
    jitter: 0.1
    request:
      messages: [{ role: user, content: "Which planet is known as the Red Planet? One word." }]
      temperature: 0
    expect: [{ regex: { pattern: "^\\\\s*mars\\\\W*$", flags: i } }]
`;

let sim: SimServer;
let evil: HostileUpstream;
let proxy: Running & { dir: string };

async function chat(path: string, model: string, headers: Record<string, string> = {}) {
  const r = await fetch(`${proxy.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  await r.arrayBuffer();
  return r.status;
}

async function status(): Promise<StatusJson> {
  return (await (await fetch(`${proxy.adminUrl}/status.json`)).json()) as StatusJson;
}

beforeAll(async () => {
  sim = await startSim();
  evil = await hostileUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: 'chatcmpl-evil',
        object: 'chat.completion',
        created: 1,
        model: EVIL_MODEL,
        system_fingerprint: EVIL_FINGERPRINT,
        choices: [
          { index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' },
        ],
      }),
    );
  });
  proxy = await startProxy(
    {
      upstreams: [
        {
          name: 'sim',
          url: sim.url,
          quarantine: { on: ['canary_failure'], action: 'block' },
        },
        { name: 'evil', url: evil.url, prefix: '/evil', models: { 'evil-model': {} } },
      ],
      policies: ['p.yaml'],
      canaries: ['c.yaml'],
    },
    {
      'p.yaml': 'name: p\nrules:\n  - { id: r, check: secrets, action: redact }\n',
      'c.yaml': CANARIES,
    },
  );
  // Some live traffic: one redacted answer, a hostile identity, a client's junk model name.
  expect(
    await chat('/v1/chat/completions', 'gpt-4o-mini', { 'x-sim-scenario': 'leak-secret' }),
  ).toBe(200);
  expect(await chat('/evil/v1/chat/completions', 'evil-model')).toBe(200);
  expect(await chat('/v1/chat/completions', JUNK_MODEL)).toBe(200);
});

afterAll(async () => {
  await proxy?.shutdown();
  await sim?.close();
  await evil?.close();
});

describe('status page over HTTP', () => {
  it('GET / is the page, with its headers, and needs no token; /admin/* still does', async () => {
    const page = await fetch(`${proxy.adminUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'; /);
    const html = await page.text();
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/innerHTML/);

    const json = await fetch(`${proxy.adminUrl}/status.json`);
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toBe('application/json');
    expect(json.headers.get('cache-control')).toBe('no-store');
    expect((await fetch(`${proxy.adminUrl}/admin/status`)).status).toBe(401);
  });

  it('status.json shows the upstreams, canaries, policies and decisions, and no secrets', async () => {
    const s = await status();
    expect(s.upstreams.map((u) => u.name)).toEqual(['sim', 'evil']);
    expect(s.upstreams[1]!.models).toEqual([
      expect.objectContaining({
        model: 'evil-model',
        observed_model: EVIL_MODEL,
        observed_fingerprint: EVIL_FINGERPRINT,
        identity_mismatch: false,
        quarantine: null,
      }),
    ]);
    expect(s.canaries).toEqual([
      expect.objectContaining({ id: 'red-planet', upstream: 'sim', model: 'gpt-4o-mini' }),
    ]);
    expect(s.policies.last_reload).toMatchObject({ result: 'success', ok: true });
    expect(s.decisions).toMatchObject({ window_seconds: 3600, redacted: 1 });
    expect(s.decisions.passed).toBeGreaterThanOrEqual(2);

    const text = JSON.stringify(s);
    for (const secret of [sim.url, evil.url, ADMIN_TOKEN, proxy.dir, JUNK_MODEL, 'Red Planet'])
      expect(text).not.toContain(secret);
  });
});

/**
 * Evaluates `expr` in the page. Browser-side code is written as strings: the project's
 * TypeScript has no DOM library (the server code must not see one).
 */
function inPage<T>(page: Page, expr: string): Promise<T> {
  return page.evaluate(expr) as Promise<T>;
}

const q = (selector: string) => `document.querySelector(${JSON.stringify(selector)})`;

describe.skipIf(!executable)('status page in headless Chromium', () => {
  let chromiumSession: { browser: Browser; close(): Promise<void> } | undefined;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    chromiumSession = await launchChromium(executable!);
    page = await chromiumSession.browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warn')
        problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${String(e)}`));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('requestfailed', (r) =>
      problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`),
    );
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    await page.evaluateOnNewDocument(`
      window.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
      });
    `);
  }, 60_000);

  afterAll(async () => {
    await chromiumSession?.close();
  });

  const canaryState = () =>
    inPage<string>(page, `${q('tr[data-canary="red-planet"]')}?.dataset.state ?? ''`);
  const badgeColour = () =>
    inPage<string>(
      page,
      `getComputedStyle(${q('tr[data-canary="red-planet"] .badge')}).backgroundColor`,
    );
  const text = (selector: string) => inPage<string>(page, `${q(selector)}.textContent`);

  it('shows the canary green, then red after the model is swapped, by its own refresh', async () => {
    // The scheduled first run comes within 3 s of start; after it, the next is about an hour
    // away, so no scheduled run can turn the canary green again while the test watches.
    let scheduled: StatusJson['canaries'][number] | undefined;
    await eventually(async () => {
      scheduled = (await status()).canaries[0];
      return !!scheduled?.last_run_at && !!scheduled.next_run_at;
    }, 10_000);
    expect(Date.parse(scheduled!.next_run_at!) - Date.now()).toBeGreaterThan(50 * 60_000);
    const before = await adminFetch(proxy, '/admin/canaries/red-planet/run', { method: 'POST' });
    expect(((await before.json()) as { result: string }).result).toBe('pass');

    await page.goto(`${proxy.adminUrl}/`, { waitUntil: 'load' });
    await page.waitForSelector('body[data-loaded]');
    expect(await canaryState()).toBe('pass');
    expect(await badgeColour()).toBe('rgb(26, 127, 55)');
    // Marks this document: a reload would lose it.
    await inPage(page, 'window.__same = true');

    sim.setScenario('impostor');
    try {
      const after = await adminFetch(proxy, '/admin/canaries/red-planet/run', { method: 'POST' });
      expect(((await after.json()) as { result: string }).result).toBe('fail');
      expect(await chat('/v1/chat/completions', 'gpt-4o-mini')).toBe(423);
    } finally {
      sim.setScenario(undefined);
    }

    await eventually(
      async () => (await canaryState()) === 'fail',
      (REFRESH_SECONDS * 2 + 3) * 1000,
    );
    expect(await inPage(page, 'window.__same')).toBe(true);
    expect(await badgeColour()).toBe('rgb(207, 34, 46)');
    expect(
      await inPage(
        page,
        `${q('tr[data-upstream="sim"][data-model="gpt-4o-mini"]')}.dataset.quarantined`,
      ),
    ).toBe('true');
    expect(await text('#n-quarantined')).toBe('1');
    expect(await text('#n-redacted')).toBe('1');
  }, 60_000);

  it('renders a hostile upstream model name as text', async () => {
    const cells = await inPage<string[]>(
      page,
      `[...document.querySelectorAll('tr[data-upstream="evil"] td')].map((td) => td.textContent)`,
    );
    expect(cells).toContain(EVIL_MODEL);
    expect(cells).toContain(EVIL_FINGERPRINT);
    expect(await inPage(page, `document.querySelectorAll('img').length`)).toBe(0);
    expect(await inPage(page, `document.querySelectorAll('script').length`)).toBe(1);
    expect(await inPage(page, 'window.__pwned')).toBe(undefined);
  });

  it('takes a screenshot without console errors, CSP violations or failed requests', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'coalmine-status-')), 'status.png');
    await page.setViewport({ width: 1280, height: 900 });
    await page.screenshot({ path: file, fullPage: true });
    const png = readFileSync(file);
    expect(png.subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    expect(png.length).toBeGreaterThan(10_000);
    expect(await inPage(page, 'window.__csp')).toEqual([]);
    expect(problems).toEqual([]);
    console.log(`status page screenshot: ${file}`);
  });
});
