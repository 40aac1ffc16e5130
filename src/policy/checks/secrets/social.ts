/**
 * Social and media platforms: X/Twitter, Meta/Facebook, LinkedIn, Twitch, Reddit. Formats
 * from the platforms' developer documentation (linked per detector).
 */
import type { Detector } from './detector.js';
import { mixed, near } from './shapes.js';

const family = 'social';

export const social: readonly Detector[] = [
  // https://developer.x.com/en/docs/authentication/oauth-2-0/bearer-tokens: app-only bearer
  // tokens start with a run of `A`s (20+), URL-encoded (`%` included).
  {
    id: 'twitter-bearer-token',
    provider: 'X (Twitter)',
    family,
    keywords: ['aaaaaaaaaaaaaaaaaaaa'],
    settle: /[^A-Za-z0-9%]/,
    re: /\bA{20}[A-Za-z0-9%]{80,130}(?![A-Za-z0-9%])/g,
    prefix: 20,
    minEntropy: 4,
  },
  // https://developer.x.com/en/docs/authentication/oauth-1-0a/api-key-and-secret: API keys
  // (25), secrets (50), access tokens `<user id>-<…>` and their secrets (45), by name.
  near({
    id: 'twitter-api-key',
    provider: 'X (Twitter)',
    family,
    names: ['twitter', 'twttr'],
    value: '(?:\\d{15,25}-[A-Za-z0-9]{20,40}|[A-Za-z0-9]{50}|[A-Za-z0-9]{45}|[A-Za-z0-9]{25})',
    maxValue: 66,
    minEntropy: 3.5,
    validate: mixed,
  }),
  // https://developers.facebook.com/docs/facebook-login/guides/access-tokens: user and page
  // tokens `EAA` + a letter + 100+; app tokens `<app id>|<secret>`; app secrets 32 hex, by name.
  {
    id: 'facebook-access-token',
    provider: 'Meta (Facebook)',
    family,
    keywords: ['eaa'],
    maxSpan: 1100,
    re: /\bEAA[A-Z][A-Za-z0-9]{100,1024}\b/g,
    prefix: 4,
    minEntropy: 4,
  },
  near({
    id: 'facebook-app-token',
    provider: 'Meta (Facebook)',
    family,
    names: ['facebook', 'fb_app', 'fb-app', 'fb_access'],
    value: '\\d{15,16}(?:\\||%7C)[A-Za-z0-9_-]{27,40}',
    maxValue: 60,
    minEntropy: 3,
    anyName: true,
  }),
  near({
    id: 'facebook-app-secret',
    provider: 'Meta (Facebook)',
    family,
    names: ['facebook', 'fb_app', 'fb-app', 'fb_secret'],
    value: '[a-f0-9]{32}',
    maxValue: 32,
    minEntropy: 3,
  }),
  // https://learn.microsoft.com/linkedin/shared/authentication/: client secrets (16), by name.
  near({
    id: 'linkedin-client-secret',
    provider: 'LinkedIn',
    family,
    names: ['linkedin', 'linked_in', 'linked-in'],
    value: '(?:[A-Za-z0-9]{16}|[A-Za-z0-9]{14})',
    maxValue: 16,
    minEntropy: 3.3,
    validate: mixed,
  }),
  // https://dev.twitch.tv/docs/authentication/: client secrets and tokens, 30, by name.
  near({
    id: 'twitch-token',
    provider: 'Twitch',
    family,
    names: ['twitch'],
    value: '[a-z0-9]{30}',
    maxValue: 30,
    minEntropy: 3.5,
    validate: mixed,
  }),
  // https://github.com/reddit-archive/reddit/wiki/OAuth2: client secrets (27–30), by name.
  near({
    id: 'reddit-client-secret',
    provider: 'Reddit',
    family,
    names: ['reddit'],
    value: '[A-Za-z0-9_-]{27,30}',
    maxValue: 30,
    minEntropy: 3.5,
    validate: mixed,
  }),
];
