/**
 * Idle memory (issue 15): `coalmine serve` with an upstream configured and the default pack
 * must not load what only other configurations use — recheck (policies with regexes), the
 * simulator (no upstream), the OTel SDK and the spans module (an exporter configured), Ajv (JSON
 * Schema checks), htmlparser2 and libphonenumber-js (the first answer with HTML or a number),
 * the policy and canary commands — nor what the server never uses: undici's
 * fetch, WebSocket and caches (only its Pool is), Hono and its Node adapter (the admin API is
 * served from node:http), Node's own bundled fetch and Web streams. Not a timing or RSS test:
 * the modules the process loads are recorded by scripts/trace-modules.js (ESM resolutions,
 * CommonJS requires, Node's own modules) and compared.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import type { Spawned } from '../helpers/cli.js';

const TRACE = fileURLToPath(new URL('../../scripts/trace-modules.js', import.meta.url));
const running: Spawned[] = [];

afterEach(() => {
  for (const r of running.splice(0)) if (r.child.exitCode === null) r.child.kill('SIGKILL');
});

/** Starts `coalmine serve` in `dir` and returns the files it loaded until it listened. */
async function loadedUntilListening(
  dir: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<string[]> {
  const trace = join(dir, 'loaded.txt');
  writeFileSync(trace, '');
  const p = runCli(['serve', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', ...args], {
    cwd: dir,
    env: { COALMINE_UPSTREAM: 'http://127.0.0.1:9', COALMINE_TRACE_MODULES: trace, ...env },
    nodeArgs: ['--import', TRACE],
  });
  running.push(p);
  await p.line(/coalmine listening/);
  // Node's own modules are polled by the trace (every 20 ms): let it catch up.
  await new Promise((r) => setTimeout(r, 200));
  return readFileSync(trace, 'utf8').split('\n').filter(Boolean);
}

const loads = (files: string[], re: RegExp) => files.some((f) => re.test(f.replace(/\\/g, '/')));

describe('what `coalmine serve` loads', () => {
  it('with an upstream and the default pack: no recheck, simulator, OTel, Ajv, commands, Hono or fetch', async () => {
    const files = await loadedUntilListening(mkdtempSync(join(tmpdir(), 'coalmine-mods-')));
    // The trace sees both module systems: the app (ESM) and a CommonJS package's own requires.
    expect(loads(files, /\/dist\/main\.js$/)).toBe(true);
    expect(loads(files, /\/node_modules\/prom-client\/lib\/registry\.js$/)).toBe(true);

    expect(files.filter((f) => /\/node_modules\/recheck\//.test(f))).toEqual([]);
    expect(files.filter((f) => /\/dist\/sim\//.test(f))).toEqual([]);
    expect(files.filter((f) => /\/node_modules\/@opentelemetry\/sdk-/.test(f))).toEqual([]);
    expect(files.filter((f) => /\/node_modules\/ajv\//.test(f))).toEqual([]);
    // The argument parser and error reporting (commands/args, spec, report, user-error) are
    // the CLI's own; the policy and canary tooling is not loaded.
    expect(files.filter((f) => /\/dist\/commands\/(policy|canary)/.test(f))).toEqual([]);
    expect(files.filter((f) => /\/dist\/telemetry\/otel\.js$/.test(f))).toEqual([]);
    // Loaded by the first answer that holds HTML or a candidate phone number.
    expect(files.filter((f) => /\/node_modules\/(htmlparser2|entities)\//.test(f))).toEqual([]);
    expect(files.filter((f) => /\/node_modules\/libphonenumber-js\//.test(f))).toEqual([]);

    // undici's Pool and request, not its entry (fetch, WebSocket, caches, mocks).
    expect(loads(files, /\/node_modules\/undici\/lib\/dispatcher\/pool\.js$/)).toBe(true);
    expect(
      files.filter((f) => /\/node_modules\/undici\/(index\.js|lib\/(web|mock|cache)\/)/.test(f)),
    ).toEqual([]);
    // The admin API on node:http: no Hono, no Web Request/Response.
    expect(files.filter((f) => /\/node_modules\/(@hono\/node-server|hono)\//.test(f))).toEqual([]);
    expect(files.filter((f) => /\/dist\/(app|http\/web-io)\.js$/.test(f))).toEqual([]);
    // Node's own fetch (about 10 MB resident) loads on first use of a Web global.
    expect(loads(files, /^node:/)).toBe(true);
    expect(files.filter((f) => /^node:internal\/deps\/undici\//.test(f))).toEqual([]);
  });

  it('loads the spans module when an OpenTelemetry exporter is configured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coalmine-mods-'));
    // Nothing listens there: the SDK starts and exports nothing while the server idles.
    const files = await loadedUntilListening(dir, [], {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
      OTEL_BSP_SCHEDULE_DELAY: '600000',
    });
    expect(loads(files, /\/node_modules\/@opentelemetry\/sdk-node\//)).toBe(true);
    expect(loads(files, /\/dist\/telemetry\/otel\.js$/)).toBe(true);
  });

  it('loads recheck when a policy has a regex to analyse', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coalmine-mods-'));
    writeFileSync(
      join(dir, 'p.yaml'),
      [
        'name: p',
        'rules:',
        '  - id: r',
        '    check: regex',
        '    params: { pattern: "secret-[0-9]{4}" }',
        '    action: flag',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'coalmine.yaml'), 'policies: [p.yaml]\n');
    const files = await loadedUntilListening(dir, ['--config', join(dir, 'coalmine.yaml')]);
    expect(loads(files, /\/node_modules\/recheck\//)).toBe(true);
  });
});
