/**
 * Issue 16 attack review: what an operator records — log lines (debug, access on), audit
 * records and the unauthenticated /status.json — never holds a prompt, an output, a credential,
 * nor an unbounded upstream-controlled string, whatever a hostile upstream or client sends; and a
 * flood of distinct model names and wrong admin tokens leaves a bounded, counted log.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/audit/verify.js';
import { jsonLogger } from '../../src/log.js';
import type { Running } from '../../src/main.js';
import type { HostileUpstream } from '../helpers/hostile-upstream.js';
import { SSE_HEADERS, chatEvent, hostileUpstream, send } from '../helpers/hostile-upstream.js';
import { eventually, startProxy } from '../helpers/proxy.js';

const M = 'SECRET-MARKER-5e1d';
const UPSTREAM_KEY = `sk-upstream-${M}-up`;
const ADMIN_TOKEN = `admin-${M}-0123456789abcdef`;
const WRONG_TOKEN = `wrong-${M}-0123456789abcdef`;
const PROMPT = `prompt-${M} tell me things`;
const HUGE = `${M}-${'x'.repeat(100_000)}`;
/** An identity the upstream reports: recorded by design (the value to pin), but bounded. */
const HUGE_ID = `ident-${'x'.repeat(100_000)}`;
const LONG_ID = `rid-${M}-${'r'.repeat(5_000)}`;
const MAX_UPSTREAM_STRING = 300;
const FORGED = '\n{"event":"forged","level":"error"}\r\u001b[2J\u2028\u2029\u0085\u0000';
/** Control characters and a forged line first; surrogate pairs astride the 120 and 256 cuts. */
const WEIRD_ID =
  FORGED +
  'z'.repeat(119 - FORGED.length) +
  '\u{1F600}' +
  'z'.repeat(134) +
  '\u{1F600}' +
  'z'.repeat(50) +
  FORGED;

let upstream: HostileUpstream;
let proxy: Running & { dir: string };
const raw: string[] = [];

function completion(model: string, extra: Record<string, unknown> = {}, message?: unknown) {
  return JSON.stringify({
    id: 'chatcmpl-h',
    object: 'chat.completion',
    created: 1,
    model,
    ...extra,
    choices: [
      {
        index: 0,
        message: message ?? { role: 'assistant', content: `output-${M}` },
        finish_reason: 'stop',
      },
    ],
  });
}

const chat = (model: string, opts: { stream?: boolean; path?: string; rid?: string } = {}) =>
  fetch(`${proxy.url}${opts.path ?? '/v1/chat/completions'}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer sk-client-${M}`,
      ...(opts.rid ? { 'x-request-id': opts.rid } : {}),
    },
    body: JSON.stringify({
      model,
      stream: opts.stream ?? false,
      messages: [{ role: 'user', content: PROMPT }],
    }),
  });

/** Every string anywhere in a JSON value. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) strings(x, out);
  return out;
}

function assertClean(what: string, text: string, values: unknown[]) {
  expect(text, `${what} holds the marker`).not.toContain(M);
  expect(text, `${what} holds the upstream filler`).not.toContain('x'.repeat(MAX_UPSTREAM_STRING));
  expect(text, `${what} holds the request-id filler`).not.toContain(
    'r'.repeat(MAX_UPSTREAM_STRING),
  );
  for (const s of values.flatMap((v) => strings(v)))
    expect(s.length, `${what}: ${s.slice(0, 80)}…`).toBeLessThanOrEqual(MAX_UPSTREAM_STRING * 4);
}

beforeAll(async () => {
  upstream = await hostileUpstream(async (_req, res, body) => {
    const { model, stream } = JSON.parse(body.toString()) as { model: string; stream: boolean };
    if (model === 'leak-500') {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `boom ${M} ${HUGE}`, type: M, code: M } }));
    } else if (model === 'leak-inband') {
      res.writeHead(200, SSE_HEADERS);
      await send(res, chatEvent('hello', { model }));
      await send(
        res,
        `data: ${JSON.stringify({ error: { message: `in-band ${HUGE}`, type: M } })}\n\n`,
      );
      res.end();
    } else if (model === 'gpt-4o') {
      if (stream) {
        res.writeHead(200, SSE_HEADERS);
        await send(res, chatEvent(`output-${M}`, { model: HUGE_ID }));
        await send(res, 'data: [DONE]\n\n');
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(completion(HUGE_ID, { system_fingerprint: `fp_${HUGE_ID}` }));
      }
    } else if (model === 'gpt-4') {
      // Identities cut mid surrogate pair, with control characters and a forged line.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(completion(WEIRD_ID, { system_fingerprint: WEIRD_ID }));
    } else if (model === 'gpt-4o-mini') {
      // Right model, hostile fingerprint.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(completion(model, { system_fingerprint: `fp_${HUGE_ID}` }));
    } else if (model === 'leak-badjson') {
      // Not JSON: a parser's error message quotes the text it choked on.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`${M} not json ${HUGE}`);
    } else if (model === 'leak-badsse') {
      res.writeHead(200, SSE_HEADERS);
      await send(res, chatEvent('hello', { model }));
      await send(res, `data: {"${M}": ${HUGE}\n\n`);
      await send(res, `event: ${M}\ndata: ${M}\n\n`);
      res.end();
    } else if (model === 'leak-tools') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        completion(
          model,
          {},
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: `call_${HUGE}`,
                type: 'function',
                function: { name: `fn_${HUGE}`, arguments: JSON.stringify({ k: M }) },
              },
            ],
          },
        ),
      );
    } else if (/^flood-model-\d*[02468]-/.test(model)) {
      // Half the flood is answered, naming the client-chosen model back.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(completion(model, { system_fingerprint: `fp_${model}` }));
    } else {
      // The other half fails upstream.
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `flood ${M}` } }));
    }
  });
  proxy = await startProxy(
    {
      admin: { listen: '127.0.0.1:0', tokens: [{ name: 'oncall', token: ADMIN_TOKEN }] },
      upstreams: [
        {
          name: 'hostile',
          url: upstream.url,
          api_key: UPSTREAM_KEY,
          models: {
            'gpt-4o': { expect_model: 'gpt-4o' },
            'gpt-4': { expect_model: 'gpt-4', fingerprints: ['fp_ok'] },
            'gpt-4o-mini': { expect_model: 'gpt-4o-mini', fingerprints: ['fp_ok'] },
          },
          quarantine: { on: ['identity_mismatch', 'fingerprint_change'], action: 'block' },
        },
      ],
      canary: { schedule: false },
      audit: { path: 'audit.log' },
      log: { level: 'debug', access: true },
    },
    {},
    jsonLogger('debug', (l) => raw.push(l)),
  );
});

afterAll(async () => {
  await proxy?.shutdown();
  await upstream?.close();
});

describe('the operator record under a hostile upstream and client', () => {
  it('upstream-controlled strings and secrets stay out of logs, audit and /status.json', async () => {
    const r500 = await chat('leak-500');
    expect(r500.status).toBeGreaterThanOrEqual(500);
    await r500.arrayBuffer();

    const inband = await chat('leak-inband', { stream: true });
    await inband.text();

    const swapped = await chat('gpt-4o');
    expect(swapped.status).toBe(423);
    await swapped.arrayBuffer();
    const swappedStream = await chat('gpt-4o', { stream: true });
    await swappedStream.text();

    const fp = await chat('gpt-4o-mini');
    await fp.arrayBuffer();

    for (const m of ['leak-badjson', 'leak-badsse']) {
      await (await chat(m)).arrayBuffer();
      await (await chat(m, { stream: true })).arrayBuffer();
    }
    // Letters-only path segments are shown (by design) — but never a digit-bearing secret,
    // and never more than 8 segments.
    await (
      await chat('leak-tools', { path: `/v1/${M}/a/b/c/d/e/f/g/h/i/j/k?key=${M}` })
    ).arrayBuffer();

    const tools = await chat('leak-tools');
    await tools.arrayBuffer();

    const odd = await chat('leak-tools', {
      path: `/v1/chat/completions/${M}?x=${M}&api_key=${M}`,
      rid: LONG_ID,
    });
    await odd.arrayBuffer();
    const ok = await chat('leak-tools', { rid: LONG_ID });
    await ok.arrayBuffer();

    // An admin body naming what does not exist, at length: echoed nowhere unbounded.
    for (const body of [
      { upstream: 'hostile', model: HUGE },
      { upstream: HUGE, model: 'gpt-4o' },
      { upstream: 'hostile', model: 'gpt-4o', note: HUGE },
    ]) {
      const r = await fetch(`${proxy.adminUrl}/admin/quarantine/release`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      await r.arrayBuffer();
    }
    await (
      await fetch(`${proxy.adminUrl}/admin/${M}/${'y'.repeat(5000)}?token=${M}`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-request-id': LONG_ID },
      })
    ).arrayBuffer();
    await eventually(() => raw.some((l) => l.includes('"event":"upstream_error"')), 5000);
    await eventually(() => raw.some((l) => l.includes('"event":"identity_mismatch"')), 5000);
    await eventually(() => raw.some((l) => l.includes('"event":"fingerprint_changed"')), 5000);

    await (await chat('gpt-4')).arrayBuffer();
    await eventually(() => raw.some((l) => l.includes('"model":"gpt-4",')), 5000);
    const auditFile = join(proxy.dir, 'audit.log');
    await eventually(() => readFileSync(auditFile, 'utf8').includes('"model":"gpt-4",'), 5000);
    const verified = await verifyAudit([auditFile]);
    expect(verified, JSON.stringify(verified)).toMatchObject({ ok: true });
    // One line each, whatever the upstream reports: no raw control character, line or paragraph
    // separator, or lone surrogate (a JSON-lines reader that splits on U+2028 would cut it).
    for (const l of raw) {
      // eslint-disable-next-line no-control-regex -- looking for exactly those
      const m = /[\n\r\u0000-\u001f\u0085\u2028\u2029\ud800-\udfff]/u.exec(l.replace(/\n$/, ''));
      expect(
        m && JSON.stringify([m[0], l.slice(Math.max(0, m.index - 60), m.index + 10)]),
      ).toBeNull();
    }
    expect(raw.join('\n')).not.toContain('"event":"forged"');

    const statusRes = await fetch(`${proxy.adminUrl}/status.json`);
    expect(statusRes.status).toBe(200);
    const statusText = await statusRes.text();
    assertClean('/status.json', statusText, [JSON.parse(statusText)]);
    const page = await (await fetch(`${proxy.adminUrl}/`)).text();
    assertClean('status page', page, []);

    const auditPath = join(proxy.dir, 'audit.log');
    await eventually(() => existsSync(auditPath) && readFileSync(auditPath, 'utf8').length > 0);
    await eventually(() => readFileSync(auditPath, 'utf8').trim().split('\n').length >= 8, 5000);
    const audit = readFileSync(auditPath, 'utf8');
    assertClean(
      'audit log',
      audit,
      audit
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    );

    const logs = raw.join('\n');
    assertClean(
      'log lines',
      logs,
      raw.map((l) => JSON.parse(l) as unknown),
    );
  });

  it('a flood of distinct model names and wrong admin tokens: bounded and counted', async () => {
    const before = raw.length;
    const N = 2000;
    let next = 0;
    const worker = async () => {
      while (next < N) {
        const i = next++;
        const r = await chat(`flood-model-${i}-${M}`);
        await r.arrayBuffer();
        const a = await fetch(`${proxy.adminUrl}/admin/status`, {
          // Forwarding headers are not trusted: one peer, one rate-limit key.
          headers: {
            authorization: `Bearer ${WRONG_TOKEN}-${i}`,
            'x-forwarded-for': `10.${i % 256}.0.1`,
            forwarded: `for=${M}-${i}`,
          },
        });
        expect(a.status).toBe(401);
        await a.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const statusText = await (await fetch(`${proxy.adminUrl}/status.json`)).text();
    const page = await (await fetch(`${proxy.adminUrl}/`)).text();
    assertClean('/status.json after the flood', statusText, [JSON.parse(statusText)]);
    assertClean('status page after the flood', page, []);
    expect(statusText.length).toBeLessThan(64 * 1024);
    await proxy.shutdown();
    const flood = raw.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>);
    // Access lines (`request`, `rules_evaluated`) are one per request by design; every other
    // event is rate limited, and what is held back is counted.
    const limited = flood.filter(
      (l) => !['request', 'rules_evaluated'].includes(String(l['event'])),
    );
    expect(limited.length).toBeLessThan(100);
    const count = (event: string) =>
      flood.filter((l) => l['event'] === event).length +
      flood
        .filter((l) => l['event'] === 'events_suppressed' && l['suppressed_event'] === event)
        .reduce((n, l) => n + Number(l['count'] ?? 0), 0);
    const suppressed = flood.filter((l) => l['event'] === 'events_suppressed');
    expect(suppressed.length).toBeGreaterThan(0);
    expect(count('admin_auth_failed')).toBe(N);
    expect(count('upstream_error')).toBe(N / 2);
    assertClean('flood log lines', raw.slice(before).join('\n'), flood);
  }, 120_000);
});
