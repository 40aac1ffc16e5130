/**
 * Finds and loads the configuration. Order: `--config`, `COALMINE_CONFIG`, `./coalmine.yaml`
 * if present, else built-in defaults. `--upstream` / `COALMINE_UPSTREAM` replace the
 * configured upstreams with one. The caller passes the environment in (only the
 * composition root reads `process.env`).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { Config, SchemaContext } from './schema.js';
import { configSchema } from './schema.js';
import { listenAddress, SAME_ADDRESS, sameAddress } from './units.js';
import type { Env } from './yaml-file.js';
import { loadYamlFile } from './yaml-file.js';

export interface LoadOptions {
  cwd: string;
  env: Env;
  configFile?: string | undefined;
  listen?: string | undefined;
  adminListen?: string | undefined;
  upstream?: string | undefined;
  schema: SchemaContext;
}

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the file read, or undefined when running on defaults. */
  file: string | undefined;
  /** Directory that relative paths in the config are resolved against. */
  baseDir: string;
}

export function loadConfig(opts: LoadOptions): LoadedConfig {
  const schema = configSchema(opts.schema);
  const explicit = opts.configFile ?? opts.env['COALMINE_CONFIG'];
  const implicit = resolve(opts.cwd, 'coalmine.yaml');
  const file = explicit ? resolve(opts.cwd, explicit) : existsSync(implicit) ? implicit : undefined;

  let config: Config;
  if (file) {
    const r = loadYamlFile(file, schema, opts.env);
    if (!r.ok) throw new ConfigError(r.issues);
    config = r.value;
  } else {
    config = schema.parse({});
  }

  config = withUpstream(config, schema, opts);
  config = withAdminToken(config, schema, opts.env);
  config = withRedisUrl(config, schema, opts.env);
  const address = (flag: string, v: string) => {
    const r = listenAddress.safeParse(v);
    if (!r.success) throw flagError(flag, r.error.issues[0]?.message ?? 'invalid address');
    return r.data;
  };
  if (opts.listen) config = { ...config, listen: address('--listen', opts.listen) };
  if (opts.adminListen)
    config = {
      ...config,
      admin: { ...config.admin, listen: address('--admin-listen', opts.adminListen) },
    };
  // The file's own addresses are checked by the schema (at file:line:col); this catches a
  // flag that makes them equal.
  if ((opts.listen || opts.adminListen) && sameAddress(config.listen, config.admin.listen))
    throw flagError(
      opts.adminListen ? '--admin-listen' : '--listen',
      `${SAME_ADDRESS} (${config.listen.host}:${config.listen.port})`,
    );
  return { config, file, baseDir: file ? dirname(file) : opts.cwd };
}

/** A problem with a flag or environment variable: the CLI prints it as `NAME: message`. */
function flagError(name: string, message: string): ConfigError {
  return new ConfigError([{ file: name, line: 1, col: 1, message }]);
}

/**
 * `--upstream` / `COALMINE_UPSTREAM` replace the configured upstreams with one named
 * `default`; `COALMINE_PROVIDER` says which provider it is (default: the schema's first).
 */
function withUpstream(config: Config, schema: ReturnType<typeof configSchema>, opts: LoadOptions) {
  const url = opts.upstream ?? opts.env['COALMINE_UPSTREAM'];
  const provider = opts.env['COALMINE_PROVIDER'] || undefined;
  if (!url) {
    if (provider)
      throw flagError(
        'COALMINE_PROVIDER',
        'is set but there is no COALMINE_UPSTREAM (or --upstream) for it to apply to; set both, or configure upstreams: in coalmine.yaml',
      );
    return config;
  }
  const source = opts.upstream ? '--upstream' : 'COALMINE_UPSTREAM';
  const r = schema.safeParse({ upstreams: [{ name: 'default', url, provider }] });
  if (!r.success) {
    const issue = r.error.issues[0];
    if (issue?.path.includes('provider'))
      throw flagError(
        'COALMINE_PROVIDER',
        `unknown provider ${JSON.stringify(provider)}; use one of ${opts.schema.providers.join(', ')}`,
      );
    throw flagError(source, `${issue?.message ?? 'invalid upstream'} (got ${JSON.stringify(url)})`);
  }
  return { ...config, upstreams: r.data.upstreams };
}

/** `COALMINE_REDIS_URL` selects the redis state backend at that URL (replacing state.url). */
function withRedisUrl(config: Config, schema: ReturnType<typeof configSchema>, env: Env) {
  const url = env['COALMINE_REDIS_URL'];
  if (!url) return config;
  const r = schema.safeParse({ state: { backend: 'redis', url } });
  if (!r.success) throw flagError('COALMINE_REDIS_URL', 'must be a redis:// or rediss:// URL');
  return {
    ...config,
    state: { ...config.state, backend: 'redis' as const, url: r.data.state.url },
  };
}

/** `COALMINE_ADMIN_TOKEN` opens the admin API (and replaces a configured admin.token). */
function withAdminToken(config: Config, schema: ReturnType<typeof configSchema>, env: Env) {
  const token = env['COALMINE_ADMIN_TOKEN'];
  if (!token) return config;
  const r = schema.safeParse({ admin: { token } });
  if (!r.success)
    throw flagError(
      'COALMINE_ADMIN_TOKEN',
      'must be at least 16 characters (e.g. the output of: openssl rand -hex 24)',
    );
  return { ...config, admin: { ...config.admin, token: r.data.admin.token } };
}
