import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SimServer } from '../../src/sim/server.js';
import { startSim } from '../../src/sim/server.js';
import { runCli } from '../helpers/cli.js';
import type { Spawned } from '../helpers/cli.js';
import { eventually } from '../helpers/proxy.js';

const INSTRUMENTATION = fileURLToPath(new URL('../../dist/instrumentation.js', import.meta.url));

interface Received {
  path: string;
  contentType: string;
  body: Buffer;
}

/** An OTLP/HTTP receiver: records every POST, answers 200 with an empty body of the right type. */
function receiver(): Promise<{ server: Server; url: string; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const contentType = req.headers['content-type'] ?? '';
      got.push({ path: req.url ?? '', contentType, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': contentType });
      res.end(contentType.includes('json') ? '{}' : '');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got }),
    ),
  );
}

interface JsonSpan {
  name: string;
  kind: number;
  attributes: {
    key: string;
    value: { stringValue?: string; boolValue?: boolean; intValue?: string | number };
  }[];
}

describe('OTLP export from a real `coalmine serve`', () => {
  let sim: SimServer | undefined;
  let rx: Awaited<ReturnType<typeof receiver>> | undefined;
  let p: Spawned | undefined;
  afterEach(async () => {
    p?.child.kill('SIGTERM');
    await p?.exited;
    rx?.server.close();
    await sim?.close();
  });

  async function start(env: Record<string, string>, nodeArgs: string[] = []) {
    sim = await startSim();
    rx = await receiver();
    const dir = mkdtempSync(join(tmpdir(), 'coalmine-otel-'));
    writeFileSync(
      join(dir, 'coalmine.yaml'),
      `listen: 127.0.0.1:0\nadmin: { listen: 127.0.0.1:0 }\nupstreams: [{ name: sim, url: "${sim.url}" }]\n`,
    );
    p = runCli(['serve'], {
      cwd: dir,
      nodeArgs,
      env: { OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, ...env },
    });
    const line = await p.line(/coalmine listening/);
    const proxy = (JSON.parse(line) as { proxy: string }).proxy;
    const r = await fetch(`${proxy}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Which planet is known as the Red Planet?' }],
      }),
    });
    expect(r.status).toBe(200);
    await r.text();
    return rx;
  }

  it('http/protobuf by default (loaded by `coalmine serve` itself)', async () => {
    const rx = await start({});
    await eventually(() => rx.got.some((g) => g.path === '/v1/traces'), 10_000);
    const g = rx.got.find((x) => x.path === '/v1/traces')!;
    expect(g.contentType).toBe('application/x-protobuf');
    const bytes = g.body.toString('latin1');
    for (const s of [
      'chat gpt-4o-mini',
      'gen_ai.operation.name',
      'gen_ai.response.model',
      'coalmine.decision',
    ])
      expect(bytes).toContain(s);
    expect(bytes).not.toContain('Red Planet');
    expect(p!.stderr()).toMatch(/OpenTelemetry trace export on.*http\/protobuf/);
  });

  it('http/json when asked, preloaded with --import', async () => {
    const rx = await start({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, [
      '--import',
      INSTRUMENTATION,
    ]);
    await eventually(() => rx.got.some((g) => g.path === '/v1/traces'), 10_000);
    const spans = rx.got
      .filter((g) => g.path === '/v1/traces')
      .flatMap((g) => {
        const j = JSON.parse(g.body.toString('utf8')) as {
          resourceSpans: { scopeSpans: { spans: JsonSpan[] }[] }[];
        };
        return j.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
      });
    const attr = (s: JsonSpan | undefined, k: string) =>
      s?.attributes.find((a) => a.key === k)?.value;
    const client = spans.find((s) => s.name === 'chat gpt-4o-mini');
    expect(attr(client, 'gen_ai.provider.name')).toEqual({ stringValue: 'openai' });
    expect(attr(client, 'gen_ai.response.model')).toEqual({ stringValue: 'gpt-4o-mini' });
    const server = spans.find((s) => s.name === 'POST /v1/chat/completions');
    expect(attr(server, 'coalmine.decision')).toEqual({ stringValue: 'pass' });
    // The logged-once line appears once even though both the preload and the CLI ask for it.
    expect(p!.stderr().match(/trace export on/g)).toHaveLength(1);
  });

  it('without the OTEL variables nothing is started', async () => {
    sim = await startSim();
    const dir = mkdtempSync(join(tmpdir(), 'coalmine-otel-'));
    writeFileSync(
      join(dir, 'coalmine.yaml'),
      `listen: 127.0.0.1:0\nadmin: { listen: 127.0.0.1:0 }\nupstreams: [{ name: sim, url: "${sim.url}" }]\n`,
    );
    p = runCli(['serve'], { cwd: dir, nodeArgs: ['--import', INSTRUMENTATION] });
    await p.line(/coalmine listening/);
    expect(p.stderr()).not.toMatch(/trace export/);
  });
});
