/**
 * `secrets` measured on gitleaks' literal rule samples and detect-secrets' plugin cases, for
 * the providers the check covers (a sample counts as flagged when a detector mapped to its
 * source rule finds something in it), and on the held-out set of test/fixtures/secrets/
 * (recall per service family, false positives per kind of negative).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { detectors } from '../../src/policy/checks/secrets/detectors.js';
import { findSecrets } from '../../src/policy/checks/secrets.js';
import { realPassword } from '../../src/policy/checks/secrets/connection.js';
import { isPlaceholder } from '../../src/policy/checks/secrets/placeholder.js';
import type { Stats } from './corpora.js';
import { jsonl, stats, tally } from './corpora.js';

/** gitleaks rule ids (regexes, first match wins) → the detectors that cover them. */
const GITLEAKS: [RegExp, string[]][] = [
  [/^aws-access-token$/, ['aws-access-key-id']],
  [/^aws-amazon-bedrock/, ['aws-bedrock-api-key']],
  [/^github-/, ['github-token']],
  [/^gitlab-session-cookie$/, ['gitlab-session-cookie']],
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
  [/^1password-secret-key$/, ['1password-secret-key']],
  [/^1password-service-account-token$/, ['1password-service-account-token']],
  [/^adobe-client-secret$/, ['adobe-client-secret']],
  [/^age-secret-key$/, ['age-secret-key']],
  [/^airtable-api-key$/, ['airtable-api-key']],
  [/^airtable-personnal-access-token$/, ['airtable-pat']],
  [/^algolia-/, ['algolia-api-key']],
  [/^alibaba-access-key-id$/, ['alibaba-access-key-id']],
  [/^alibaba-secret-key$/, ['alibaba-access-key-secret']],
  [/^artifactory-/, ['jfrog-artifactory-token']],
  [/^asana-/, ['asana-token']],
  [/^atlassian-/, ['atlassian-api-token', 'atlassian-legacy-token']],
  [/^beamer-/, ['beamer-api-key']],
  [/^bitbucket-/, ['bitbucket-client-secret', 'bitbucket-app-password']],
  [/^bittrex-/, ['bittrex-api-secret']],
  [/^clickhouse-/, ['clickhouse-cloud-secret']],
  [/^clojars-/, ['clojars-token']],
  [/^cloudflare-origin-ca-key$/, ['cloudflare-origin-ca-key']],
  [/^cloudflare-/, ['cloudflare-api-token']],
  [/^codecov-/, ['codecov-token']],
  [/^cohere-/, ['cohere-api-key']],
  [/^coinbase-/, ['coinbase-api-secret']],
  [/^confluent-/, ['confluent-api-secret']],
  [/^contentful-/, ['contentful-delivery-token']],
  [/^curl-auth-header$/, ['http-auth-header', 'generic-secret']],
  [/^curl-auth-user$/, ['curl-basic-auth']],
  [/^databricks-/, ['databricks-token']],
  [/^datadog-/, ['datadog-api-key']],
  [/^defined-networking-/, ['defined-networking-api-key']],
  [/^digitalocean-/, ['digitalocean-token']],
  [/^doppler-/, ['doppler-token']],
  [/^droneci-/, ['drone-token']],
  [/^dropbox-/, ['dropbox-token', 'dropbox-long-lived-token']],
  [/^duffel-/, ['duffel-api-token']],
  [/^dynatrace-/, ['dynatrace-token']],
  [/^easypost-/, ['easypost-api-key']],
  [/^etsy-/, ['etsy-api-key']],
  [/^facebook-page-access-token$/, ['facebook-access-token']],
  [/^facebook-access-token$/, ['facebook-app-token']],
  [/^facebook-/, ['facebook-app-secret']],
  [/^fastly-/, ['fastly-api-token']],
  [/^finicity-/, ['finicity-secret']],
  [/^finnhub-/, ['finnhub-api-key']],
  [/^flickr-/, ['flickr-api-key']],
  [/^flutterwave-(?:secret|encryption)/, ['flutterwave-secret-key']],
  [/^flyio-/, ['flyio-token']],
  [/^frameio-/, ['frameio-token']],
  [/^freshbooks-/, ['freshbooks-token']],
  [/^gitter-/, ['gitter-token']],
  [/^gocardless-/, ['gocardless-token']],
  [/^grafana-/, ['grafana-token']],
  [/^harness-/, ['harness-token']],
  [/^hashicorp-tf-api-token$/, ['terraform-cloud-token']],
  [/^hashicorp-tf-password$/, ['generic-secret']],
  [/^heroku-api-key-v2$/, ['heroku-api-key']],
  [/^heroku-api-key$/, ['heroku-legacy-api-key']],
  [/^hubspot-/, ['hubspot-legacy-api-key', 'hubspot-token']],
  [/^infracost-/, ['infracost-api-key']],
  [/^intercom-/, ['intercom-token']],
  [/^intra42-/, ['intra42-client-secret']],
  [/^jfrog-/, ['jfrog-identity-token']],
  [/^kraken-/, ['kraken-api-secret']],
  [/^kucoin-/, ['kucoin-api-secret']],
  [/^launchdarkly-/, ['launchdarkly-token']],
  [/^linear-api-key$/, ['linear-api-key']],
  [/^linkedin-/, ['linkedin-client-secret']],
  [/^lob-api-key$/, ['lob-api-key']],
  [/^looker-/, ['looker-client-secret']],
  [/^mailchimp-/, ['mailchimp-api-key']],
  [/^mailgun-(?:private|signing)/, ['mailgun-api-key']],
  [/^maxmind-/, ['maxmind-license-key']],
  [/^messagebird-api-token$/, ['messagebird-api-key']],
  [/^microsoft-teams-webhook$/, ['teams-webhook']],
  [/^netlify-/, ['netlify-legacy-token', 'netlify-token']],
  [/^new-relic-(?:user-api-key|insert-key|browser-api-token)$/, ['newrelic-key']],
  [/^notion-/, ['notion-token']],
  [/^nuget-config-password$/, ['generic-secret']],
  [/^nytimes-/, ['nytimes-api-key']],
  [/^octopus-/, ['octopus-deploy-api-key']],
  [/^okta-/, ['okta-api-token']],
  [/^openshift-/, ['openshift-token']],
  [/^perplexity-/, ['perplexity-api-key']],
  [/^plaid-api-token$/, ['plaid-access-token']],
  [/^plaid-/, ['plaid-secret']],
  [/^planetscale-/, ['planetscale-token']],
  [/^postman-/, ['postman-api-key']],
  [/^prefect-/, ['prefect-api-key']],
  [/^pulumi-/, ['pulumi-token']],
  [/^rapidapi-/, ['rapidapi-key']],
  [/^readme-/, ['readme-api-key']],
  [/^rubygems-/, ['rubygems-api-key']],
  [/^scalingo-/, ['scalingo-token']],
  [/^sendbird-/, ['sendbird-token']],
  [/^sendinblue-/, ['brevo-api-key']],
  [/^sentry-org-token$/, ['sentry-org-token']],
  [/^sentry-user-token$/, ['sentry-user-token']],
  [/^sentry-/, ['sentry-legacy-token']],
  [/^settlemint-/, ['settlemint-token']],
  [/^shippo-/, ['shippo-api-token']],
  [/^shopify-/, ['shopify-token']],
  [/^sidekiq-secret$/, ['sidekiq-credentials']],
  [/^sidekiq-sensitive-url$/, ['url-password']],
  [/^snyk-/, ['snyk-token']],
  [/^sonar-/, ['sonarqube-token', 'sonarqube-legacy-token']],
  [/^sourcegraph-/, ['sourcegraph-token', 'sourcegraph-legacy-token']],
  [/^square-/, ['square-token']],
  [/^squarespace-/, ['squarespace-api-key']],
  [/^sumologic-/, ['sumologic-access-key']],
  [/^telegram-/, ['telegram-bot-token']],
  [/^travisci-/, ['travisci-token']],
  [/^twitch-/, ['twitch-token']],
  [/^twitter-bearer-token$/, ['twitter-bearer-token']],
  [/^twitter-/, ['twitter-api-key']],
  [/^typeform-/, ['typeform-token']],
  [/^vault-/, ['vault-token', 'vault-legacy-token']],
  [/^yandex-/, ['yandex-cloud-token']],
  [/^zendesk-/, ['zendesk-api-token']],
];

const DETECT_SECRETS: Record<string, string[]> = {
  aws_key: ['aws-access-key-id', 'aws-secret-access-key'],
  github_token: ['github-token'],
  gitlab_token: ['gitlab-token'],
  stripe_key: ['stripe-key'],
  openai: ['openai-key'],
  npm: ['npm-token'],
  pypi_token: ['pypi-token'],
  twilio: ['twilio-api-key', 'twilio-account-sid'],
  sendgrid: ['sendgrid-api-key'],
  jwt: ['jwt'],
  azure_storage_key: ['azure-storage-key'],
  artifactory: ['jfrog-artifactory-token'],
  basic_auth: ['url-password'],
  cloudant: ['ibm-cloudant-password', 'url-password'],
  ibm_cloud_iam: ['ibm-cloud-iam-key'],
  ibm_cos_hmac: ['ibm-cos-hmac-secret'],
  mailchimp_key: ['mailchimp-api-key'],
  softlayer: ['softlayer-api-key'],
  telegram_token: ['telegram-bot-token'],
};

/**
 * A labelled positive whose candidate value is a placeholder by this project's rule (`xxxx`,
 * `EXAMPLE`, a URL's `user:password@`).
 */
function placeholderLabel(text: string): boolean {
  const tokens = text.match(/[A-Za-z0-9_\-./+~]{12,}/g) ?? [];
  const url = /:\/\/([^\s:@/]*):([^\s@/]+)@/.exec(text);
  return tokens.some((t) => isPlaceholder(t)) || (url !== null && !realPassword(url[2]!, url[1]));
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

export interface SecretsEvaluation {
  byDetector: Stats[];
  bySource: Stats[];
  /** The held-out set: recall per service family (its positives). */
  byFamily: Stats[];
  /** The held-out set: negatives flagged, per kind (code, hash, uuid, git-sha, …). */
  byNegative: Stats[];
}

export function evalSecrets(): SecretsEvaluation {
  const by = new Map(detectors.map((d) => [d.id, stats(d.id)]));
  const sources = {
    gitleaks: stats('gitleaks rule samples'),
    ds: stats('detect-secrets plugin cases'),
  };
  const run = (ids: string[], text: string, expected: boolean, source: Stats) => {
    const active = detectors.filter((d) => ids.includes(d.id));
    if (active.length !== ids.length) throw new Error(`unknown detector in ${ids.join(', ')}`);
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
  const { byFamily, byNegative } = evalHeldOut();
  return {
    byDetector: [...by.values()].filter((s) => s.tp + s.fn + s.fp + s.tn + s.disagreements > 0),
    bySource: [sources.gitleaks, sources.ds],
    byFamily,
    byNegative,
  };
}

const HELD_OUT = fileURLToPath(new URL('../fixtures/secrets/heldout.jsonl', import.meta.url));

interface HeldOutRow {
  text: string;
  label: 'secret' | 'none';
  family: string;
  kind?: string;
  secret?: string;
}

/**
 * The whole check (every detector) on test/fixtures/secrets/heldout.jsonl: a positive counts
 * when a finding overlaps its credential; a negative is flagged when anything is found.
 */
function evalHeldOut(): { byFamily: Stats[]; byNegative: Stats[] } {
  const families = new Map<string, Stats>();
  const kinds = new Map<string, Stats>();
  const rows = readFileSync(HELD_OUT, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as HeldOutRow);
  for (const r of rows) {
    const found = findSecrets(r.text, detectors, new Set());
    if (r.label === 'secret') {
      const at = r.text.indexOf(r.secret!);
      const end = at + r.secret!.length;
      const s = families.get(r.family) ?? stats(r.family);
      families.set(r.family, s);
      tally(s, true, at >= 0 && found.some((f) => f.start < end && f.end > at), r.text);
    } else {
      const s = kinds.get(r.kind!) ?? stats(r.kind!);
      kinds.set(r.kind!, s);
      tally(s, false, found.length > 0, r.text);
    }
  }
  return { byFamily: [...families.values()], byNegative: [...kinds.values()] };
}
