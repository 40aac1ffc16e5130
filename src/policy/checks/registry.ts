/** The one registry of checks. The policy schema, its JSON Schema and the docs derive from it. */
import { confusableHostsCheck } from './confusable-hosts.js';
import { containsCheck } from './contains.js';
import { embeddingsCheck } from './embeddings.js';
import { finishReasonCheck } from './finish-reason.js';
import { invisibleUnicodeCheck } from './invisible-unicode.js';
import { jsonSchemaCheck } from './json-schema.js';
import { lengthCheck } from './length.js';
import { refusalCheck } from './refusal.js';
import { repetitionCheck } from './repetition.js';
import { systemPromptLeakCheck } from './system-prompt-leak.js';
import { toolCallsCheck } from './tool-calls.js';
import { markdownExfiltrationCheck } from './markdown-exfiltration.js';
import { piiCheck } from './pii.js';
import { secretsCheck } from './secrets.js';
import { urlsCheck } from './urls.js';
import { regexCheck } from './regex.js';
import type { CheckDefinition } from './types.js';

export const checks: readonly CheckDefinition[] = [
  regexCheck,
  containsCheck,
  secretsCheck,
  piiCheck,
  urlsCheck,
  markdownExfiltrationCheck,
  confusableHostsCheck,
  invisibleUnicodeCheck,
  jsonSchemaCheck,
  toolCallsCheck,
  refusalCheck,
  systemPromptLeakCheck,
  lengthCheck,
  repetitionCheck,
  finishReasonCheck,
  embeddingsCheck,
];

export function getCheck(id: string): CheckDefinition | undefined {
  return checks.find((c) => c.id === id);
}
