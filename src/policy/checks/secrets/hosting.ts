/**
 * Hosting, edge and data platforms: DigitalOcean, Cloudflare, Heroku, Fly.io, Vercel,
 * Netlify, Render, Linode, Scaleway, Hetzner, Vultr, Databricks, Supabase, PlanetScale,
 * ClickHouse Cloud, Fastly, Confluent. Formats from the providers' documentation (linked per detector).
 */
import type { Detector } from './detector.js';
import { AFTER_B64, mixed, near } from './shapes.js';

const family = 'hosting';
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

export const hosting: readonly Detector[] = [
  // https://docs.digitalocean.com/reference/api/create-personal-access-token/: `dop_v1_`
  // (personal), `doo_v1_` (OAuth), `dor_v1_` (refresh) + 64 hex.
  {
    id: 'digitalocean-token',
    provider: 'DigitalOcean',
    family,
    keywords: ['dop_v1_', 'doo_v1_', 'dor_v1_'],
    re: /\bdo[opr]_v1_[a-f0-9]{64}\b/g,
    prefix: 7,
    minEntropy: 3,
  },
  // https://developers.cloudflare.com/fundamentals/api/get-started/: API tokens are 40
  // characters, the legacy Global API Key 37 hex; neither has a prefix.
  near({
    id: 'cloudflare-api-token',
    provider: 'Cloudflare',
    family,
    names: ['cloudflare', 'cf_api', 'cf-api', 'cf_token', 'cf_auth'],
    value: '(?:[A-Za-z0-9_-]{40}|[a-f0-9]{37})',
    maxValue: 40,
    minEntropy: 3.3,
  }),
  // https://developers.cloudflare.com/ssl/origin-configuration/origin-ca/: Origin CA keys.
  {
    id: 'cloudflare-origin-ca-key',
    provider: 'Cloudflare',
    family,
    keywords: ['v1.0-'],
    re: /\bv1\.0-[a-f0-9]{24}-[a-f0-9]{146}\b/g,
    prefix: 5,
    minEntropy: 3,
  },
  // https://devcenter.heroku.com/articles/authentication: API keys `HRKU-AA` + 58 (since
  // 2024); older keys are UUIDs, found by the name `heroku`.
  {
    id: 'heroku-api-key',
    provider: 'Heroku',
    family,
    keywords: ['hrku-aa'],
    re: /\bHRKU-AA[0-9A-Za-z_-]{58}(?![\w-])/g,
    prefix: 7,
    minEntropy: 3.5,
  },
  near({
    id: 'heroku-legacy-api-key',
    provider: 'Heroku',
    family,
    names: ['heroku'],
    value: UUID,
    maxValue: 36,
  }),
  // https://fly.io/docs/security/tokens/: macaroon tokens `fm1r_`/`fm1a_`/`fm2_` + base64,
  // OAuth tokens `fo1_` + 43.
  {
    id: 'flyio-token',
    provider: 'Fly.io',
    family,
    keywords: ['fo1_', 'fm1r_', 'fm1a_', 'fm2_'],
    maxSpan: 4200,
    re: /\b(?:fo1_[\w-]{43}|fm1[ar]_[A-Za-z0-9+/]{100,4096}={0,3}|fm2_[A-Za-z0-9+/]{100,4096}={0,3})(?![\w+/=-])/g,
    prefix: 4,
    minEntropy: 4,
  },
  // https://vercel.com/changelog (2025): access tokens carry their kind in a prefix — `vcp_`
  // personal, `vci_` integration, `vca_` app, `vcr_` app refresh, `vck_` API key; older ones
  // are 24 alphanumerics, found by the name `vercel`.
  {
    id: 'vercel-token',
    provider: 'Vercel',
    family,
    keywords: ['vcp_', 'vci_', 'vca_', 'vcr_', 'vck_'],
    re: /\bvc[piark]_[A-Za-z0-9]{24,80}\b/g,
    prefix: 4,
    minEntropy: 3.5,
  },
  near({
    id: 'vercel-legacy-token',
    provider: 'Vercel',
    family,
    names: ['vercel'],
    value: '[A-Za-z0-9]{24}',
    maxValue: 24,
    minEntropy: 3.5,
  }),
  // https://docs.netlify.com/api/get-started/#authentication: personal access tokens `nfp_`;
  // older tokens (40–46 characters) by the name `netlify`.
  {
    id: 'netlify-token',
    provider: 'Netlify',
    family,
    keywords: ['nfp_'],
    re: /\bnfp_[A-Za-z0-9]{36,40}\b/g,
    prefix: 4,
    minEntropy: 3.5,
  },
  near({
    id: 'netlify-legacy-token',
    provider: 'Netlify',
    family,
    names: ['netlify'],
    value: '[A-Za-z0-9_-]{40,46}',
    maxValue: 46,
    minEntropy: 3.5,
  }),
  // https://api-docs.render.com/reference/authentication: API keys `rnd_` + 32.
  {
    id: 'render-api-key',
    provider: 'Render',
    family,
    keywords: ['rnd_'],
    re: /\brnd_[A-Za-z0-9]{32}\b/g,
    prefix: 4,
    minEntropy: 3.5,
  },
  // https://techdocs.akamai.com/linode-api/reference/get-started: personal access tokens, 64 hex.
  near({
    id: 'linode-token',
    provider: 'Linode',
    family,
    names: ['linode'],
    value: '[a-f0-9]{64}',
    maxValue: 64,
    minEntropy: 3,
  }),
  // https://www.scaleway.com/en/docs/iam/concepts/#api-key: access keys `SCW` + 17, secret keys UUIDs.
  {
    id: 'scaleway-access-key',
    provider: 'Scaleway',
    family,
    keywords: ['scw'],
    re: /\bSCW[A-Z0-9]{17}\b/g,
    prefix: 3,
    minEntropy: 3,
  },
  near({
    id: 'scaleway-secret-key',
    provider: 'Scaleway',
    family,
    names: ['scaleway', 'scw_secret', 'scw-secret'],
    value: UUID,
    maxValue: 36,
  }),
  // https://docs.hetzner.cloud/#authentication: API tokens, 64 alphanumerics.
  near({
    id: 'hetzner-token',
    provider: 'Hetzner',
    family,
    names: ['hetzner', 'hcloud'],
    value: '[A-Za-z0-9]{64}',
    maxValue: 64,
    minEntropy: 4,
  }),
  // https://www.vultr.com/api/#section/Authentication: API keys, 36 upper-case alphanumerics.
  near({
    id: 'vultr-api-key',
    provider: 'Vultr',
    family,
    names: ['vultr'],
    value: '[A-Z0-9]{36}',
    maxValue: 36,
    minEntropy: 3.5,
  }),
  // https://docs.databricks.com/dev-tools/auth/pat.html: `dapi` + 32 hex (optional `-N`).
  {
    id: 'databricks-token',
    provider: 'Databricks',
    family,
    keywords: ['dapi'],
    re: /\bdapi[a-f0-9]{32}(?:-\d)?\b/g,
    prefix: 4,
    minEntropy: 3,
  },
  // https://supabase.com/docs/guides/api/api-keys: management tokens `sbp_` + 40 hex, secret
  // API keys `sb_secret_` (service-role JWTs are found by `jwt`).
  {
    id: 'supabase-token',
    provider: 'Supabase',
    family,
    keywords: ['sbp_', 'sb_secret_'],
    re: /\bsbp_[a-f0-9]{40}\b|\bsb_secret_[A-Za-z0-9_-]{20,80}(?![\w-])/g,
    prefix: 4,
    minEntropy: 3,
  },
  // https://planetscale.com/docs/concepts/service-tokens: `pscale_tkn_`, `pscale_oauth_`,
  // database passwords `pscale_pw_`.
  {
    id: 'planetscale-token',
    provider: 'PlanetScale',
    family,
    keywords: ['pscale_tkn_', 'pscale_oauth_', 'pscale_pw_'],
    re: /\bpscale_(?:tkn|oauth|pw)_[\w=.-]{32,64}(?!\.*[\w=-])/g,
    prefix: 10,
    minEntropy: 3,
  },
  // https://clickhouse.com/docs/cloud/manage/openapi: API key secrets `4b1d` + 38.
  {
    id: 'clickhouse-cloud-secret',
    provider: 'ClickHouse Cloud',
    family,
    keywords: ['4b1d'],
    re: /\b4b1d[A-Za-z0-9]{38}\b/g,
    prefix: 4,
    minEntropy: 3.5,
  },
  // https://www.fastly.com/documentation/reference/api/auth-tokens/: API tokens, 32, by name.
  near({
    id: 'fastly-api-token',
    provider: 'Fastly',
    family,
    names: ['fastly'],
    value: '[A-Za-z0-9_-]{32}',
    maxValue: 32,
    minEntropy: 3.5,
    validate: mixed,
  }),
  // https://docs.confluent.io/cloud/current/access-management/authenticate/api-keys/: key 16
  // upper-case alphanumerics, secret 64 base64 characters.
  near({
    id: 'confluent-api-secret',
    provider: 'Confluent',
    family,
    names: ['confluent'],
    value: '(?:[A-Za-z0-9+/]{64}|[A-Z0-9]{16})',
    maxValue: 64,
    after: AFTER_B64,
    minEntropy: 3.3,
  }),
];
