/**
 * `secrets` measured on gitleaks' literal rule samples and detect-secrets' plugin cases, for
 * the providers the check covers. A sample counts as flagged when a detector mapped to its
 * source rule finds something in it.
 */
import { detectors } from '../../src/policy/checks/secrets/detectors.js';
import { findSecrets } from '../../src/policy/checks/secrets.js';
import { isPlaceholder } from '../../src/policy/checks/secrets/placeholder.js';
import type { Stats } from './corpora.js';
import { jsonl, stats, tally } from './corpora.js';

const GITLEAKS: [RegExp, string[]][] = [
  [/^aws-access-token$/, ['aws-access-key-id']],
  [/^aws-amazon-bedrock/, ['aws-bedrock-api-key']],
  [/^github-/, ['github-token']],
  [/^gitlab-/, ['gitlab-token']],
  [/^slack-webhook-url$/, ['slack-webhook']],
  [/^slack-/, ['slack-token']],
  [/^stripe-/, ['stripe-key']],
  [/^openai-/, ['openai-key']],
  [/^anthropic-api-key$/, ['anthropic-api-key']],
  [/^anthropic-admin-api-key$/, ['anthropic-admin-key']],
  [/^gcp-api-key$/, ['google-api-key']],
  [/^gcp-service-account$/, ['gcp-service-account']],
  [/^azure-ad-client-secret$/, ['azure-ad-client-secret']],
  [/^npm-/, ['npm-token']],
  [/^pypi-/, ['pypi-token']],
  [/^twilio-/, ['twilio-api-key']],
  [/^sendgrid-/, ['sendgrid-api-key']],
  [/^huggingface-/, ['huggingface-token']],
  [/^private-key$/, ['private-key']],
  [/^jwt$/, ['jwt']],
  [/^generic-api-key$/, ['generic-secret']],
];

const DETECT_SECRETS: Record<string, string[]> = {
  aws_key: ['aws-access-key-id', 'aws-secret-access-key'],
  github_token: ['github-token'],
  gitlab_token: ['gitlab-token'],
  stripe_key: ['stripe-key'],
  openai: ['openai-key'],
  npm: ['npm-token'],
  pypi_token: ['pypi-token'],
  twilio: ['twilio-api-key'],
  sendgrid: ['sendgrid-api-key'],
  jwt: ['jwt'],
  azure_storage_key: ['azure-storage-key'],
};

/** A labelled positive whose every candidate value is a placeholder by this project's rule. */
function placeholderLabel(text: string): boolean {
  const tokens = text.match(/[A-Za-z0-9_\-./+~]{12,}/g) ?? [];
  return tokens.some((t) => isPlaceholder(t));
}

/**
 * gitleaks labels some well-formed keys negative only because it allow-lists those exact,
 * published keys; nothing in the text says so. Such negatives are reported as disagreements.
 */
const ALLOWLISTED = new Set(
  jsonl<{ allowlists?: { regexes?: string[] }[] }>('gitleaks-rules.jsonl').flatMap((r) =>
    (r.allowlists ?? []).flatMap((a) =>
      (a.regexes ?? []).filter((x) => /^[A-Za-z0-9_-]{16,}$/.test(x)),
    ),
  ),
);
const allowlisted = (text: string) => [...ALLOWLISTED].some((k) => text.includes(k));

export function evalSecrets(): { byDetector: Stats[]; bySource: Stats[] } {
  const by = new Map(detectors.map((d) => [d.id, stats(d.id)]));
  const sources = {
    gitleaks: stats('gitleaks rule samples'),
    ds: stats('detect-secrets plugin cases'),
  };
  const run = (ids: string[], text: string, expected: boolean, source: Stats) => {
    const active = detectors.filter((d) => ids.includes(d.id));
    const flagged = findSecrets(text, active, new Set()).length > 0;
    const s = by.get(ids[0]!)!;
    if (
      (expected && !flagged && placeholderLabel(text)) ||
      (!expected && flagged && allowlisted(text))
    ) {
      s.disagreements++;
      source.disagreements++;
      return;
    }
    tally(s, expected, flagged, text);
    tally(source, expected, flagged, text);
  };
  for (const r of jsonl<{ rule_id: string; label: string; text: string }>(
    'gitleaks-rule-samples.jsonl',
  )) {
    const ids = GITLEAKS.find(([re]) => re.test(r.rule_id))?.[1];
    if (ids) run(ids, r.text, r.label === 'true_positive', sources.gitleaks);
  }
  for (const r of jsonl<{ detector: string; should_flag: boolean; text: string }>(
    'detect-secrets-plugin-cases.jsonl',
  )) {
    const ids = DETECT_SECRETS[r.detector];
    if (ids) run(ids, r.text, r.should_flag, sources.ds);
  }
  return {
    byDetector: [...by.values()].filter((s) => s.tp + s.fn + s.fp + s.tn + s.disagreements > 0),
    bySource: [sources.gitleaks, sources.ds],
  };
}
