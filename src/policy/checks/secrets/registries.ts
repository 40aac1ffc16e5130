/**
 * Package and artifact registries: npm, PyPI, RubyGems, NuGet, crates.io, Clojars, Docker Hub,
 * JFrog Artifactory, Sidekiq's gem server. Formats from the registries' documentation.
 */
import type { Detector } from './detector.js';
import { near } from './shapes.js';

const family = 'registries';

export const registries: readonly Detector[] = [
  // https://github.blog/2021-09-23-announcing-npms-new-access-token-format/: `npm_` + 36;
  // https://docs.npmjs.com/cli/configuring-npm/npmrc#auth-related-configuration: any
  // registry's `//host/path/:_authToken=` (or `:_password=`, `:_auth=`) in `.npmrc`.
  {
    id: 'npm-token',
    provider: 'npm',
    family,
    keywords: ['npm_', ':_authtoken=', ':_password=', ':_auth='],
    maxSpan: 800,
    re: /\bnpm_[A-Za-z0-9]{36}\b|\/\/[A-Za-z0-9.-]{1,253}(?::\d{1,5})?(?:\/[\w.@%~-]{0,100}){0,8}\/:_(?:authToken|password|auth)=[ \t]{0,4}(?<s>[^\s'"]{8,256})/g,
  },
  // https://pypi.org/help/#apitoken: `pypi-` + base64 of a macaroon whose location is
  // pypi.org (or test.pypi.org).
  {
    id: 'pypi-token',
    provider: 'PyPI',
    family,
    keywords: ['pypi-age'],
    maxSpan: 2000,
    re: /\bpypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{70,2000}/g,
  },
  // https://guides.rubygems.org/api-key-scopes/: `rubygems_` + 48 hex.
  {
    id: 'rubygems-api-key',
    provider: 'RubyGems',
    family,
    keywords: ['rubygems_'],
    re: /\brubygems_[a-f0-9]{48}\b/g,
    prefix: 9,
    minEntropy: 3,
  },
  // https://learn.microsoft.com/nuget/nuget-org/publish-a-package#create-api-keys: `oy2` + 43.
  {
    id: 'nuget-api-key',
    provider: 'NuGet',
    family,
    keywords: ['oy2'],
    re: /\boy2[a-z0-9]{43}\b/g,
    prefix: 3,
    minEntropy: 3.5,
  },
  // https://crates.io/settings/tokens: `cio` + 32.
  {
    id: 'cratesio-token',
    provider: 'crates.io',
    family,
    keywords: ['cio'],
    re: /\bcio[A-Za-z0-9]{32}\b/g,
    prefix: 3,
    minEntropy: 3.5,
  },
  // https://github.com/clojars/clojars-web/wiki/Deploy-Tokens: `CLOJARS_` + 60.
  {
    id: 'clojars-token',
    provider: 'Clojars',
    family,
    keywords: ['clojars_'],
    re: /\bCLOJARS_[a-z0-9]{60}\b/gi,
    prefix: 8,
    minEntropy: 3,
  },
  // https://docs.docker.com/security/for-developers/access-tokens/: `dckr_pat_` personal,
  // `dckr_oat_` organization access tokens.
  {
    id: 'docker-hub-token',
    provider: 'Docker Hub',
    family,
    keywords: ['dckr_pat_', 'dckr_oat_'],
    re: /\bdckr_[po]at_[A-Za-z0-9_-]{27,64}(?![\w-])/g,
    prefix: 9,
    minEntropy: 3.5,
  },
  // https://jfrog.com/help/r/jfrog-platform-administration-documentation/access-tokens: API
  // keys `AKCp` + 69, reference tokens `cmVmd` (base64 "ref") + 59; other tokens by name.
  {
    id: 'jfrog-artifactory-token',
    provider: 'JFrog Artifactory',
    family,
    keywords: ['akcp', 'cmvmd'],
    re: /\b(?:AKCp[A-Za-z0-9]{69}|cmVmd[A-Za-z0-9]{59})\b/g,
    prefix: 4,
    minEntropy: 4,
  },
  near({
    id: 'jfrog-identity-token',
    provider: 'JFrog Artifactory',
    family,
    names: ['jfrog', 'artifactory', 'bintray'],
    value: '(?:[A-Za-z0-9]{73}|[A-Za-z0-9]{64})',
    maxValue: 73,
    minEntropy: 4,
  }),
  // https://github.com/sidekiq/sidekiq/wiki/Sidekiq-Pro#installation: Bundler credentials for
  // Contribsys's gem servers, `BUNDLE_GEMS__CONTRIBSYS__COM=xxxxxxxx:yyyyyyyy`.
  near({
    id: 'sidekiq-credentials',
    provider: 'Sidekiq',
    family,
    names: [
      'bundle_enterprise__contribsys__com',
      'bundle_gems__contribsys__com',
      'sidekiq',
      'contribsys',
    ],
    value: '[a-f0-9]{8}:[a-f0-9]{8}',
    maxValue: 17,
    after: '[\\w:-]',
    anyName: true,
  }),
];
