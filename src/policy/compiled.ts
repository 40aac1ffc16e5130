/** A loaded, validated policy set, ready to evaluate. Immutable once built. */
import type { PolicyMode, Severity } from '../model/verdict.js';
import type { Check } from './checks/types.js';

export interface CompiledRule {
  id: string;
  check: string;
  action: 'block' | 'redact' | 'flag';
  severity: Severity;
  instance: Check;
  /** False when the rule opted out of the model's reasoning text (`reasoning: false`). */
  reasoning?: boolean | undefined;
}

export interface CompiledPolicy {
  name: string;
  file: string;
  description: string | undefined;
  upstreams: ReadonlySet<string> | undefined;
  models: readonly RegExp[] | undefined;
  mode: PolicyMode;
  onError: 'open' | 'closed';
  rules: readonly CompiledRule[];
}

export interface PolicySet {
  /** Content hash of the loaded files (12 hex digits); `none` when no policy is loaded. */
  version: string;
  policies: readonly CompiledPolicy[];
  files: readonly string[];
  loadedAt: Date;
}

export const EMPTY_SET: PolicySet = {
  version: 'none',
  policies: [],
  files: [],
  loadedAt: new Date(0),
};
