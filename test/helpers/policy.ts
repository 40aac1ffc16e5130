import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Check } from '../../src/policy/checks/types.js';
import type { CompiledPolicy, PolicySet } from '../../src/policy/compiled.js';
import { loadPolicySet } from '../../src/policy/loader.js';

/** Writes files into a fresh temp directory; returns the directory. */
export function tempFiles(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'coalmine-pol-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Loads a policy set from YAML texts; throws with the issues if invalid. */
export function policySetFrom(files: Record<string, string>, upstreams?: string[]): PolicySet {
  const dir = tempFiles(files);
  const r = loadPolicySet({ patterns: Object.keys(files), baseDir: dir, upstreams });
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.line}:${i.col} ${i.message}`).join('\n'));
  return r.set;
}

/** A hand-built policy around arbitrary check instances (for engine edge cases). */
export function handPolicy(
  p: Omit<Partial<CompiledPolicy>, 'rules'> & {
    rules: { id: string; action: 'block' | 'redact' | 'flag'; instance: Check }[];
  },
): PolicySet {
  const policy: CompiledPolicy = {
    name: p.name ?? 'hand',
    file: 'hand.yaml',
    description: undefined,
    upstreams: p.upstreams,
    models: p.models,
    mode: p.mode ?? 'enforce',
    onError: p.onError ?? 'open',
    rules: p.rules.map((r) => ({ ...r, check: 'hand', severity: 'high' as const })),
  };
  return { version: 'v-hand', policies: [policy], files: [], loadedAt: new Date() };
}

/** The shipped default pack (policies/default.yaml), as text and as a policy set. */
export const DEFAULT_PACK_YAML = readFileSync(
  new URL('../../policies/default.yaml', import.meta.url),
  'utf8',
);
export const defaultPackSet = (): PolicySet => policySetFrom({ 'default.yaml': DEFAULT_PACK_YAML });
