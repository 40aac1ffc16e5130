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
import { listenAddress } from './units.js';
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

  const upstreamUrl = opts.upstream ?? opts.env['COALMINE_UPSTREAM'];
  if (upstreamUrl) {
    const r = schema.safeParse({ upstreams: [{ name: 'default', url: upstreamUrl }] });
    if (!r.success)
      throw new ConfigError([
        {
          file: '--upstream',
          line: 1,
          col: 1,
          message: r.error.issues[0]?.message ?? 'invalid upstream',
        },
      ]);
    config = { ...config, upstreams: r.data.upstreams };
  }
  const address = (flag: string, v: string) => {
    const r = listenAddress.safeParse(v);
    if (!r.success)
      throw new ConfigError([
        { file: flag, line: 1, col: 1, message: r.error.issues[0]?.message ?? 'invalid address' },
      ]);
    return r.data;
  };
  if (opts.listen) config = { ...config, listen: address('--listen', opts.listen) };
  if (opts.adminListen)
    config = {
      ...config,
      admin: { ...config.admin, listen: address('--admin-listen', opts.adminListen) },
    };
  return { config, file, baseDir: file ? dirname(file) : opts.cwd };
}
