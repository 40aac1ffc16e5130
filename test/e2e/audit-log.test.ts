/**
 * The audit log of a running proxy (issue 16, item 2): one hash-chained record per
 * security-relevant event — blocks and redactions with the SHA-256 of what matched (never the
 * text), a canary turning red after the simulator swaps its model, quarantine and a release that
 * names who released it, refused admin credentials, policy reloads — rotated by size with the
 * chain kept across files, verified by `coalmine audit verify`, counted in /metrics.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainFiles } from '../../src/audit/rotate.js';
import { verifyAudit } from '../../src/audit/verify.js';
import type { Running } from '../../src/main.js';
import type { SimServer } from '../../src/sim/server.js';
import { startSim } from '../../src/sim/server.js';
import { runCli } from '../helpers/cli.js';
import { ADMIN_TOKEN, eventually, metricsText, startProxy } from '../helpers/proxy.js';

const KEY = 'audit-hmac-key-0123456789abcdef';
const ONCALL = 'oncall-token-0123456789abcdef';
const SECRET = 'LAUNCH-4821';
const REDACTED = 'ORBIT-7730';
const PROMPT_MARKER = 'prompt-marker-zebra-quokka';
const POLICY = `name: launch
rules:
  - id: launch-code
    check: regex
    params: { pattern: "LAUNCH-[0-9]{4}" }
    action: block
  - id: orbit-code
    check: regex
    params: { pattern: "ORBIT-[0-9]{4}" }
    action: redact
`;
const CANARIES = `defaults: { model: gpt-4o-mini, every: 1h }
canaries:
  - id: red-planet
    request:
      messages: [{ role: user, content: "Which planet is known as the Red Planet? One word." }]
      temperature: 0
    expect: [{ regex: { pattern: "^\\\\s*mars\\\\W*$", flags: i } }]
`;

type Rec = Record<string, unknown> & { type: string };
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('the audit log of a running proxy', () => {
  let sim: SimServer;
  let proxy: Running & { dir: string };
  let client: OpenAI;
  let path: string;

  const records = (): Rec[] =>
    [...Array.from({ length: 10 }, (_, i) => `${path}.${10 - i}`), path]
      .flatMap((f) => {
        try {
          return readFileSync(f, 'utf8').split('\n');
        } catch {
          return [];
        }
      })
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Rec);
  const ofType = (t: string) => records().filter((r) => r.type === t);
  const admin = (p: string, token: string, body?: unknown) =>
    fetch(`${proxy.adminUrl}${p}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });

  beforeAll(async () => {
    sim = await startSim();
    proxy = await startProxy(
      {
        upstreams: [
          {
            name: 'sim',
            url: sim.url,
            quarantine: { on: ['canary_failure'], action: 'block' },
          },
        ],
        admin: {
          listen: '127.0.0.1:0',
          token: ADMIN_TOKEN,
          tokens: [{ name: 'oncall', token: ONCALL }],
        },
        policies: ['launch.yaml'],
        canaries: ['canaries.yaml'],
        canary: { schedule: false },
        audit: { path: 'audit/audit.log', max_bytes: '4kb', keep: 10, hmac_key: KEY },
      },
      { 'launch.yaml': POLICY, 'canaries.yaml': CANARIES },
    );
    path = join(proxy.dir, 'audit/audit.log');
    client = new OpenAI({
      baseURL: `${proxy.url}/v1`,
      apiKey: 'sk-client-key-never-logged',
      maxRetries: 0,
    });
  });

  afterAll(async () => {
    await proxy?.shutdown();
    await sim?.close();
  });

  const say = (text: string) =>
    client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: `[sim:say] ${text} ${PROMPT_MARKER}` }],
    });

  it('records a block and a redaction with the SHA-256 of what matched, never the text', async () => {
    await expect(say(`the code is ${SECRET}`)).rejects.toThrow(/launch-code/);
    const redacted = await say(`orbit ${REDACTED} reached`);
    expect(redacted.choices[0]?.message.content).not.toContain(REDACTED);
    await eventually(() => ofType('decision').length >= 2);
    const [block, redact] = ofType('decision');
    expect(block).toMatchObject({
      decision: 'block',
      source: 'live',
      upstream: 'sim',
      model: 'gpt-4o-mini',
      blocked_by: 'launch/launch-code',
      rules: [
        {
          policy: 'launch',
          rule: 'launch-code',
          action: 'block',
          mode: 'enforce',
          matched_sha256: [sha256(SECRET)],
        },
      ],
    });
    expect(block?.request_id).toEqual(expect.any(String));
    expect(redact).toMatchObject({
      decision: 'redact',
      rules: [{ rule: 'orbit-code', matched_sha256: [sha256(REDACTED)] }],
    });
  });

  it('records a canary turning red, the quarantine it causes and who released it', async () => {
    const run = () => admin('/admin/canaries/red-planet/run', ADMIN_TOKEN);
    expect((await run()).status).toBe(200);
    sim.setScenario('impostor');
    expect((await run()).status).toBe(200);
    const released = await admin('/admin/quarantine/release', ONCALL, {
      upstream: 'sim',
      model: 'gpt-4o-mini',
    });
    expect(released.status).toBe(200);
    sim.setScenario(undefined);
    await eventually(() => ofType('quarantine_released').length === 1);
    expect(ofType('canary_result').map((r) => [r.previous, r.result])).toEqual([
      [null, 'pass'],
      ['pass', 'fail'],
    ]);
    const red = ofType('canary_result')[1]!;
    expect(red).toMatchObject({ canary: 'red-planet', upstream: 'sim', model: 'gpt-4o-mini' });
    // The reason says why without quoting the answer.
    expect(red.reason).toEqual(expect.stringContaining('"…"'));
    expect(ofType('quarantine_entered')).toEqual([
      expect.objectContaining({ reason: 'canary_failure', canary: 'red-planet' }),
    ]);
    expect(ofType('quarantine_released')).toEqual([
      expect.objectContaining({ upstream: 'sim', model: 'gpt-4o-mini', by: 'oncall' }),
    ]);
    const actions = ofType('admin_action').map((r) => [r.action, r.actor, r.status]);
    expect(actions).toEqual([
      ['POST /admin/canaries/:id/run', 'admin', 200],
      ['POST /admin/canaries/:id/run', 'admin', 200],
      ['POST /admin/quarantine/release', 'oncall', 200],
    ]);
  });

  it('records refused admin credentials and policy reloads with their version', async () => {
    expect((await admin('/admin/reload', 'wrong-token-0123456789abcdef')).status).toBe(401);
    writeFileSync(join(proxy.dir, 'launch.yaml'), `${POLICY}  - id: broken\n    check: nope\n`);
    expect((await proxy.reloadPolicies()).ok).toBe(false);
    writeFileSync(join(proxy.dir, 'launch.yaml'), POLICY.replace('4}', '5}'));
    const ok = await proxy.reloadPolicies();
    expect(ok.ok).toBe(true);
    await eventually(() => ofType('policy_reload').length === 3);
    expect(ofType('admin_auth_failed')).toEqual([
      expect.objectContaining({ remote: expect.stringMatching(/127\.0\.0\.1/) }),
    ]);
    const [start, failed, success] = ofType('policy_reload');
    expect(start).toMatchObject({ result: 'success', previous_version: null });
    expect(failed).toMatchObject({ result: 'failure', version: start!.version });
    expect((failed!.issues as string[])[0]).toMatch(/launch\.yaml:\d+:\d+/);
    expect(success).toMatchObject({
      result: 'success',
      version: ok.version,
      previous_version: start!.version,
    });
  });

  it('rotates by size, keeps the chain across files, verifies, and is counted in /metrics', async () => {
    // Enough decisions to pass 4 KB a few times.
    for (let i = 0; i < 12; i++) await say(`orbit ${REDACTED} again`).catch(() => {});
    const written = async () =>
      Number(/^coalmine_audit_records_total (\d+)/m.exec(await metricsText(proxy))?.[1]);
    // Settled: everything appended is in the files, twice 200 ms apart (a response reaches the
    // client just before its record is appended; a rotation moves the current file away).
    const settled = async () =>
      (await chainFiles(path, 10)).length >= 3 && (await written()) === records().length;
    const pause = () => new Promise((r) => setTimeout(r, 200));
    await eventually(async () => (await settled()) && (await pause()) === undefined && settled());
    const files = await chainFiles(path, 10);
    const ok = await verifyAudit(files, Buffer.from(KEY));
    expect(ok, JSON.stringify(ok)).toMatchObject({ ok: true, lost: 0 });
    expect(ok.ok && ok.records).toBe(records().length);
    // Without the key the HMACs do not verify.
    expect(await verifyAudit(files, undefined)).toMatchObject({
      ok: false,
      reason: 'hash',
      line: 1,
    });

    const text = await metricsText(proxy);
    expect(text).toMatch(/^coalmine_audit_dropped_total 0$/m);
    expect(text).toMatch(/^coalmine_audit_queue_depth \d+$/m);

    // Nothing of the prompts, the outputs or the credentials is in any file.
    const all = files.map((f) => readFileSync(f, 'utf8')).join('');
    for (const leak of [
      SECRET,
      REDACTED,
      PROMPT_MARKER,
      'sk-client-key-never-logged',
      KEY,
      ONCALL,
      ADMIN_TOKEN,
      'Paris',
    ])
      expect(all).not.toContain(leak);

    // The CLI agrees, in any argument order; an edited line is named by file and line.
    const shuffled = [...files].reverse();
    const cli = runCli(['audit', 'verify', ...shuffled], {
      cwd: proxy.dir,
      env: { COALMINE_AUDIT_KEY: KEY },
    });
    expect([await cli.exited, cli.stdout().trim()]).toEqual([
      0,
      `${ok.ok && ok.records} records verified`,
    ]);
    const victim = files[1]!;
    const lines = readFileSync(victim, 'utf8').split('\n');
    lines[1] = lines[1]!.replace('"time":"', '"time":"1');
    writeFileSync(victim, lines.join('\n'));
    const bad = runCli(['audit', 'verify', '--key', KEY, ...files], { cwd: proxy.dir });
    expect([await bad.exited, bad.stdout().trim()]).toEqual([
      1,
      `${victim}:2: hash: hash does not match the record (edited, or wrong key)`,
    ]);
  });
});
