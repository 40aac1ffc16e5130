/**
 * Monitoring, logging and incident tools: Sentry, Grafana, New Relic, Datadog, Dynatrace,
 * Sumo Logic, PagerDuty, Rollbar, Bugsnag, Honeycomb, Splunk. Formats from the providers'
 * documentation (linked per detector).
 */
import { b64Json } from './checksums.js';
import type { Detector } from './detector.js';
import { LINE_END } from './detector.js';
import { mixed, near } from './shapes.js';

const family = 'observability';
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

export const observability: readonly Detector[] = [
  // https://docs.sentry.io/account/auth-tokens/: organization tokens `sntrys_` + base64 JSON
  // (`{"iat":…}`) + `_` + 43; user tokens `sntryu_` + 64 hex; older 64 hex by name.
  {
    id: 'sentry-org-token',
    provider: 'Sentry',
    family,
    keywords: ['sntrys_eyj'],
    maxSpan: 700,
    re: /\bsntrys_eyJ[A-Za-z0-9+/]{10,600}={0,2}_[A-Za-z0-9+/]{43}(?![A-Za-z0-9+/=])/g,
    validate: (s) => b64Json(s.slice(7, s.lastIndexOf('_'))),
  },
  {
    id: 'sentry-user-token',
    provider: 'Sentry',
    family,
    keywords: ['sntryu_'],
    re: /\bsntryu_[a-f0-9]{64}\b/g,
    prefix: 7,
    minEntropy: 3,
  },
  near({
    id: 'sentry-legacy-token',
    provider: 'Sentry',
    family,
    names: ['sentry'],
    value: '[a-f0-9]{64}',
    maxValue: 64,
    minEntropy: 3,
  }),
  // https://grafana.com/docs/grafana/latest/administration/service-accounts/: service-account
  // tokens `glsa_` + 32 + `_` + 8 hex; Grafana Cloud tokens `glc_` + base64; legacy API keys
  // base64 JSON `eyJrIjoi…`.
  {
    id: 'grafana-token',
    provider: 'Grafana',
    family,
    keywords: ['glc_', 'glsa_', 'eyjrijoi'],
    maxSpan: 500,
    re: /\b(?:glc_[A-Za-z0-9+/]{32,400}={0,3}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|eyJrIjoi[A-Za-z0-9]{70,400}={0,3})(?![A-Za-z0-9+/=_])/g,
    minEntropy: 3.5,
  },
  // https://docs.newrelic.com/docs/apis/intro-apis/new-relic-api-keys/: user keys `NRAK-` + 27,
  // insert keys `NRII-` + 32, browser keys `NRJS-` + 19 hex, license keys 36 hex + `NRAL`.
  {
    id: 'newrelic-key',
    provider: 'New Relic',
    family,
    keywords: ['nrak-', 'nrii-', 'nrjs-', 'nral'],
    // A license key ends with `NRAL`: streamed, it is held from a name before it.
    streamKeywords: [
      'nrak-',
      'nrii-',
      'nrjs-',
      'newrelic',
      'new_relic',
      'new relic',
      'new-relic',
      'license',
    ],
    maxSpan: 200,
    settle: LINE_END,
    re: /\b(?:NRAK-[A-Z0-9]{27}|NRII-[A-Za-z0-9-]{32}|NRJS-[a-f0-9]{19}|[a-f0-9]{36}NRAL)(?![\w-])/g,
    minEntropy: 3,
  },
  // https://docs.datadoghq.com/account_management/api-app-keys/: API keys 32 hex, application
  // keys 40 hex, by name.
  near({
    id: 'datadog-api-key',
    provider: 'Datadog',
    family,
    names: [
      'datadog',
      'dd_api_key',
      'dd_app_key',
      'dd_application_key',
      'dd-api-key',
      'dd-application-key',
    ],
    value: '(?:[a-f0-9]{40}|[a-f0-9]{32})',
    maxValue: 40,
    minEntropy: 3,
  }),
  // https://docs.dynatrace.com/docs/manage/identity-access-management/access-tokens-and-oauth-clients/access-tokens:
  // `dt0c01.` + 24 + `.` + 64 (and `dt0s01.`… platform tokens).
  {
    id: 'dynatrace-token',
    provider: 'Dynatrace',
    family,
    keywords: ['dt0'],
    re: /\bdt0[a-z]\d{2}\.[A-Z0-9]{24}\.[A-Z0-9]{64}\b/g,
    minEntropy: 4,
  },
  // https://help.sumologic.com/docs/manage/security/access-keys/: access ids `su` + 12,
  // access keys 64, by the name Sumo (as written: `sumOfValues` is not it).
  near({
    id: 'sumologic-access-key',
    provider: 'Sumo Logic',
    family,
    names: ['sumo', 'Sumo', 'SUMO'],
    cased: true,
    value: '(?:su[A-Za-z0-9]{12}|[A-Za-z0-9]{64})',
    maxValue: 64,
    minEntropy: 3,
    validate: mixed,
    anyName: true,
  }),
  // https://support.pagerduty.com/main/docs/api-access-keys: REST API keys, 20 characters
  // (user keys `u+` + 18), by name.
  near({
    id: 'pagerduty-api-key',
    provider: 'PagerDuty',
    family,
    names: ['pagerduty', 'pager_duty'],
    value: '(?:u\\+[A-Za-z0-9_+-]{18}|[A-Za-z0-9_+-]{20})',
    maxValue: 20,
    minEntropy: 3.5,
  }),
  // https://docs.rollbar.com/docs/access-tokens: 32 hex, by name.
  near({
    id: 'rollbar-token',
    provider: 'Rollbar',
    family,
    names: ['rollbar'],
    value: '[a-f0-9]{32}',
    maxValue: 32,
    minEntropy: 3,
  }),
  // https://docs.bugsnag.com/api/data-access/#authentication: 32 hex (and UUID auth tokens), by name.
  near({
    id: 'bugsnag-api-key',
    provider: 'Bugsnag',
    family,
    names: ['bugsnag'],
    value: `(?:${UUID}|[a-f0-9]{32})`,
    maxValue: 36,
    minEntropy: 3,
  }),
  // https://docs.honeycomb.io/get-started/configure/environments/manage-api-keys/: ingest keys
  // `hc[a-z]ik_…`, configuration keys 22, classic keys 32 hex, by name.
  near({
    id: 'honeycomb-api-key',
    provider: 'Honeycomb',
    family,
    names: ['honeycomb'],
    value: '(?:hc[a-z]{2,3}_[A-Za-z0-9]{20,64}|[a-f0-9]{32}|[A-Za-z0-9]{22})',
    maxValue: 70,
    minEntropy: 3.2,
    validate: mixed,
  }),
  // https://docs.splunk.com/Documentation/Splunk/latest/Data/UsetheHTTPEventCollector: HEC
  // tokens, UUIDs, by name.
  near({
    id: 'splunk-hec-token',
    provider: 'Splunk',
    family,
    names: ['splunk'],
    value: UUID,
    maxValue: 36,
  }),
];
