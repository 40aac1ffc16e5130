import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { ConfigError, formatIssue } from '../../../src/errors.js';

const providers = { providers: ['openai', 'openai-compatible'] as [string, ...string[]] };

function withFile(text: string, name = 'coalmine.yaml') {
  const dir = mkdtempSync(join(tmpdir(), 'coalmine-cfg-'));
  writeFileSync(join(dir, name), text);
  return { dir, file: join(dir, name) };
}

function errorsOf(text: string, env: Record<string, string> = {}): string[] {
  const { dir, file } = withFile(text);
  try {
    loadConfig({ cwd: dir, env, configFile: file, schema: providers });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues.map((i) => formatIssue({ ...i, file: 'coalmine.yaml' }));
  }
  throw new Error('expected the config to be rejected');
}

describe('config loader', () => {
  it('state: redis needs a redis:// url; a file URL is wrong', () => {
    expect(errorsOf('state: { backend: redis }\n').join('\n')).toMatch(
      /state\.backend is redis but there is no state\.url/,
    );
    expect(errorsOf('state: { backend: redis, url: "http://r" }\n').join('\n')).toMatch(
      /redis:\/\/ or rediss:\/\//,
    );
    expect(errorsOf('state: { backend: memcached }\n').length).toBe(1);
  });

  it('has sensible defaults with no file at all', () => {
    const { config, file } = loadConfig({
      cwd: mkdtempSync(join(tmpdir(), 'coalmine-empty-')),
      env: {},
      schema: providers,
    });
    expect(file).toBeUndefined();
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 8790 });
    expect(config.admin.listen).toEqual({ host: '127.0.0.1', port: 8791 });
    expect(config.upstreams).toEqual([]);
    expect(config.unknown_routes).toBe('pass');
  });

  it('reads YAML with ${VAR} substitution, defaults and units', () => {
    const { dir, file } = withFile(`
listen: 0.0.0.0:9000
admin: { token: "\${ADMIN_TOKEN}" }
upstreams:
  - name: openai
    url: \${OPENAI_URL:-https://api.openai.com}/
    api_key: \${OPENAI_API_KEY}
    timeouts: { connect: 250ms, total: 2m }
limits: { request_body: 1mb }
`);
    const { config, baseDir } = loadConfig({
      cwd: '/',
      env: { ADMIN_TOKEN: 'a-very-long-admin-token', OPENAI_API_KEY: 'sk-test' },
      configFile: file,
      schema: providers,
    });
    expect(baseDir).toBe(dir);
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 9000 });
    expect(config.admin.token).toBe('a-very-long-admin-token');
    const [u] = config.upstreams;
    expect(u).toMatchObject({
      name: 'openai',
      url: 'https://api.openai.com',
      provider: 'openai',
      prefix: '/',
      api_key: 'sk-test',
    });
    expect(u?.timeouts).toEqual({
      connect: 250,
      first_byte: 120_000,
      idle: 120_000,
      total: 120_000,
    });
    expect(config.limits.request_body).toBe(1024 * 1024);
  });

  it('accepts JSON, which is YAML', () => {
    const { dir, file } = withFile(
      JSON.stringify({
        upstreams: [
          {
            name: 'v',
            url: 'http://127.0.0.1:8000',
            provider: 'openai-compatible',
            prefix: '/vllm/',
          },
        ],
      }),
      'c.json',
    );
    const { config } = loadConfig({ cwd: dir, env: {}, configFile: file, schema: providers });
    expect(config.upstreams[0]?.prefix).toBe('/vllm');
  });

  it('finds ./coalmine.yaml, COALMINE_CONFIG, and lets --upstream / --listen override', () => {
    const { dir } = withFile('upstreams: [{ name: a, url: "http://127.0.0.1:1" }]\n');
    expect(loadConfig({ cwd: dir, env: {}, schema: providers }).config.upstreams[0]?.name).toBe(
      'a',
    );
    const other = withFile('listen: 127.0.0.1:7000\n', 'other.yaml');
    expect(
      loadConfig({ cwd: dir, env: { COALMINE_CONFIG: other.file }, schema: providers }).config
        .listen.port,
    ).toBe(7000);
    const r = loadConfig({
      cwd: dir,
      env: { COALMINE_UPSTREAM: 'http://127.0.0.1:2' },
      listen: '127.0.0.1:0',
      schema: providers,
    });
    expect(r.config.upstreams.map((u) => [u.name, u.url])).toEqual([
      ['default', 'http://127.0.0.1:2'],
    ]);
    expect(r.config.listen.port).toBe(0);
  });

  it.each([
    ['unknown key', 'listen: 127.0.0.1:1\nlisen: x\n', 'coalmine.yaml:2:1: unknown key "lisen"'],
    ['bad YAML', 'upstreams: [\n', 'coalmine.yaml:2:1:'],
    ['duplicate key', 'listen: 1\nlisten: 2\n', 'coalmine.yaml:2:1: Map keys must be unique'],
    [
      'bad url',
      'upstreams:\n  - name: a\n    url: ftp://x\n',
      'coalmine.yaml:3:10: upstreams.0.url: url must be an absolute http(s) URL',
    ],
    ['missing url', 'upstreams:\n  - name: a\n', 'coalmine.yaml:2:5: upstreams.0.url:'],
    [
      'unknown provider',
      'upstreams:\n  - { name: a, url: "http://h", provider: nope }\n',
      'coalmine.yaml:2:43: upstreams.0.provider: Invalid option',
    ],
    [
      'bad duration',
      'upstreams:\n  - name: a\n    url: http://h\n    timeouts: { idle: soon }\n',
      'coalmine.yaml:4:23: upstreams.0.timeouts.idle: invalid duration "soon"',
    ],
    [
      'duplicate upstream',
      'upstreams:\n  - { name: a, url: "http://h", prefix: /a }\n  - { name: a, url: "http://h" }\n',
      'coalmine.yaml:3:13: upstreams.1.name: duplicate upstream name "a"',
    ],
    [
      'duplicate prefix',
      'upstreams:\n  - { name: a, url: "http://h" }\n  - { name: b, url: "http://h" }\n',
      'coalmine.yaml:3:5: upstreams.1.prefix: prefix "/" is already used',
    ],
    [
      'short admin token',
      'admin:\n  token: short\n',
      'coalmine.yaml:2:10: admin.token: admin.token must be at least 16 characters',
    ],
    [
      'unset variable',
      'admin:\n  token: ${NOPE}\n',
      'coalmine.yaml:2:10: environment variable NOPE is not set',
    ],
    ['bad listen', 'listen: "host:99999"\n', 'coalmine.yaml:1:9: listen: invalid listen address'],
    [
      'a duration without a unit',
      'upstreams:\n  - name: a\n    url: http://h\n    timeouts: { first_byte: 30 }\n',
      'coalmine.yaml:4:29: upstreams.0.timeouts.first_byte: invalid duration 30: a duration needs a unit; did you mean "30ms" or "30s"?',
    ],
    [
      'a quoted duration without a unit',
      'shutdown: { grace: "1.5" }\n',
      'coalmine.yaml:1:20: shutdown.grace: invalid duration 1.5: a duration needs a unit; did you mean "1.5ms" or "1.5s"?',
    ],
    [
      'traffic and admin on one address',
      'listen: 127.0.0.1:7000\nadmin:\n  listen: 127.0.0.1:7000\n',
      'coalmine.yaml:3:11: admin.listen: the admin listener cannot share the traffic address',
    ],
  ])('reports %s at file:line:col', (_name, text, expected) => {
    const errors = errorsOf(text);
    expect(
      errors.some((e) => e.startsWith(expected)),
      errors.join('\n'),
    ).toBe(true);
  });

  it('takes a duration of 0 without a unit', () => {
    const { dir, file } = withFile('shutdown: { grace: 0 }\n');
    expect(
      loadConfig({ cwd: dir, env: {}, configFile: file, schema: providers }).config.shutdown.grace,
    ).toBe(0);
  });

  it('reports a missing file clearly', () => {
    expect(() =>
      loadConfig({
        cwd: '/',
        env: {},
        configFile: '/nonexistent/coalmine.yaml',
        schema: providers,
      }),
    ).toThrow(/nonexistent\/coalmine.yaml:1:1: cannot read file: ENOENT/);
  });
});
