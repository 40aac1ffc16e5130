/**
 * Productivity, CRM, content and data APIs: Linear, Notion, Airtable, Asana, Postman, Figma,
 * Contentful, Algolia, Mapbox, LaunchDarkly, Okta, Auth0, HubSpot, Salesforce, Typeform,
 * ReadMe, Frame.io, ClickUp, Trello, Dropbox, Adobe, Yandex, MaxMind, 42 Intra, Squarespace,
 * Etsy, Webflow, Flickr, NYTimes, Finnhub, RapidAPI, Beamer, Gitter, FreshBooks, Looker,
 * Sanity. Formats from the providers' documentation (linked per detector).
 */
import type { Detector } from './detector.js';
import { LINE_END } from './detector.js';
import { mixed, near } from './shapes.js';

const family = 'saas';
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

export const saas: readonly Detector[] = [
  // https://linear.app/developers/graphql#personal-api-keys: `lin_api_` + 40; OAuth `lin_oauth_`.
  {
    id: 'linear-api-key',
    provider: 'Linear',
    family,
    keywords: ['lin_api_', 'lin_oauth_'],
    re: /\blin_(?:api|oauth)_[A-Za-z0-9]{40,64}\b/g,
    prefix: 8,
    minEntropy: 3.5,
  },
  // https://developers.notion.com/docs/authorization: integration tokens `ntn_` + 11 digits +
  // 35 (since 2024), older `secret_` + 43.
  {
    id: 'notion-token',
    provider: 'Notion',
    family,
    keywords: ['ntn_', 'secret_'],
    re: /\b(?:ntn_\d{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43})\b/g,
    minEntropy: 3.5,
    // Random base62 of 35+ characters has both cases and a digit (identifiers seldom do).
    validate(s) {
      const b = s.slice(s.indexOf('_') + 1);
      return /[A-Z]/.test(b) && /[a-z]/.test(b) && /\d/.test(b);
    },
  },
  // https://airtable.com/developers/web/guides/personal-access-tokens: `pat` + 14 + `.` + 64
  // hex; deprecated API keys `key` + 14, by name.
  {
    id: 'airtable-pat',
    provider: 'Airtable',
    family,
    keywords: ['pat'],
    re: /\bpat[A-Za-z0-9]{14}\.[a-f0-9]{64}\b/g,
    prefix: 3,
    minEntropy: 3.5,
  },
  near({
    id: 'airtable-api-key',
    provider: 'Airtable',
    family,
    names: ['airtable'],
    value: '(?:key[A-Za-z0-9]{14}|[A-Za-z0-9]{17})',
    maxValue: 17,
    minEntropy: 3.2,
    validate: (s) => s.startsWith('key') || mixed(s),
  }),
  // https://developers.asana.com/docs/personal-access-token: `1/<user>:<32 hex>` or
  // `2/<user>/<app>:<32 hex>`; older 32 hex, by name.
  near({
    id: 'asana-token',
    provider: 'Asana',
    family,
    names: ['asana'],
    value: '(?:[012]/\\d{13,19}(?:/\\d{13,19})?:[a-f0-9]{32}|[a-f0-9]{32})',
    maxValue: 75,
    minEntropy: 3,
  }),
  // https://learning.postman.com/docs/developer/postman-api/authentication/: `PMAK-` + 24 hex + `-` + 34 hex.
  {
    id: 'postman-api-key',
    provider: 'Postman',
    family,
    keywords: ['pmak-'],
    re: /\bPMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}\b/g,
    prefix: 5,
    minEntropy: 3,
  },
  // https://www.figma.com/developers/api#access-tokens: personal access tokens `figd_`.
  {
    id: 'figma-token',
    provider: 'Figma',
    family,
    keywords: ['figd_'],
    re: /\bfigd_[A-Za-z0-9_-]{36,64}(?![\w-])/g,
    prefix: 5,
    minEntropy: 3.5,
  },
  // https://www.contentful.com/developers/docs/references/authentication/: management tokens
  // `CFPAT-` + 43; delivery tokens (43) by name.
  {
    id: 'contentful-pat',
    provider: 'Contentful',
    family,
    keywords: ['cfpat-'],
    re: /\bCFPAT-[A-Za-z0-9_-]{43}(?![\w-])/g,
    prefix: 6,
    minEntropy: 3.5,
  },
  near({
    id: 'contentful-delivery-token',
    provider: 'Contentful',
    family,
    names: ['contentful'],
    value: '[A-Za-z0-9=_-]{43}',
    maxValue: 43,
    minEntropy: 3.5,
    validate: mixed,
  }),
  // https://www.algolia.com/doc/guides/security/api-keys/: admin/write keys, 32 hex, by name.
  near({
    id: 'algolia-api-key',
    provider: 'Algolia',
    family,
    names: ['algolia'],
    value: '[a-f0-9]{32}',
    maxValue: 32,
    minEntropy: 3,
  }),
  // https://docs.mapbox.com/accounts/guides/tokens/: secret tokens `sk.eyJ…` (`pk.` is public).
  {
    id: 'mapbox-secret-token',
    provider: 'Mapbox',
    family,
    keywords: ['sk.eyj'],
    re: /\bsk\.eyJ[A-Za-z0-9_-]{20,400}\.[A-Za-z0-9_-]{20,40}(?![\w-])/g,
    prefix: 3,
    minEntropy: 4,
  },
  // https://docs.launchdarkly.com/home/account/api: access tokens `api-` + UUID, server SDK
  // keys `sdk-` + UUID.
  {
    id: 'launchdarkly-token',
    provider: 'LaunchDarkly',
    family,
    keywords: ['api-', 'sdk-'],
    re: new RegExp(`\\b(?:api|sdk)-${UUID}\\b`, 'g'),
    prefix: 4,
    minEntropy: 3,
  },
  // https://developer.okta.com/docs/guides/create-an-api-token/: `00` + 40, by the name Okta
  // (in its usual spellings: `rookTable` is not one).
  near({
    id: 'okta-api-token',
    provider: 'Okta',
    family,
    names: ['okta', 'Okta', 'OKTA'],
    cased: true,
    value: '00[A-Za-z0-9_=-]{40}',
    maxValue: 42,
    minEntropy: 4,
    anyName: true,
  }),
  // https://auth0.com/docs/get-started/applications/application-settings: client secrets, 64.
  near({
    id: 'auth0-client-secret',
    provider: 'Auth0',
    family,
    names: ['auth0'],
    value: '[A-Za-z0-9_-]{64}',
    maxValue: 64,
    minEntropy: 4,
    validate: mixed,
  }),
  // https://developers.hubspot.com/docs/api/private-apps: access tokens `pat-<region>-<uuid>`;
  // legacy API keys (UUIDs) by name.
  {
    id: 'hubspot-token',
    provider: 'HubSpot',
    family,
    keywords: ['pat-na', 'pat-eu', 'pat-ap'],
    re: new RegExp(`\\bpat-(?:na|eu|ap)\\d-${UUID}\\b`, 'g'),
    minEntropy: 3,
  },
  near({
    id: 'hubspot-legacy-api-key',
    provider: 'HubSpot',
    family,
    names: ['hubspot'],
    value: UUID,
    maxValue: 36,
  }),
  // https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm:
  // access/session tokens `00D<org id>!<token>`.
  {
    id: 'salesforce-access-token',
    provider: 'Salesforce',
    family,
    keywords: ['00d'],
    settle: /[^A-Za-z0-9._!]/,
    maxSpan: 200,
    re: /\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{80,160}/g,
    minEntropy: 4,
  },
  // https://www.typeform.com/developers/get-started/personal-access-token/: `tfp_` + 59.
  {
    id: 'typeform-token',
    provider: 'Typeform',
    family,
    keywords: ['tfp_'],
    re: /\btfp_[A-Za-z0-9_.=-]{59}(?!\.*[\w=-])/g,
    prefix: 4,
    minEntropy: 3.5,
  },
  // https://docs.readme.com/main/reference/intro/authentication: `rdme_` + 70.
  {
    id: 'readme-api-key',
    provider: 'ReadMe',
    family,
    keywords: ['rdme_'],
    re: /\brdme_[a-z0-9]{70}\b/g,
    prefix: 5,
    minEntropy: 3.5,
  },
  // https://developer.frame.io/docs/getting-started/authentication: developer tokens `fio-u-` + 64.
  {
    id: 'frameio-token',
    provider: 'Frame.io',
    family,
    keywords: ['fio-u-'],
    re: /\bfio-u-[A-Za-z0-9_=-]{64}(?![\w=-])/g,
    prefix: 6,
    minEntropy: 3.5,
  },
  // https://clickup.com/api/developer-portal/authentication/: personal tokens `pk_<user id>_` + 32.
  {
    id: 'clickup-token',
    provider: 'ClickUp',
    family,
    keywords: ['pk_'],
    re: /\bpk_\d{4,12}_[A-Z0-9]{32}\b/g,
    minEntropy: 3.5,
  },
  // https://developer.atlassian.com/cloud/trello/guides/rest-api/api-introduction/: tokens
  // `ATTA` + 64 hex + 8 hex; API keys (32 hex) and older tokens (64 hex) by name.
  {
    id: 'trello-token',
    provider: 'Trello',
    family,
    keywords: ['atta'],
    re: /\bATTA[a-fA-F0-9]{64}[A-F0-9]{8}\b/g,
    prefix: 4,
    minEntropy: 3,
  },
  near({
    id: 'trello-api-key',
    provider: 'Trello',
    family,
    names: ['trello'],
    value: '(?:[a-f0-9]{64}|[a-f0-9]{32})',
    maxValue: 64,
    minEntropy: 3,
  }),
  // https://developers.dropbox.com/oauth-guide: short-lived tokens `sl.` (`sl.u.`) + 130+;
  // long-lived tokens 11 + `AAAAAAAAAA` + 43, by name.
  {
    id: 'dropbox-token',
    provider: 'Dropbox',
    family,
    keywords: ['sl.'],
    maxSpan: 1500,
    re: /\bsl\.(?:u\.)?[A-Za-z0-9_-]{130,1400}(?![\w-])/g,
    prefix: 3,
    minEntropy: 4,
  },
  near({
    id: 'dropbox-long-lived-token',
    provider: 'Dropbox',
    family,
    names: ['dropbox'],
    value: '[A-Za-z0-9]{11}AAAAAAAAAA[A-Za-z0-9_=-]{43}',
    maxValue: 64,
    anyName: true,
  }),
  // https://developer.adobe.com/developer-console/docs/guides/authentication/: client
  // secrets `p8e-` + 32; client ids (32 hex) by name.
  {
    id: 'adobe-client-secret',
    provider: 'Adobe',
    family,
    keywords: ['p8e-'],
    re: /\bp8e-[A-Za-z0-9]{32}\b/g,
    prefix: 4,
    minEntropy: 3.5,
  },
  // https://yandex.cloud/en/docs/iam/concepts/authorization/: IAM tokens `t1.`, API keys
  // `AQVN`, static access keys `YC`, by name.
  near({
    id: 'yandex-cloud-token',
    provider: 'Yandex',
    family,
    names: ['yandex'],
    value:
      '(?:t1\\.[A-Za-z0-9_-]{10,200}={0,2}\\.[A-Za-z0-9_-]{86}={0,2}|AQVN[A-Za-z0-9_-]{35,38}|YC[A-Za-z0-9_-]{38})',
    maxValue: 300,
    minEntropy: 3.5,
    anyName: true,
  }),
  // https://dev.maxmind.com/geoip/: license keys `<6>_<29>_mmk`.
  {
    id: 'maxmind-license-key',
    provider: 'MaxMind',
    family,
    keywords: ['_mmk'],
    // `_mmk` ends the key: streamed, it is held from a name before it.
    streamKeywords: ['maxmind', 'geoip', 'license'],
    maxSpan: 200,
    settle: LINE_END,
    re: /\b[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk\b/g,
    minEntropy: 3.5,
  },
  // https://api.intra.42.fr/apidoc/guides/getting_started: secrets `s-s4t2ud-`/`s-s4t2af-` + 64 hex.
  {
    id: 'intra42-client-secret',
    provider: '42 Intra',
    family,
    keywords: ['s-s4t2ud-', 's-s4t2af-'],
    re: /\bs-s4t2(?:ud|af)-[a-f0-9]{64}\b/g,
    prefix: 9,
    minEntropy: 3,
  },
  // Keys of content and data APIs with no prefix, by name:
  // https://developers.squarespace.com/commerce-apis/authentication-and-permissions (UUID),
  // https://developers.etsy.com/documentation/essentials/authentication (24),
  // https://developers.webflow.com/data/reference/authentication (64 hex),
  // https://www.flickr.com/services/api/misc.api_keys.html (32 hex),
  // https://developer.nytimes.com/get-started (32), https://finnhub.io/docs/api (20),
  // https://docs.rapidapi.com/docs/keys (50), https://www.getbeamer.com/api (`b_` + 44),
  // https://developer.gitter.im/docs/authentication (40),
  // https://www.freshbooks.com/api/authentication (64 hex),
  // https://cloud.google.com/looker/docs/api-auth (20/24), https://www.sanity.io/docs/http-auth (`sk` + 60+).
  near({
    id: 'squarespace-api-key',
    provider: 'Squarespace',
    family,
    names: ['squarespace'],
    value: UUID,
    maxValue: 36,
  }),
  near({
    id: 'etsy-api-key',
    provider: 'Etsy',
    family,
    names: ['etsy', 'Etsy', 'ETSY'],
    cased: true,
    value: '[a-z0-9]{24}',
    maxValue: 24,
    minEntropy: 3.5,
    validate: mixed,
  }),
  near({
    id: 'webflow-api-token',
    provider: 'Webflow',
    family,
    names: ['webflow'],
    value: '[a-f0-9]{64}',
    maxValue: 64,
    minEntropy: 3,
  }),
  near({
    id: 'flickr-api-key',
    provider: 'Flickr',
    family,
    names: ['flickr'],
    value: '[a-f0-9]{32}',
    maxValue: 32,
    minEntropy: 3,
  }),
  near({
    id: 'nytimes-api-key',
    provider: 'NYTimes',
    family,
    names: ['nytimes', 'newyorktimes', 'new-york-times'],
    value: '[A-Za-z0-9=_-]{32}',
    maxValue: 32,
    minEntropy: 3.5,
    validate: mixed,
  }),
  near({
    id: 'finnhub-api-key',
    provider: 'Finnhub',
    family,
    names: ['finnhub'],
    value: '[a-z0-9]{20}',
    maxValue: 20,
    minEntropy: 3.2,
    validate: mixed,
  }),
  near({
    id: 'rapidapi-key',
    provider: 'RapidAPI',
    family,
    names: ['rapidapi', 'x-rapidapi-key'],
    value: '[A-Za-z0-9_-]{50}',
    maxValue: 50,
    minEntropy: 4,
    validate: mixed,
  }),
  near({
    id: 'beamer-api-key',
    provider: 'Beamer',
    family,
    names: ['beamer'],
    value: 'b_[A-Za-z0-9=_-]{44}',
    maxValue: 46,
    minEntropy: 3.5,
    anyName: true,
  }),
  near({
    id: 'gitter-token',
    provider: 'Gitter',
    family,
    names: ['gitter'],
    value: '[a-z0-9_-]{40}',
    maxValue: 40,
    minEntropy: 3.5,
    validate: mixed,
  }),
  near({
    id: 'freshbooks-token',
    provider: 'FreshBooks',
    family,
    names: ['freshbooks'],
    value: '[a-z0-9]{64}',
    maxValue: 64,
    minEntropy: 3.5,
    validate: mixed,
  }),
  near({
    id: 'looker-client-secret',
    provider: 'Looker',
    family,
    names: ['looker'],
    value: '(?:[A-Za-z0-9]{24}|[A-Za-z0-9]{20})',
    maxValue: 24,
    minEntropy: 3.5,
    validate: mixed,
  }),
  near({
    id: 'sanity-token',
    provider: 'Sanity',
    family,
    names: ['sanity'],
    value: 'sk[A-Za-z0-9]{60,200}',
    maxValue: 202,
    minEntropy: 4,
    anyName: true,
  }),
];
