/**
 * Secrets managers, infrastructure-as-code and CI/CD: Doppler, HashiCorp Vault and Terraform
 * Cloud, Pulumi, 1Password, Infracost, Scalingo, Octopus Deploy, CircleCI, Travis CI,
 * Buildkite, Drone, Codecov, Snyk, SonarQube, Sourcegraph, Prefect, Jenkins, Harness,
 * Defined Networking, SettleMint, OpenShift. Formats from the providers' documentation.
 */
import type { Detector } from './detector.js';
import { LINE_END } from './detector.js';
import { mixed, near } from './shapes.js';

const family = 'devops';
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

export const devops: readonly Detector[] = [
  // https://docs.doppler.com/docs/token-formats: `dp.pt.` personal, `dp.st.[config.]` service,
  // `dp.ct.` CLI, `dp.sa.` service account, `dp.scim.`, `dp.audit.` + 40–44 alphanumerics.
  {
    id: 'doppler-token',
    provider: 'Doppler',
    family,
    keywords: ['dp.pt.', 'dp.st.', 'dp.ct.', 'dp.sa.', 'dp.scim.', 'dp.audit.'],
    re: /\bdp\.(?:pt|st|ct|sa|scim|audit)\.(?:[a-z0-9_-]{1,40}\.)?[A-Za-z0-9]{40,44}\b/g,
    minEntropy: 3.5,
  },
  // https://developer.hashicorp.com/vault/docs/concepts/tokens#token-prefixes: `hvs.` service,
  // `hvb.` batch, `hvr.` recovery (Vault ≥ 1.10).
  {
    id: 'vault-token',
    provider: 'HashiCorp Vault',
    family,
    keywords: ['hvs.', 'hvb.', 'hvr.'],
    maxSpan: 400,
    re: /\bhv[sbr]\.[A-Za-z0-9_-]{24,300}(?:\.[A-Za-z0-9]{5})?(?!\.*[\w-])/g,
    prefix: 4,
    minEntropy: 3.5,
  },
  // Before 1.10, service tokens were `s.` + 24: common text alone (`s.` ends every plural
  // sentence), so found by a Vault name or a token name before it.
  near({
    id: 'vault-legacy-token',
    provider: 'HashiCorp Vault',
    family,
    names: ['vault', 'token'],
    value: 's\\.[A-Za-z0-9]{24}',
    maxValue: 26,
    minEntropy: 3.5,
    anyName: true,
    // 24 random base62 characters: both cases and a digit.
    validate: (s) => /[a-z]/.test(s.slice(2)) && /[A-Z]/.test(s) && /\d/.test(s),
  }),
  // https://developer.hashicorp.com/terraform/cloud-docs/users-teams-organizations/api-tokens:
  // `<14>.atlasv1.<60–70>`.
  {
    id: 'terraform-cloud-token',
    provider: 'Terraform Cloud',
    family,
    keywords: ['.atlasv1.'],
    // The token id before `.atlasv1.` is not the secret; streamed, the whole token is held
    // from a name before it too.
    streamKeywords: [
      '.atlasv1.',
      'terraform',
      'atlas_token',
      'tfe_token',
      'tf_token',
      'tfc_token',
      'tf_api_token',
    ],
    maxSpan: 200,
    settle: LINE_END,
    re: /\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}(?![\w=-])/g,
    minEntropy: 3.5,
  },
  // https://www.pulumi.com/docs/pulumi-cloud/access-management/access-tokens/: `pul-` + 40 hex.
  {
    id: 'pulumi-token',
    provider: 'Pulumi',
    family,
    keywords: ['pul-'],
    re: /\bpul-[a-f0-9]{40}\b/g,
    prefix: 4,
    minEntropy: 3,
  },
  // https://developer.1password.com/docs/service-accounts/: tokens `ops_` + base64 JSON;
  // https://support.1password.com/secret-key/: account Secret Keys `A3-XXXXXX-…`.
  {
    id: '1password-service-account-token',
    provider: '1Password',
    family,
    keywords: ['ops_eyj'],
    maxSpan: 4200,
    re: /\bops_eyJ[A-Za-z0-9+/]{250,4096}={0,3}(?![A-Za-z0-9+/=])/g,
    prefix: 4,
    minEntropy: 4,
  },
  {
    id: '1password-secret-key',
    provider: '1Password',
    family,
    keywords: ['a3-'],
    re: /\bA3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}\b/g,
    prefix: 3,
    minEntropy: 3.5,
  },
  // https://www.infracost.io/docs/: API keys `ico-` + 32.
  {
    id: 'infracost-api-key',
    provider: 'Infracost',
    family,
    keywords: ['ico-'],
    re: /\bico-[A-Za-z0-9]{32}\b/g,
    prefix: 4,
    minEntropy: 3.5,
    // Base62, not a hex digest (`favicon.ico-7a388b…`).
    validate: (s) => !/^[a-f0-9]+$/.test(s.slice(4)),
  },
  // https://doc.scalingo.com/platform/cli/: API tokens `tk-us-` + 48.
  {
    id: 'scalingo-token',
    provider: 'Scalingo',
    family,
    keywords: ['tk-us-'],
    re: /\btk-us-[\w-]{48}(?![\w-])/g,
    prefix: 6,
    minEntropy: 3.5,
  },
  // https://octopus.com/docs/octopus-rest-api/how-to-create-an-api-key: `API-` + 26.
  {
    id: 'octopus-deploy-api-key',
    provider: 'Octopus Deploy',
    family,
    keywords: ['api-'],
    re: /\bAPI-[A-Z0-9]{26}\b/g,
    prefix: 4,
    minEntropy: 3.5,
  },
  // https://circleci.com/docs/managing-api-tokens/: personal tokens `CCIPAT_`, project tokens
  // `CCIPRJ_`; older ones 40 hex, by name.
  {
    id: 'circleci-token',
    provider: 'CircleCI',
    family,
    keywords: ['ccipat_', 'cciprj_'],
    re: /\bCCIP(?:AT|RJ)_[A-Za-z0-9_]{40,80}\b/g,
    prefix: 7,
    minEntropy: 3.5,
  },
  near({
    id: 'circleci-legacy-token',
    provider: 'CircleCI',
    family,
    names: ['circleci', 'circle_token', 'circle-token'],
    value: '[a-f0-9]{40}',
    maxValue: 40,
    minEntropy: 3,
  }),
  // https://docs.travis-ci.com/user/triggering-builds/: API tokens, 22 characters.
  near({
    id: 'travisci-token',
    provider: 'Travis CI',
    family,
    names: ['travis'],
    value: '[A-Za-z0-9_-]{22}',
    maxValue: 22,
    minEntropy: 3.5,
  }),
  // https://buildkite.com/docs/apis/managing-api-tokens: `bkua_` + 40 hex.
  {
    id: 'buildkite-token',
    provider: 'Buildkite',
    family,
    keywords: ['bkua_'],
    re: /\bbkua_[a-f0-9]{40}\b/g,
    prefix: 5,
    minEntropy: 3,
  },
  // https://docs.drone.io/cli/setup/: personal tokens, 32 characters.
  near({
    id: 'drone-token',
    provider: 'Drone CI',
    family,
    names: ['drone'],
    value: '[A-Za-z0-9]{32}',
    maxValue: 32,
    minEntropy: 3.5,
  }),
  // https://docs.codecov.com/docs/codecov-tokens: upload tokens, UUIDs (or 32 hex).
  near({
    id: 'codecov-token',
    provider: 'Codecov',
    family,
    names: ['codecov'],
    value: `(?:${UUID}|[a-f0-9]{32})`,
    maxValue: 36,
  }),
  // https://docs.snyk.io/snyk-api/authentication-for-api: API tokens, UUIDs.
  near({
    id: 'snyk-token',
    provider: 'Snyk',
    family,
    names: ['snyk'],
    value: UUID,
    maxValue: 36,
  }),
  // https://docs.sonarsource.com/sonarqube/latest/user-guide/user-account/generating-and-using-tokens/:
  // `squ_` user, `sqp_` project, `sqa_` global analysis + 40 hex; older 40 hex by name.
  {
    id: 'sonarqube-token',
    provider: 'SonarQube',
    family,
    keywords: ['squ_', 'sqp_', 'sqa_'],
    re: /\bsq[upa]_[a-f0-9]{40}\b/g,
    prefix: 4,
    minEntropy: 3,
  },
  near({
    id: 'sonarqube-legacy-token',
    provider: 'SonarQube',
    family,
    names: ['sonar'],
    value: '(?:sq[upa]_)?[A-Za-z0-9]{40}',
    maxValue: 44,
    minEntropy: 3,
    validate: mixed,
    // `sonar.login` is the token's own key name.
    anyName: true,
  }),
  // https://sourcegraph.com/docs/cli/how-tos/creating_an_access_token: `sgp_` [+ 16 hex
  // instance id or `local` + `_`] + 40 hex.
  {
    id: 'sourcegraph-token',
    provider: 'Sourcegraph',
    family,
    keywords: ['sgp_'],
    re: /\bsgp_(?:(?:[a-fA-F0-9]{16}|local)_)?[a-fA-F0-9]{40}\b/g,
    prefix: 4,
    minEntropy: 3,
  },
  near({
    id: 'sourcegraph-legacy-token',
    provider: 'Sourcegraph',
    family,
    names: ['sourcegraph', 'src_access_token'],
    value: '[a-fA-F0-9]{40}',
    maxValue: 40,
    minEntropy: 3,
    anyName: true,
  }),
  // https://docs.prefect.io/latest/cloud/users/api-keys/: `pnu_` + 36.
  {
    id: 'prefect-api-key',
    provider: 'Prefect',
    family,
    keywords: ['pnu_'],
    re: /\bpnu_[A-Za-z0-9]{36}\b/g,
    prefix: 4,
    minEntropy: 3.5,
  },
  // https://www.jenkins.io/doc/book/system-administration/authenticating-scripted-clients/:
  // API tokens, `11` + 32 hex.
  near({
    id: 'jenkins-api-token',
    provider: 'Jenkins',
    family,
    names: ['jenkins'],
    value: '11[a-f0-9]{32}',
    maxValue: 34,
    minEntropy: 3,
  }),
  // https://developer.harness.io/docs/platform/automation/api/add-and-manage-api-keys/:
  // `pat.`/`sat.` + account id (22) + `.` + token id (24) + `.` + secret (20).
  {
    id: 'harness-token',
    provider: 'Harness',
    family,
    keywords: ['pat.', 'sat.'],
    maxSpan: 80,
    re: /\b[ps]at\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}\b/g,
    prefix: 4,
    minEntropy: 3.5,
  },
  // https://docs.defined.net/guides/automating-host-creation/: API keys `dnkey-` + 26 + `-` + 52.
  {
    id: 'defined-networking-api-key',
    provider: 'Defined Networking',
    family,
    keywords: ['dnkey-'],
    re: /\bdnkey-[A-Za-z0-9=_-]{26}-[A-Za-z0-9=_-]{52}(?![\w=-])/g,
    prefix: 6,
    minEntropy: 3.5,
  },
  // https://console.settlemint.com/documentation: `sm_pat_`, `sm_aat_`, `sm_sat_` + 16.
  {
    id: 'settlemint-token',
    provider: 'SettleMint',
    family,
    keywords: ['sm_pat_', 'sm_aat_', 'sm_sat_'],
    re: /\bsm_[psa]at_[A-Za-z0-9]{16}\b/g,
    prefix: 7,
    minEntropy: 3,
  },
  // https://docs.openshift.com/container-platform/latest/authentication/: OAuth access
  // tokens `sha256~` + 43.
  {
    id: 'openshift-token',
    provider: 'OpenShift',
    family,
    keywords: ['sha256~'],
    re: /\bsha256~[\w-]{43}(?![\w-])/g,
    prefix: 7,
    minEntropy: 3.5,
  },
];
