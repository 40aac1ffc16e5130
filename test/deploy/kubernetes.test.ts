import { mkdtempSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { loadPolicySet } from '../../src/policy/loader.js';
import { prometheusRule } from '../../scripts/prometheus-rule.js';
import { typeCheckManifests } from '../helpers/typed-manifests.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const dir = join(repoRoot, 'deploy', 'kubernetes');
const rulesText = readFileSync(
  fileURLToPath(new URL('../../deploy/prometheus/coalmine.rules.yml', import.meta.url)),
  'utf8',
);
const dockerfile = readFileSync(
  fileURLToPath(new URL('../../Dockerfile', import.meta.url)),
  'utf8',
);

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  [k: string]: unknown;
}
interface Container {
  name: string;
  args?: string[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: { httpGet?: { path: string; port: string } };
  readinessProbe?: { httpGet?: { path: string; port: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
}
interface PodSpec {
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
}

const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
const manifests: { file: string; m: Manifest }[] = files.flatMap((file) =>
  parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((d) => {
    expect(d.errors).toEqual([]);
    return { file, m: d.toJS() as Manifest };
  }),
);
const find = (kind: string, name = 'coalmine') => {
  const hit = manifests.find(({ m }) => m.kind === kind && m.metadata.name === name);
  if (!hit) throw new Error(`no ${kind} ${name}`);
  return hit.m;
};

/** Each kind's model from the OpenAPI schema (kubernetes-models, prometheus-operator CRDs). */
const MODELS: Record<string, new (m: never) => { validate(): void }> = {
  'apps/v1 Deployment': Deployment,
  'v1 Service': Service,
  'v1 ConfigMap': ConfigMap,
  'policy/v1 PodDisruptionBudget': PodDisruptionBudget,
  'monitoring.coreos.com/v1 ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1 PrometheusRule': PrometheusRule,
};
const validate = (m: Manifest) => {
  const Model = MODELS[`${m.apiVersion} ${m.kind}`];
  if (!Model) throw new Error(`no schema for ${m.apiVersion} ${m.kind}`);
  new Model(m as never).validate();
};

describe('Kubernetes manifests', () => {
  it('ship every object the deployment needs', () => {
    expect(manifests.map(({ m }) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      'ConfigMap/coalmine-config',
      'Deployment/coalmine',
      'Deployment/coalmine-redis',
      'PodDisruptionBudget/coalmine',
      'PrometheusRule/coalmine',
      'Service/coalmine',
      'Service/coalmine-redis',
      'ServiceMonitor/coalmine',
    ]);
  });

  it.each(manifests.map(({ file, m }) => [`${file}: ${m.kind}/${m.metadata.name}`, m] as const))(
    '%s is valid against the OpenAPI schema',
    (_, m) => {
      expect(() => validate(m)).not.toThrow();
    },
  );

  it.each([
    ['replicas as a string', (d: Manifest) => ((d.spec as { replicas: unknown }).replicas = '3')],
    [
      'a containerPort that is not a number',
      (d: Manifest) => {
        const c = (d.spec as { template: { spec: PodSpec } }).template.spec.containers[0]!;
        c.ports![0]!.containerPort = 'http' as never;
      },
    ],
  ])('the schema check catches %s', (_, spoil) => {
    const d = structuredClone(find('Deployment'));
    spoil(d);
    expect(() => validate(d)).toThrow();
  });

  // Unknown keys, which the compiled validators let through: checked against the schema's
  // TypeScript interfaces (test/helpers/typed-manifests.ts). One program for all, then spoilt.
  const named = (list: readonly { file: string; m: Manifest }[]) =>
    list.map(({ file, m }) => ({ name: `${file}: ${m.kind}/${m.metadata.name}`, manifest: m }));

  it('has no field the schema does not know, at any depth', () => {
    expect(typeCheckManifests(repoRoot, named(manifests))).toEqual([]);
  }, 30_000);

  it('the unknown-field check catches a misspelt field, deep or at the top', () => {
    const deep = structuredClone(find('Deployment'));
    const c = (deep.spec as { template: { spec: PodSpec } }).template.spec.containers[0]!;
    (c as unknown as Record<string, unknown>)['readinessprobe'] = c.readinessProbe;
    const top = structuredClone(find('Service'));
    (top as Record<string, unknown>)['specs'] = {};
    const problems = typeCheckManifests(
      repoRoot,
      named([
        { file: 'deep.yaml', m: deep },
        { file: 'top.yaml', m: top },
      ]),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^deep\.yaml: Deployment\/coalmine: .*readinessprobe.* 'IContainer'/),
      expect.stringMatching(/^top\.yaml: Service\/coalmine: .*specs.* 'IService'/),
    ]);
  }, 30_000);

  const pod = find('Deployment').spec as { replicas: number; template: { spec: PodSpec } };
  const container = pod.template.spec.containers[0]!;

  it('runs 3 replicas, non-root, with a read-only root file system and resources', () => {
    expect(pod.replicas).toBe(3);
    expect(pod.template.spec.securityContext?.runAsNonRoot).toBe(true);
    expect(pod.template.spec.securityContext?.runAsUser).not.toBe(0);
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
    expect(container.resources?.requests).toHaveProperty('cpu');
    expect(container.resources?.requests).toHaveProperty('memory');
    expect(container.resources?.limits).toHaveProperty('memory');
  });

  it('probes /healthz and /readyz on the admin port, which the Service and ServiceMonitor use', () => {
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'admin' });
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'admin' });
    expect(container.ports).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'http', containerPort: 8790 }),
        expect.objectContaining({ name: 'admin', containerPort: 8791 }),
      ]),
    );
    const svcPorts = (find('Service').spec as { ports: { name: string }[] }).ports;
    expect(svcPorts.map((p) => p.name).sort()).toEqual(['admin', 'http']);
    const endpoints = (find('ServiceMonitor').spec as { endpoints: unknown[] }).endpoints;
    expect(endpoints).toEqual([expect.objectContaining({ port: 'admin', path: '/metrics' })]);
  });

  it('keeps the PDB below the replica count', () => {
    expect(
      (find('PodDisruptionBudget').spec as { minAvailable: number }).minAvailable,
    ).toBeLessThan(pod.replicas);
  });

  it('keeps the PrometheusRule identical to deploy/prometheus/coalmine.rules.yml', () => {
    const rule = find('PrometheusRule') as Manifest & { spec: { groups: unknown } };
    expect(rule.spec.groups).toEqual((parse(rulesText) as { groups: unknown }).groups);
    const generated = prometheusRule(rulesText);
    expect(rule).toEqual(generated);
  });

  it('the image runs as a non-root user', () => {
    const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
  });

  it('the ConfigMap holds a valid coalmine.yaml whose policies load', () => {
    const data = (
      find('ConfigMap', 'coalmine-config') as Manifest & { data: Record<string, string> }
    ).data;
    // Lay the ConfigMap out as the pod sees it (the volume's items).
    const volumes = (
      pod.template.spec as PodSpec & {
        volumes: { configMap?: { items: { key: string; path: string }[] } }[];
      }
    ).volumes;
    const items = volumes.flatMap((v) => v.configMap?.items ?? []);
    expect(items.map((i) => i.key).sort()).toEqual(Object.keys(data).sort());
    const root = mkdtempSync(join(tmpdir(), 'coalmine-k8s-'));
    for (const { key, path } of items) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), data[key]!);
    }
    const { config, baseDir } = loadConfig({
      cwd: root,
      env: { COALMINE_ADMIN_TOKEN: 'x'.repeat(32) },
      configFile: join(root, 'coalmine.yaml'),
      schema: { providers: ['openai', 'openai-compatible', 'anthropic', 'ollama'] },
    });
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 8790 });
    expect(config.admin.listen).toEqual({ host: '0.0.0.0', port: 8791 });
    // The image ships policies/ at /app/policies: read the repository's copy instead.
    const repo = fileURLToPath(new URL('../../', import.meta.url));
    const patterns = (config.policies ?? []).map((p) =>
      p.startsWith('/app/') ? join(repo, p.slice('/app/'.length)) : p,
    );
    const r = loadPolicySet({ patterns, baseDir, upstreams: config.upstreams.map((u) => u.name) });
    expect(r.ok ? [] : r.issues).toEqual([]);
    expect(r.ok && r.set.policies.map((p) => p.name).sort()).toEqual(['default', 'site']);
  });
});
