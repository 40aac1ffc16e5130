import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LoadOptions } from '../../../src/config/load.js';
import { loadConfig } from '../../../src/config/load.js';
import { ConfigError, formatIssue } from '../../../src/errors.js';

const providers = { providers: ['openai', 'openai-compatible', 'anthropic', 'ollama'] } as {
  providers: [string, ...string[]];
};
const cwd = mkdtempSync(join(tmpdir(), 'coalmine-env-'));
const load = (o: Partial<LoadOptions>) => loadConfig({ cwd, env: {}, schema: providers, ...o });

describe('configuration from flags and the environment, without a file', () => {
  it('COALMINE_ADMIN_TOKEN opens the admin API', () => {
    const { config } = load({ env: { COALMINE_ADMIN_TOKEN: 'a-very-long-admin-token' } });
    expect(config.admin.token).toBe('a-very-long-admin-token');
    expect(load({}).config.admin.token).toBeUndefined();
  });

  it.each([
    [
      { COALMINE_UPSTREAM: 'https://api.anthropic.com', COALMINE_PROVIDER: 'anthropic' },
      'anthropic',
    ],
    [{ COALMINE_UPSTREAM: 'http://127.0.0.1:11434', COALMINE_PROVIDER: 'ollama' }, 'ollama'],
    [{ COALMINE_UPSTREAM: 'https://api.openai.com' }, 'openai'],
    [{ COALMINE_UPSTREAM: 'http://h', COALMINE_PROVIDER: '' }, 'openai'],
  ])('COALMINE_UPSTREAM with COALMINE_PROVIDER %j → %s', (env, provider) => {
    const [u, ...more] = load({ env }).config.upstreams;
    expect(more).toEqual([]);
    expect(u).toMatchObject({ name: 'default', url: env.COALMINE_UPSTREAM, provider });
  });

  it('state: memory by default; COALMINE_REDIS_URL selects redis; redis needs a url', () => {
    expect(load({}).config.state).toEqual({
      backend: 'memory',
      key_prefix: 'coalmine:',
      on_unavailable_at_start: 'memory',
    });
    expect(load({ env: { COALMINE_REDIS_URL: 'redis://r:6379/0' } }).config.state).toMatchObject({
      backend: 'redis',
      url: 'redis://r:6379/0',
    });
    expect(() => load({ env: { COALMINE_REDIS_URL: 'http://r' } })).toThrow(ConfigError);
  });

  it('COALMINE_PROVIDER applies to --upstream too', () => {
    const { config } = load({ upstream: 'http://h', env: { COALMINE_PROVIDER: 'anthropic' } });
    expect(config.upstreams[0]?.provider).toBe('anthropic');
  });

  it.each([
    [
      'an unknown provider',
      { env: { COALMINE_UPSTREAM: 'http://h', COALMINE_PROVIDER: 'bard' } },
      'COALMINE_PROVIDER:1:1: unknown provider "bard"; use one of openai, openai-compatible, anthropic, ollama',
    ],
    [
      'a provider without an upstream',
      { env: { COALMINE_PROVIDER: 'anthropic' } },
      'COALMINE_PROVIDER:1:1: is set but there is no COALMINE_UPSTREAM',
    ],
    [
      'a bad upstream URL',
      { env: { COALMINE_UPSTREAM: 'api.openai.com' } },
      'COALMINE_UPSTREAM:1:1: url must be an absolute http(s) URL (got "api.openai.com")',
    ],
    [
      'a bad --upstream',
      { upstream: 'ftp://h' },
      '--upstream:1:1: url must be an absolute http(s) URL',
    ],
    [
      'a short admin token',
      { env: { COALMINE_ADMIN_TOKEN: 'short' } },
      'COALMINE_ADMIN_TOKEN:1:1: must be at least 16 characters',
    ],
    [
      '--listen equal to --admin-listen',
      { listen: '127.0.0.1:7000', adminListen: '127.0.0.1:7000' },
      '--admin-listen:1:1: the admin listener cannot share the traffic address',
    ],
    [
      '--listen equal to the default admin address',
      { listen: '127.0.0.1:8791' },
      '--listen:1:1: the admin listener cannot share the traffic address',
    ],
  ])('rejects %s', (_name, o, expected) => {
    let issues: string[] = [];
    try {
      load(o);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      issues = (e as ConfigError).issues.map(formatIssue);
    }
    expect(issues).toEqual([expect.stringContaining(expected)]);
  });

  it('port 0 for both is two free ports, not one address', () => {
    expect(load({ listen: '127.0.0.1:0', adminListen: '127.0.0.1:0' }).config.listen.port).toBe(0);
  });
});
