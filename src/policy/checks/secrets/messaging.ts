/**
 * Chat, email and SMS APIs: Slack, Discord, Telegram, Twilio, SendGrid, Mailgun, Mailchimp,
 * Brevo, Postmark, Mandrill, MessageBird, Resend, SparkPost, Sendbird, Intercom, Pusher,
 * Zendesk, Vonage, Plivo, Mailjet, Klaviyo. Formats from the providers' documentation.
 */
import type { Detector } from './detector.js';
import { LINE_END } from './detector.js';
import { ci, mixed, near } from './shapes.js';

const family = 'messaging';
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

export const messaging: readonly Detector[] = [
  // https://api.slack.com/authentication/token-types: `xoxb-` bot, `xoxp-` user, `xoxa-`,
  // `xoxr-`, `xoxs-`/`xoxo-` legacy, `xoxe.xox[bp]-` rotating, `xapp-` app-level tokens.
  {
    id: 'slack-token',
    provider: 'Slack',
    family,
    keywords: ['xox', 'xapp-'],
    maxSpan: 1400,
    re: /\bxox[a-z]-\d{1,20}(?:-[A-Za-z0-9]{1,200}){1,6}(?![\w#-])|\bxoxe\.xox[bp]-\d-[A-Za-z0-9]{100,200}\b|\bxapp-\d-[A-Z0-9]{9,12}-\d{10,14}-[a-f0-9]{40,80}\b/g,
    prefix: 5,
    validate: (s) => (s.split('-').at(-1)?.length ?? 0) >= 8,
  },
  // https://discord.com/developers/docs/reference#authentication: bot tokens are three
  // base64url parts (the user id, a timestamp, an HMAC), `M…`/`N…`/`O…` + 23–27, 6, 27–38.
  // The shape has no literal of its own: found after `discord`, `bot ` (`Authorization: Bot`),
  // `login(` (discord.js) or `run(` (discord.py) on the same line.
  {
    id: 'discord-bot-token',
    provider: 'Discord',
    family,
    keywords: ['discord', 'bot ', 'login(', 'run('],
    maxSpan: 160,
    settle: /[\r\n]/,
    re: new RegExp(
      `(?:${['discord', 'bot ', 'login\\(', 'run\\('].map(ci).join('|')})[^\\r\\n]{0,40}?(?<![\\w-])(?<s>[MNO][A-Za-z0-9_-]{23,27}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38})(?![\\w-])`,
      'g',
    ),
    minEntropy: 4,
  },
  // https://core.telegram.org/bots/api#authorizing-your-bot: `<bot id>:<35 characters>`
  // (issued tokens start `AA`), alone or in `api.telegram.org/bot<token>/`.
  {
    id: 'telegram-bot-token',
    provider: 'Telegram',
    family,
    // The bot id before `:AA` is public; streamed, the secret after it is held from `:aa`.
    keywords: [':aa'],
    maxSpan: 60,
    re: /(?:(?<![\w:])|(?<=api\.telegram\.org\/bot))\d{5,16}:AA[A-Za-z0-9_-]{33}(?![\w-])/g,
    minEntropy: 3.5,
  },
  // https://www.twilio.com/docs/iam/api-keys: API key SIDs `SK` + 32 hex; account SIDs `AC`
  // + 32 hex; the 32-hex auth token by name.
  {
    id: 'twilio-api-key',
    provider: 'Twilio',
    family,
    keywords: ['sk'],
    re: /\bSK[0-9a-f]{32}\b/g,
    prefix: 2,
    minEntropy: 3,
  },
  {
    id: 'twilio-account-sid',
    provider: 'Twilio',
    family,
    keywords: ['ac'],
    re: /\bAC[0-9a-f]{32}\b/g,
    prefix: 2,
    minEntropy: 3,
  },
  near({
    id: 'twilio-auth-token',
    provider: 'Twilio',
    family,
    names: ['twilio'],
    value: '[a-f0-9]{32}',
    maxValue: 32,
    minEntropy: 3,
  }),
  // https://www.twilio.com/docs/sendgrid/ui/account-and-settings/api-keys: `SG.` + 22 + `.` + 43.
  {
    id: 'sendgrid-api-key',
    provider: 'SendGrid',
    family,
    keywords: ['sg.'],
    re: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![\w-])/g,
    prefix: 3,
  },
  // https://documentation.mailgun.com/docs/mailgun/api-reference/authentication/: private
  // keys `key-` + 32 hex (older) or 32 hex + two 8-hex groups, by name.
  near({
    id: 'mailgun-api-key',
    provider: 'Mailgun',
    family,
    names: ['mailgun'],
    value: '(?:key-[a-f0-9]{32}|[a-f0-9]{32}-[a-f0-9]{8}-[a-f0-9]{8})',
    maxValue: 50,
    minEntropy: 3,
    anyName: true,
  }),
  // https://mailchimp.com/developer/marketing/guides/quick-start/: 32 hex + `-us` + data centre.
  {
    id: 'mailchimp-api-key',
    provider: 'Mailchimp',
    family,
    keywords: ['-us'],
    // The key comes before `-us`: streamed, it is held from a name before it.
    streamKeywords: ['mailchimp', 'mc_api', 'chimp'],
    maxSpan: 200,
    settle: LINE_END,
    re: /\b[0-9a-f]{32}-us\d{1,2}\b/g,
    minEntropy: 3,
  },
  // https://developers.brevo.com/docs/getting-started: `xkeysib-` API keys, `xsmtpsib-`
  // SMTP keys: 64 hex + `-` + 16.
  {
    id: 'brevo-api-key',
    provider: 'Brevo',
    family,
    keywords: ['xkeysib-', 'xsmtpsib-'],
    re: /\bx(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}\b/g,
    minEntropy: 3,
  },
  // https://postmarkapp.com/developer/api/overview#authentication: server tokens, UUIDs.
  near({
    id: 'postmark-token',
    provider: 'Postmark',
    family,
    names: ['postmark'],
    value: UUID,
    maxValue: 36,
  }),
  // https://mailchimp.com/developer/transactional/docs/authentication/: Mandrill keys, 22.
  near({
    id: 'mandrill-api-key',
    provider: 'Mandrill',
    family,
    names: ['mandrill'],
    value: '[A-Za-z0-9_-]{22}',
    maxValue: 22,
    minEntropy: 3.5,
    validate: mixed,
  }),
  // https://developers.messagebird.com/api/#authentication: access keys, 25 alphanumerics.
  near({
    id: 'messagebird-api-key',
    provider: 'MessageBird',
    family,
    names: ['messagebird', 'message_bird', 'message-bird'],
    value: '[A-Za-z0-9]{25}',
    maxValue: 25,
    minEntropy: 3.5,
    validate: mixed,
  }),
  // https://resend.com/docs/dashboard/api-keys/introduction: `re_` + 8 + `_` + 24.
  {
    id: 'resend-api-key',
    provider: 'Resend',
    family,
    keywords: ['re_'],
    re: /\bre_[A-Za-z0-9]{8}_[A-Za-z0-9]{24}\b/g,
    prefix: 3,
    minEntropy: 3.5,
    validate: mixed,
  },
  // https://developers.sparkpost.com/api/#header-authentication: API keys, 40 hex.
  near({
    id: 'sparkpost-api-key',
    provider: 'SparkPost',
    family,
    names: ['sparkpost'],
    value: '[a-f0-9]{40}',
    maxValue: 40,
    minEntropy: 3,
  }),
  // https://sendbird.com/docs/chat/platform-api/v3/prepare-to-use-api#2-authentication: 40 hex.
  near({
    id: 'sendbird-token',
    provider: 'Sendbird',
    family,
    names: ['sendbird'],
    value: `(?:[a-f0-9]{40}|${UUID})`,
    maxValue: 40,
    minEntropy: 3,
  }),
  // https://developers.intercom.com/docs/build-an-integration/learn-more/authentication: 60.
  near({
    id: 'intercom-token',
    provider: 'Intercom',
    family,
    names: ['intercom'],
    value: '[A-Za-z0-9=_-]{60}',
    maxValue: 60,
    minEntropy: 4,
    validate: mixed,
  }),
  // https://pusher.com/docs/channels/server_api/http-api/#authentication: secrets, 20 hex.
  near({
    id: 'pusher-secret',
    provider: 'Pusher',
    family,
    names: ['pusher'],
    value: '[a-f0-9]{20}',
    maxValue: 20,
    minEntropy: 2.8,
  }),
  // https://developer.zendesk.com/api-reference/introduction/security-and-auth/: API tokens, 40.
  near({
    id: 'zendesk-api-token',
    provider: 'Zendesk',
    family,
    names: ['zendesk'],
    value: '[A-Za-z0-9]{40}',
    maxValue: 40,
    minEntropy: 4,
    validate: mixed,
  }),
  // https://developer.vonage.com/en/getting-started/concepts/authentication: API secrets, 16.
  near({
    id: 'vonage-api-secret',
    provider: 'Vonage',
    family,
    names: ['vonage', 'nexmo'],
    value: '[A-Za-z0-9]{16}',
    maxValue: 16,
    minEntropy: 3.3,
    validate: mixed,
  }),
  // https://www.plivo.com/docs/api/overview/authentication: auth tokens, 40.
  near({
    id: 'plivo-auth-token',
    provider: 'Plivo',
    family,
    names: ['plivo'],
    value: '[A-Za-z0-9]{40}',
    maxValue: 40,
    minEntropy: 4,
    validate: mixed,
  }),
  // https://dev.mailjet.com/email/guides/: API secret keys, 32 hex.
  near({
    id: 'mailjet-secret-key',
    provider: 'Mailjet',
    family,
    names: ['mailjet'],
    value: '[a-f0-9]{32}',
    maxValue: 32,
    minEntropy: 3,
  }),
  // https://developers.klaviyo.com/en/docs/authenticate_: private API keys `pk_` + 34.
  near({
    id: 'klaviyo-private-key',
    provider: 'Klaviyo',
    family,
    names: ['klaviyo'],
    value: 'pk_[A-Za-z0-9]{34}',
    maxValue: 37,
    minEntropy: 3.5,
    anyName: true,
  }),
];
