/**
 * Source hosting and planning: GitHub, GitLab, Bitbucket, Atlassian (Jira, Confluence),
 * Azure DevOps. Formats from the providers' documentation (linked per detector).
 */
import type { Detector } from './detector.js';
import { LINE_END } from './detector.js';
import { mixed, near } from './shapes.js';

const family = 'vcs';

/** GitLab token prefixes and the body lengths their formats allow (non-routable). */
const GITLAB: Record<string, [number, number]> = {
  'glpat-': [20, 20],
  'gldt-': [20, 64],
  'glcbt-': [20, 64],
  'glimt-': [25, 25],
  'glptt-': [40, 40],
  'glagent-': [50, 1024],
  'gloas-': [64, 64],
  'glrt-': [20, 64],
  'glsoat-': [20, 64],
  'glft-': [20, 64],
  'glffct-': [20, 64],
  GR1348941: [20, 64],
};

export const vcs: readonly Detector[] = [
  // https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/: `ghp_`
  // personal, `gho_` OAuth, `ghu_` user-to-server, `ghs_` server-to-server, `ghr_` refresh
  // + 36; https://docs.github.com/authentication: fine-grained `github_pat_` + 22 + `_` + 59.
  {
    id: 'github-token',
    provider: 'GitHub',
    family,
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
    re: /\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b/g,
    prefix: 4,
  },
  // https://docs.gitlab.com/ee/security/tokens/#token-prefixes: one prefix per token kind;
  // routable tokens (GitLab ≥ 17.x) end in `.` + 2-character version + 7-character CRC.
  {
    id: 'gitlab-token',
    provider: 'GitLab',
    family,
    keywords: Object.keys(GITLAB).map((k) => k.toLowerCase()),
    maxSpan: 1100,
    re: /(?<![\w-])(?:gl(?:pat|dt|cbt|imt|ptt|agent|oas|rt|soat|ft|ffct)-|GR1348941)[A-Za-z0-9_-]{18,1023}[A-Za-z0-9-](?:\.[0-9a-z]{9}(?![\w.-]))?(?![\w-])/g,
    minEntropy: 3,
    validate(s) {
      const p = Object.keys(GITLAB).find((k) => s.startsWith(k));
      if (!p) return false;
      const dot = s.indexOf('.');
      const n = (dot < 0 ? s.length : dot) - p.length;
      if (dot >= 0) return (p === 'glpat-' || p === 'glrt-') && n >= 27 && n <= 300;
      const [min, max] = GITLAB[p]!;
      return n >= min && n <= max;
    },
  },
  // https://docs.gitlab.com/ee/user/profile/#session-cookies: `_gitlab_session` cookie.
  {
    id: 'gitlab-session-cookie',
    provider: 'GitLab',
    family,
    keywords: ['_gitlab_session='],
    re: /_gitlab_session=(?<s>[0-9a-z]{32})(?![0-9a-z])/g,
    minEntropy: 3,
  },
  // https://support.atlassian.com/bitbucket-cloud/docs/app-passwords/: app passwords `ATBB`;
  // OAuth consumer secrets (32 or 64 characters) by the name `bitbucket`.
  {
    id: 'bitbucket-app-password',
    provider: 'Bitbucket',
    family,
    keywords: ['atbb'],
    re: /\bATBB[A-Za-z0-9_=.-]{28,64}\b/g,
    prefix: 4,
    minEntropy: 3.5,
  },
  near({
    id: 'bitbucket-client-secret',
    provider: 'Bitbucket',
    family,
    names: ['bitbucket'],
    value: '(?:[A-Za-z0-9=_-]{64}|[A-Za-z0-9]{32})',
    maxValue: 64,
    minEntropy: 3.5,
    validate: mixed,
  }),
  // https://support.atlassian.com/atlassian-account/docs/manage-api-tokens-for-your-atlassian-account/:
  // API tokens `ATATT3` (and access tokens `ATCTT3`) + ~186 characters ending in a checksum;
  // older 24-character tokens by the name `jira`, `confluence`, `atlassian`.
  {
    id: 'atlassian-api-token',
    provider: 'Atlassian',
    family,
    keywords: ['atatt3', 'atctt3'],
    re: /\bAT[AC]TT3[A-Za-z0-9_=-]{180,200}(?![\w=-])/g,
    prefix: 6,
    minEntropy: 4,
  },
  near({
    id: 'atlassian-legacy-token',
    provider: 'Atlassian',
    family,
    names: ['atlassian', 'jira', 'confluence'],
    value: '[A-Za-z0-9]{24}',
    maxValue: 24,
    minEntropy: 3.5,
    validate: mixed,
  }),
  // https://learn.microsoft.com/azure/devops/organizations/accounts/use-personal-access-tokens-to-authenticate:
  // PATs are 84 characters with the signature `AZDO` at positions 76–79 (since 2024); older
  // ones 52 lower-case base32 characters, by name.
  {
    id: 'azure-devops-pat',
    provider: 'Azure DevOps',
    family,
    keywords: ['azdo'],
    // `AZDO` comes late in the token: streamed, it is held from a name before it.
    streamKeywords: ['azure', 'devops', 'ado_', 'ado-'],
    maxSpan: 250,
    settle: LINE_END,
    re: /\b[A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4}\b/g,
    minEntropy: 4,
  },
  near({
    id: 'azure-devops-legacy-pat',
    provider: 'Azure DevOps',
    family,
    names: [
      'azure_devops',
      'azure-devops',
      'azuredevops',
      'ado_pat',
      'ado_token',
      'azdo_pat',
      'azdo_token',
      'system_accesstoken',
      'devops_pat',
    ],
    value: '[a-z2-7]{52}',
    maxValue: 52,
    minEntropy: 3.5,
  }),
];
