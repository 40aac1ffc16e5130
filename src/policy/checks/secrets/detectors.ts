/**
 * Every credential detector, family by family (one file each: the formats, with the
 * providers' documentation linked per detector). Each names the provider, the lower-case
 * keywords every match contains (a cheap pre-filter, and the trigger prefixes for streaming
 * hold-back), a linear-time pattern (group `s` marks the secret when the match has context
 * around it), and optional validation (checksums, decodable payloads). gitleaks' and
 * detect-secrets' test cases and the held-out set in test/fixtures/secrets/ measure them
 * (docs/detection.md).
 */
import { ai } from './ai.js';
import { cloud } from './cloud.js';
import { connection } from './connection.js';
import type { Detector } from './detector.js';
import { devops } from './devops.js';
import { generic } from './generic.js';
import { hosting } from './hosting.js';
import { keys } from './keys.js';
import { messaging } from './messaging.js';
import { observability } from './observability.js';
import { payments } from './payments.js';
import { registries } from './registries.js';
import { saas } from './saas.js';
import { social } from './social.js';
import { vcs } from './vcs.js';
import { webhooks } from './webhooks.js';

export type { Detector, Family } from './detector.js';
export { entropyOk, TOKEN_END } from './detector.js';

export const detectors: readonly Detector[] = [
  ...cloud,
  ...hosting,
  ...devops,
  ...vcs,
  ...registries,
  ...ai,
  ...payments,
  ...messaging,
  ...webhooks,
  ...saas,
  ...observability,
  ...social,
  ...keys,
  ...connection,
  ...generic,
];
