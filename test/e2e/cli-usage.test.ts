/**
 * The CLI's contract with the person typing (issue 17): every command prints its own help; a
 * user-caused failure is one line on stderr and exit 2, never a stack trace.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/spec.js';
import { runCli } from '../helpers/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'coalmine-usage-'));

async function cli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const p = runCli(args, { cwd: opts.cwd ?? tmp(), ...(opts.env ? { env: opts.env } : {}) });
  const code = await p.exited;
  return { code, out: p.stdout(), err: p.stderr() };
}

/** A directory holding `files`. */
function dirWith(files: Record<string, string>): string {
  const dir = tmp();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Exit 2, exactly one line on stderr matching `re`, no stack frame. */
function expectOneLine(r: { code: number | null; err: string }, re: RegExp) {
  expect(r.err.endsWith('\n'), r.err).toBe(true);
  expect(r.err.trimEnd().split('\n'), r.err).toHaveLength(1);
  expect(r.err).not.toMatch(/^\s+at /m);
  expect(r.err).toMatch(re);
  expect(r.code, r.err).toBe(2);
}

let busy: Server;
let busyPort = 0;
beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

describe('help', () => {
  it.each(COMMANDS.map((c) => [c.name]))(
    'coalmine %s --help prints its own usage',
    async (name) => {
      const r = await cli([...name.split(' '), '--help']);
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      const spec = COMMANDS.find((c) => c.name === name)!;
      expect(r.out).toBe(spec.help + (spec.moreHelp ? await spec.moreHelp() : ''));
      expect(r.out).toMatch(new RegExp(`^usage: coalmine ${name}`));
    },
  );

  it.each([
    [['--help'], /^coalmine \S+ — runtime validation proxy/],
    [['help'], /^coalmine \S+ — runtime validation proxy/],
    [['help', 'canary', 'baseline'], /^usage: coalmine canary baseline --out FILE/],
    [['--version'], /^\d+\.\d+\.\d+\S*\n$/],
  ])('coalmine %j', async (args, re) => {
    const r = await cli(args);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(re);
  });
});

const upstream = { COALMINE_UPSTREAM: 'http://127.0.0.1:9' };

describe('a user-caused failure is one line and exit 2', () => {
  it.each<[string, () => { args: string[]; cwd?: string; env?: Record<string, string> }, RegExp]>([
    ['an unknown command', () => ({ args: ['serv'] }), /unknown command "serv"; commands: serve/],
    [
      'an unknown subcommand',
      () => ({ args: ['policy', 'lnt'] }),
      /policy: unknown subcommand "lnt"; use one of lint, test, schema, checks/,
    ],
    ['a missing subcommand', () => ({ args: ['canary'] }), /canary: missing subcommand/],
    [
      'a flag of another subcommand',
      () => ({ args: ['canary', 'run', '--samples', '5'] }),
      /canary run: unknown option --samples; .*coalmine canary run --help/,
    ],
    ['an unknown flag', () => ({ args: ['serve', '--port', '1'] }), /serve: unknown option --port/],
    ['a flag without its value', () => ({ args: ['serve', '--config'] }), /--config needs a value/],
    ['a bad port', () => ({ args: ['sim', '--port', 'abc'] }), /sim: --port must be an integer/],
    [
      'a bad sample count',
      () => ({ args: ['canary', 'baseline', '--out', 'b.json', '--samples', '1'] }),
      /canary baseline: --samples must be an integer from 2/,
    ],
    [
      'a directory to lint',
      () => ({ args: ['policy', 'lint', '.'] }),
      /policy lint: \.: is a directory; name the files in it, e.g. coalmine policy lint \*\.yaml/,
    ],
    [
      'a device to lint',
      () => ({ args: ['policy', 'lint', '/dev/null'] }),
      /policy lint: \/dev\/null: not a regular file/,
    ],
    [
      'a baseline without --out',
      () => ({ args: ['canary', 'baseline'] }),
      /canary baseline: --out FILE is required/,
    ],
    [
      'a missing file to lint',
      () => ({ args: ['policy', 'lint', 'nope.yaml'] }),
      /policy lint: nope\.yaml: no such file/,
    ],
    [
      'a missing policy test file',
      () => ({ args: ['policy', 'test', 'nope.test.yaml'] }),
      /policy test: nope\.test\.yaml: no such file/,
    ],
    [
      'a missing config file',
      () => ({ args: ['serve', '--config', 'nope.yaml'] }),
      /nope\.yaml:1:1: cannot read file: ENOENT \(no such file/,
    ],
    [
      'an invalid config',
      () => ({
        args: ['serve'],
        cwd: dirWith({ 'coalmine.yaml': 'listen: 127.0.0.1:0\nlisen: x\n' }),
      }),
      /coalmine\.yaml:2:1: unknown key "lisen"/,
    ],
    [
      'a duration without a unit',
      () => ({
        args: ['canary', 'run'],
        cwd: dirWith({
          'coalmine.yaml':
            'upstreams:\n  - name: a\n    url: http://127.0.0.1:9\n    timeouts: { first_byte: 30 }\n',
        }),
      }),
      /coalmine\.yaml:4:29: .*first_byte: invalid duration 30: .*did you mean "30ms" or "30s"\?/,
    ],
    [
      'the same address for traffic and admin (flags)',
      () => ({
        args: ['--listen', '127.0.0.1:7411', '--admin-listen', '127.0.0.1:7411'],
        env: upstream,
      }),
      /^coalmine: --admin-listen: the admin listener cannot share the traffic address/,
    ],
    [
      'the same address for traffic and admin (file)',
      () => ({
        args: ['serve'],
        cwd: dirWith({
          'coalmine.yaml': 'listen: 127.0.0.1:7411\nadmin: { listen: 127.0.0.1:7411 }\n',
        }),
      }),
      /coalmine\.yaml:2:18: admin\.listen: the admin listener cannot share the traffic address/,
    ],
    [
      'the traffic port in use',
      () => ({
        args: ['--listen', `127.0.0.1:${busyPort}`, '--admin-listen', '127.0.0.1:0'],
        env: upstream,
      }),
      /^coalmine: cannot listen on 127\.0\.0\.1:\d+: address already in use .*--listen/,
    ],
    [
      'the admin port in use',
      () => ({
        args: ['--listen', '127.0.0.1:0', '--admin-listen', `127.0.0.1:${busyPort}`],
        env: upstream,
      }),
      /^coalmine: cannot listen on 127\.0\.0\.1:\d+: address already in use .*--admin-listen/,
    ],
    [
      'the simulator port in use',
      () => ({ args: ['sim', '--port', String(busyPort)] }),
      /^coalmine: cannot listen on 127\.0\.0\.1:\d+: address already in use .*--port/,
    ],
    [
      'an unknown provider',
      () => ({ args: ['serve'], env: { ...upstream, COALMINE_PROVIDER: 'bard' } }),
      /^coalmine: COALMINE_PROVIDER: unknown provider "bard"; use one of openai, .*anthropic, ollama/,
    ],
    [
      'a short admin token',
      () => ({ args: ['serve'], env: { COALMINE_ADMIN_TOKEN: 'short' } }),
      /^coalmine: COALMINE_ADMIN_TOKEN: must be at least 16 characters/,
    ],
  ])('%s', async (_name, setup, re) => {
    const { args, ...opts } = setup();
    expectOneLine(await cli(args, opts), re);
  });
});

describe('configuration from the environment alone', () => {
  it('COALMINE_ADMIN_TOKEN opens the admin API; COALMINE_PROVIDER names the upstream provider', async () => {
    const token = 'an-admin-token-for-tests';
    const p = runCli(['--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'], {
      cwd: tmp(),
      env: {
        COALMINE_ADMIN_TOKEN: token,
        COALMINE_UPSTREAM: 'http://127.0.0.1:9',
        COALMINE_PROVIDER: 'anthropic',
      },
    });
    try {
      const { admin } = JSON.parse(await p.line(/coalmine listening/)) as { admin: string };
      const denied = await fetch(`${admin}/admin/status`);
      expect(denied.status).toBe(401);
      const r = await fetch(`${admin}/admin/status`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(r.status).toBe(200);
      const status = (await r.json()) as { upstreams: { name: string; provider: string }[] };
      expect(status.upstreams).toEqual([
        expect.objectContaining({
          name: 'default',
          provider: 'anthropic',
          url: 'http://127.0.0.1:9',
        }),
      ]);
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });
});

describe('a runtime failure is exit 1', () => {
  // A crash injected into a running simulator, 1 s after start.
  const crash = [
    '--import',
    "data:text/javascript,setTimeout(()=>{throw new Error('kaboom')},1000)",
  ];

  it.each([
    [[], /^coalmine: kaboom \(run with --debug for the stack trace\)\n$/],
    [['--debug'], /^coalmine: kaboom\nError: kaboom\n\s+at /],
  ])('sim %j', async (flags, re) => {
    const p = runCli(['sim', '--port', '0', ...flags], { cwd: tmp(), nodeArgs: crash });
    expect(await p.exited).toBe(1);
    const err = p
      .stderr()
      .split('\n')
      .filter((l) => !l.includes('simulator listening'))
      .join('\n');
    expect(err).toMatch(re);
  });
});
