/**
 * Incident logs through a real proxy (issue 16): a blocked and a redacted response, a client
 * leaving mid-stream, a dead upstream, a wrong admin token, a policy reload that succeeds and
 * one that fails, a canary that fails after the model is swapped, the quarantine it causes and
 * its release by a named admin token. Each produces its catalogue event with its fields; every
 * line is JSON with time/level/event/msg and only documented fields; and at debug level with
 * access logs on, nothing in the whole of stderr is a prompt, an output, a leaked secret, a
 * client key, the upstream key or an admin token.
 */
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLogger } from '../../src/log.js';
import type { Running } from '../../src/main.js';
import { SIM_EXFIL_HOST, SIM_SECRETS } from '../../src/sim/answer.js';
import type { SimServer } from '../../src/sim/server.js';
import { startSim } from '../../src/sim/server.js';
import type { LogEventSpec } from '../../src/telemetry/log-events.js';
import { LOG_EVENTS } from '../../src/telemetry/log-events.js';
import { eventually, startProxy } from '../helpers/proxy.js';

const PROMPT = 'PROMPT-MARKER-7c1e what is the weather like';
const SAID = 'OUTPUT-MARKER-b52a the answer text';
const CLIENT_KEY = 'sk-client-CLIENTKEY-MARKER-3f9a';
const UPSTREAM_KEY = 'sk-upstream-UPSTREAMKEY-MARKER-8d2c';
const ADMIN_TOKEN = 'ADMIN-TOKEN-MARKER-0123456789abcdef';
const WRONG_TOKEN = 'WRONG-ADMIN-MARKER-0123456789abcdef';
const CANARY_PROMPT = 'Which planet is known as the Red Planet? One word.';
const FORBIDDEN = [
  'PROMPT-MARKER',
  'OUTPUT-MARKER',
  'CLIENTKEY-MARKER',
  'UPSTREAMKEY-MARKER',
  'ADMIN-TOKEN-MARKER',
  'WRONG-ADMIN-MARKER',
  'MODEL-MARKER',
  SIM_SECRETS.aws,
  SIM_SECRETS.github,
  SIM_EXFIL_HOST,
  'Here are the credentials',
  CANARY_PROMPT,
];

const POLICY = `name: incidents
rules:
  - { id: no-exfil, check: markdown-exfiltration, action: block }
  - { id: leaked-credentials, check: secrets, action: redact }
`;
const CANARIES = `defaults: { model: gpt-4o-mini, every: 400ms, jitter: 0.1 }
canaries:
  - id: red-planet
    request:
      messages: [{ role: user, content: "${CANARY_PROMPT}" }]
      temperature: 0
    expect: [{ regex: { pattern: "^\\\\s*mars\\\\W*$", flags: i } }]
`;

type Line = Record<string, unknown>;
const raw: string[] = [];
const lines = (): Line[] => raw.map((l) => JSON.parse(l) as Line);
const events = (event: string, fields: Line = {}) =>
  lines().filter(
    (l) => l['event'] === event && Object.entries(fields).every(([k, v]) => l[k] === v),
  );
const seen = (event: string, fields: Line = {}) =>
  eventually(() => events(event, fields).length > 0, 8000);

let sim: SimServer;
let proxy: Running & { dir: string };

async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

const chat = (content: string, opts: { prefix?: string; model?: string } = {}) =>
  fetch(`${proxy.url}${opts.prefix ?? ''}/v1/chat/completions?api_key=${CLIENT_KEY}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${CLIENT_KEY}`,
      'x-api-key': CLIENT_KEY,
      'x-request-id': 'incident-req',
    },
    body: JSON.stringify({
      model: opts.model ?? 'gpt-4o-mini',
      messages: [{ role: 'user', content }],
    }),
  });

const admin = (path: string, init: RequestInit = {}, token = ADMIN_TOKEN) =>
  fetch(`${proxy.adminUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });

beforeAll(async () => {
  sim = await startSim();
  proxy = await startProxy(
    {
      admin: {
        listen: '127.0.0.1:0',
        tokens: [{ name: 'oncall-alice', token: ADMIN_TOKEN }],
      },
      upstreams: [
        {
          name: 'sim',
          url: sim.url,
          api_key: UPSTREAM_KEY,
          quarantine: { on: ['canary_failure'], action: 'block' },
        },
        { name: 'dead', url: `http://127.0.0.1:${await deadPort()}`, prefix: '/dead' },
      ],
      policies: ['p.yaml'],
      canaries: ['canaries.yaml'],
      log: { level: 'debug', access: true },
    },
    { 'p.yaml': POLICY, 'canaries.yaml': CANARIES },
    jsonLogger('debug', (l) => raw.push(l)),
  );
});

afterAll(async () => {
  await proxy?.shutdown();
  await sim?.close();
});

describe('incident logs of a real proxy', () => {
  it('start-up: listening, the configuration at debug, the policy set, the first canary run', async () => {
    expect(events('listening')).toHaveLength(1);
    expect(events('config_loaded')[0]?.['upstreams']).toEqual([
      'sim openai / api_key',
      'dead openai /dead',
    ]);
    expect(events('policy_reloaded')[0]).toMatchObject({ level: 'debug' });
    await seen('canary_result', { canary: 'red-planet', result: 'pass', level: 'info' });
  });

  it('a blocked response: policy, rule, request id, and the access line says block', async () => {
    const res = await chat(`${PROMPT} [sim:exfil-image]`);
    expect(res.status).toBe(400);
    await res.arrayBuffer();
    await seen('response_blocked', { policy: 'incidents', rule: 'no-exfil' });
    expect(events('response_blocked')[0]).toMatchObject({
      level: 'warn',
      request_id: 'incident-req',
      upstream: 'sim',
      model: 'gpt-4o-mini',
      mode: 'enforce',
      status: 400,
    });
    await seen('request', { decision: 'block', status: 400 });
    expect(events('request', { decision: 'block' })[0]).toMatchObject({
      level: 'info',
      method: 'POST',
      path: '/v1/chat/completions',
      route: 'openai.chat',
      source: 'live',
    });
  });

  it('a redacted response: one line for the rule', async () => {
    const res = await chat(`${PROMPT} [sim:leak-secret]`);
    expect(res.status).toBe(200);
    expect(await res.text()).not.toContain(SIM_SECRETS.aws);
    await seen('response_redacted', { rule: 'leaked-credentials', request_id: 'incident-req' });
    await seen('rules_evaluated', { decision: 'redact' });
  });

  it('a client that leaves mid-stream', async () => {
    const ac = new AbortController();
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: 'POST',
      signal: ac.signal,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: `[sim:say,chunks=40,slow=100] ${SAID}` }],
      }),
    });
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    await reader.cancel().catch(() => {});
    await seen('stream_aborted', { reason: 'client_disconnect' });
    expect(events('stream_aborted')[0]).toMatchObject({ level: 'info', upstream: 'sim' });
    await seen('request', { status: 499 });
  });

  it('a served answer and a client-chosen model name: the label `other`, never the name', async () => {
    const res = await chat(`[sim:say] ${SAID}`, { model: 'MODEL-MARKER-e41d' });
    expect(await res.text()).toContain('OUTPUT-MARKER');
    await seen('request', { model: 'other', decision: 'pass', status: 200 });
  });

  it('a dead upstream', async () => {
    const res = await chat(PROMPT, { prefix: '/dead' });
    expect(res.status).toBeGreaterThanOrEqual(500);
    await seen('upstream_error', { upstream: 'dead', reason: 'upstream_connect_failed' });
    expect(events('upstream_error')[0]).toMatchObject({
      level: 'warn',
      request_id: 'incident-req',
      status: res.status,
    });
  });

  it('a wrong admin token: the peer, never the token', async () => {
    expect((await admin('/admin/status', {}, WRONG_TOKEN)).status).toBe(401);
    await seen('admin_auth_failed');
    expect(events('admin_auth_failed')[0]).toMatchObject({ level: 'warn', remote: '127.0.0.1' });
  });

  it('a policy reload that succeeds and one that fails', async () => {
    const before = events('policy_reloaded').length;
    writeFileSync(
      join(proxy.dir, 'p.yaml'),
      `${POLICY}  - { id: no-bidi, check: invisible-unicode, action: redact }\n`,
    );
    expect((await admin('/admin/reload', { method: 'POST' })).status).toBe(200);
    await eventually(() => events('policy_reloaded').length > before);
    expect(events('policy_reloaded').at(-1)).toMatchObject({
      level: 'info',
      previous_version: expect.any(String),
    });
    await seen('admin_action', { action: 'POST /admin/reload', actor: 'oncall-alice' });

    writeFileSync(join(proxy.dir, 'p.yaml'), 'name: incidents\nrules: [{ id: x, check: nope }]\n');
    expect((await admin('/admin/reload', { method: 'POST' })).status).toBe(422);
    await seen('policy_reload_failed', { result: 'failure' });
    const failed = events('policy_reload_failed')[0]!;
    expect(failed['level']).toBe('error');
    expect((failed['issues'] as string[]).join('\n')).toMatch(/p\.yaml:\d+:\d+/);
  });

  it('a swapped model: the canary fails, the model is quarantined, then released by name', async () => {
    sim.setScenario('impostor');
    await seen('canary_result', { canary: 'red-planet', result: 'fail' });
    expect(events('canary_result', { result: 'fail' })[0]).toMatchObject({
      level: 'warn',
      previous: 'pass',
      upstream: 'sim',
      model: 'gpt-4o-mini',
      reason: expect.any(String),
    });
    await seen('quarantine_entered', { canary: 'red-planet' });
    expect(events('quarantine_entered')[0]).toMatchObject({
      level: 'warn',
      upstream: 'sim',
      model: 'gpt-4o-mini',
      reason: 'canary_failure',
    });
    await seen('identity_mismatch', { upstream: 'sim', model: 'gpt-4o-mini' });

    const held = await chat(PROMPT);
    expect(held.status).toBe(423);
    await seen('request', { decision: 'quarantined' });

    sim.setScenario(undefined);
    await proxy.canaries.stop();
    const release = await admin('/admin/quarantine/release', {
      method: 'POST',
      body: JSON.stringify({ upstream: 'sim', model: 'gpt-4o-mini' }),
    });
    expect(release.status).toBe(200);
    await seen('quarantine_released', { by: 'oncall-alice', upstream: 'sim' });
  });

  it('after shutdown: every line is a catalogue event with documented fields, and nothing secret', async () => {
    await proxy.shutdown();
    expect(events('stopped')).toHaveLength(1);
    const specs: Readonly<Record<string, LogEventSpec>> = LOG_EVENTS;
    for (const line of lines()) {
      expect(line['time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(['debug', 'info', 'warn', 'error']).toContain(line['level']);
      expect(typeof line['msg']).toBe('string');
      const spec = specs[String(line['event'])];
      expect(spec, `event ${String(line['event'])}`).toBeDefined();
      expect(spec!.levels).toContain(line['level']);
      if (line['event'] === 'events_suppressed') continue;
      const extra = Object.keys(line).filter(
        (k) => !['time', 'level', 'event', 'msg'].includes(k) && !(k in spec!.fields),
      );
      expect(extra, `undocumented fields of ${String(line['event'])}`).toEqual([]);
    }
    expect(raw.length).toBeGreaterThan(25);
    const all = raw.join('');
    for (const s of FORBIDDEN) expect(all, s).not.toContain(s);
  });
});
