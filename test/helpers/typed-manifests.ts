/**
 * Unknown fields in Kubernetes manifests: the compiled OpenAPI validators of kubernetes-models
 * accept any extra key (a misspelt `readinessprobe` passes them, and the probe silently does not
 * exist). The same package ships the schema as TypeScript interfaces; each manifest, written as
 * an object literal of its kind's interface, is type-checked, and TypeScript's excess-property
 * check names every key the schema does not have, at any depth.
 */
import { join } from 'node:path';
import ts from 'typescript';

/** `apiVersion kind` → the module and interface of its schema. */
export const KIND_TYPES: Record<string, { module: string; type: string }> = {
  'apps/v1 Deployment': { module: 'kubernetes-models/apps/v1/Deployment', type: 'IDeployment' },
  'v1 Service': { module: 'kubernetes-models/v1/Service', type: 'IService' },
  'v1 ConfigMap': { module: 'kubernetes-models/v1/ConfigMap', type: 'IConfigMap' },
  'policy/v1 PodDisruptionBudget': {
    module: 'kubernetes-models/policy/v1/PodDisruptionBudget',
    type: 'IPodDisruptionBudget',
  },
  'monitoring.coreos.com/v1 ServiceMonitor': {
    module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor',
    type: 'IServiceMonitor',
  },
  'monitoring.coreos.com/v1 PrometheusRule': {
    module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule',
    type: 'IPrometheusRule',
  },
};

export interface Named {
  name: string;
  manifest: { apiVersion: string; kind: string };
}

/**
 * Type-checks every manifest against its kind's interface; returns one message per problem,
 * prefixed with the manifest's name (empty: every key is known and every value has its type).
 */
export function typeCheckManifests(repoRoot: string, manifests: readonly Named[]): string[] {
  const file = join(repoRoot, 'test', '__typed_manifests__.ts');
  const lines: string[] = [];
  const names: string[] = [];
  manifests.forEach(({ name, manifest }, i) => {
    const t = KIND_TYPES[`${manifest.apiVersion} ${manifest.kind}`];
    if (!t) throw new Error(`${name}: no schema for ${manifest.apiVersion} ${manifest.kind}`);
    lines.push(`import type { ${t.type} as T${i} } from '${t.module}';`);
    lines.push(`export const m${i}: T${i} = ${JSON.stringify(manifest)};`);
    names.push(name);
  });
  // One statement per line: a diagnostic's line names its manifest.
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    name === file ? ts.createSourceFile(name, source, version) : read(name, version, ...rest);
  const exists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || exists(name);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    if (d.file?.fileName !== file || d.start === undefined) return text;
    const line = d.file.getLineAndCharacterOfPosition(d.start).line;
    return `${names[Math.floor(line / 2)] ?? '?'}: ${text}`;
  });
}
