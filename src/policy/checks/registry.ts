/** The one registry of checks. The policy schema, its JSON Schema and the docs derive from it. */
import { containsCheck } from './contains.js';
import { regexCheck } from './regex.js';
import type { CheckDefinition } from './types.js';

export const checks: readonly CheckDefinition[] = [regexCheck, containsCheck];

export function getCheck(id: string): CheckDefinition | undefined {
  return checks.find((c) => c.id === id);
}
