/**
 * Incoming-webhook URLs of chat and automation services: whoever has the URL can post as the
 * integration, so the whole URL is the secret. Slack, Discord, Microsoft Teams, Power
 * Automate / Logic Apps, Zapier, Google Chat, Mattermost, Rocket.Chat, IFTTT, Make,
 * Pipedream, Feishu/Lark, DingTalk, WeCom, Webex. Formats from the services' documentation.
 */
import type { Detector } from './detector.js';
import { URL_END } from './detector.js';

const family = 'webhooks';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** A webhook detector: the keyword is in the URL, `lead` characters at most after its start. */
const hook = (d: Omit<Detector, 'family' | 'settle'>): Detector => ({
  ...d,
  family,
  settle: URL_END,
});

export const webhooks: readonly Detector[] = [
  // https://api.slack.com/messaging/webhooks: `hooks.slack.com/services/T…/B…/…` (and
  // workflow / trigger URLs).
  hook({
    id: 'slack-webhook',
    provider: 'Slack',
    keywords: ['hooks.slack.com'],
    lead: 8,
    re: /https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/]{20,120}/g,
    prefix: 31,
  }),
  // https://discord.com/developers/docs/resources/webhook#execute-webhook:
  // `discord.com/api/webhooks/<snowflake id>/<68-character token>`.
  hook({
    id: 'discord-webhook',
    provider: 'Discord',
    keywords: ['discord.com/api', 'discordapp.com/api'],
    lead: 16,
    re: /https?:\/\/(?:(?:ptb|canary)\.)?discord(?:app)?\.com\/api(?:\/v\d{1,2})?\/webhooks\/\d{17,20}\/[\w-]{60,68}(?![\w-])/g,
    prefix: 35,
  }),
  // https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook:
  // `<tenant>.webhook.office.com/webhookb2/<group>@<tenant>/IncomingWebhook/<32 hex>/<owner>[/<signature>]`.
  // The span starts at the service's host name: the tenant's subdomain is no secret, and a lead
  // that long would make the stream gate re-read every trigger's tail for nothing.
  hook({
    id: 'teams-webhook',
    provider: 'Microsoft Teams',
    keywords: [
      '.webhook.office.com',
      'outlook.office.com/webhook',
      'outlook.office365.com/webhook',
    ],
    lead: 8,
    maxSpan: 400,
    re: new RegExp(
      `(?:\\.webhook\\.office\\.com\\/webhookb2(?<=https:\\/\\/[a-z0-9-]{1,63}\\.webhook\\.office\\.com\\/webhookb2)|https:\\/\\/outlook\\.office(?:365)?\\.com\\/webhook)\\/${UUID}@${UUID}\\/IncomingWebhook\\/[a-f0-9]{32}\\/${UUID}(?:\\/[A-Za-z0-9_-]{20,80})?`,
      'g',
    ),
  }),
  // https://learn.microsoft.com/power-automate/ (Teams "Workflows" webhooks) and Azure Logic
  // Apps HTTP triggers: `…/workflows/<id>/triggers/<name>/paths/invoke?…&sig=<signature>` (the
  // span from the service's host name on).
  hook({
    id: 'power-automate-webhook',
    provider: 'Power Automate',
    keywords: ['.logic.azure.com', '.environment.api.powerplatform.com'],
    maxSpan: 1000,
    re: /(?:\.logic\.azure\.com(?<=https:\/\/prod-\d{1,3}\.[a-z0-9]{2,30}\.logic\.azure\.com)(?::443)?\/workflows\/[a-f0-9]{32}|\.environment\.api\.powerplatform\.com(?<=https:\/\/[a-z0-9.-]{1,120}\.environment\.api\.powerplatform\.com)(?::443)?\/powerautomate\/automations\/direct\/workflows\/[a-f0-9]{32})\/triggers\/[\w-]{1,80}\/paths\/invoke\/?\?[^\s"'<>]{0,400}?\bsig=[A-Za-z0-9_%-]{20,100}/g,
  }),
  // https://help.zapier.com/hc/en-us/articles/8496288690317: `hooks.zapier.com/hooks/catch/<account>/<hook>/`.
  hook({
    id: 'zapier-webhook',
    provider: 'Zapier',
    keywords: ['hooks.zapier.com'],
    lead: 8,
    re: /https?:\/\/hooks\.zapier\.com\/hooks\/catch\/\d{1,12}\/[a-z0-9]{5,12}\/?/g,
    prefix: 38,
  }),
  // https://developers.google.com/workspace/chat/quickstart/webhooks:
  // `chat.googleapis.com/v1/spaces/<space>/messages?key=<API key>&token=<token>`.
  hook({
    id: 'google-chat-webhook',
    provider: 'Google Chat',
    keywords: ['chat.googleapis.com'],
    lead: 8,
    maxSpan: 400,
    re: /https:\/\/chat\.googleapis\.com\/v1\/spaces\/[\w-]{5,40}\/messages\?key=[\w-]{39}&token=[\w%=-]{20,100}/g,
  }),
  // https://developers.mattermost.com/integrate/webhooks/incoming/: `<server>/hooks/<26-character id>`.
  hook({
    id: 'mattermost-webhook',
    provider: 'Mattermost',
    keywords: ['/hooks/'],
    re: /\/hooks\/(?<=https?:\/\/[\w.-]{1,253}(?::\d{1,5})?\/hooks\/)[a-z0-9]{26}(?![\w/-])/g,
    minEntropy: 3.5,
  }),
  // https://docs.rocket.chat/use-rocket.chat/workspace-administration/integrations: incoming
  // webhooks `<server>/hooks/<17-character id>/<48-character token>`.
  hook({
    id: 'rocketchat-webhook',
    provider: 'Rocket.Chat',
    keywords: ['/hooks/'],
    re: /\/hooks\/(?<=https?:\/\/[\w.-]{1,253}(?::\d{1,5})?\/hooks\/)[A-Za-z0-9]{17}\/[A-Za-z0-9]{48}(?![\w-])/g,
  }),
  // https://help.ifttt.com/hc/en-us/articles/115010230347: Webhooks service,
  // `maker.ifttt.com/trigger/<event>/with/key/<key>` or `maker.ifttt.com/use/<key>`.
  hook({
    id: 'ifttt-webhook',
    provider: 'IFTTT',
    keywords: ['maker.ifttt.com'],
    lead: 8,
    re: /https?:\/\/maker\.ifttt\.com\/(?:trigger\/[\w-]{1,100}\/(?:json\/)?with\/key|use)\/[\w-]{20,64}/g,
  }),
  // https://www.make.com/en/help/tools/webhooks: `hook.<zone>.make.com/<32>` (formerly Integromat).
  hook({
    id: 'make-webhook',
    provider: 'Make',
    keywords: ['.make.com/', 'integromat.com/'],
    lead: 20,
    re: /https:\/\/hook\.(?:[a-z0-9]{2,6}\.)?(?:make|integromat)\.com\/[a-z0-9]{32}\b/g,
  }),
  // https://pipedream.com/docs/workflows/building-workflows/triggers: `<endpoint>.m.pipedream.net`.
  hook({
    id: 'pipedream-webhook',
    provider: 'Pipedream',
    keywords: ['.m.pipedream.net'],
    // The endpoint id comes before the host's name: streamed, every URL is held until it ends.
    streamKeywords: ['https://'],
    re: /https:\/\/[a-z0-9]{15,40}\.m\.pipedream\.net/g,
  }),
  // https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot: `open-apis/bot/v2/hook/<uuid>`.
  hook({
    id: 'feishu-webhook',
    provider: 'Feishu / Lark',
    keywords: ['/open-apis/bot/v2/hook/'],
    // The span from the path on (the host before it is public).
    re: new RegExp(
      `\\/open-apis\\/bot\\/v2\\/hook\\/(?<=https:\\/\\/open\\.(?:feishu\\.cn|larksuite\\.com)\\/open-apis\\/bot\\/v2\\/hook\\/)${UUID}`,
      'g',
    ),
  }),
  // https://open.dingtalk.com/document/robots/custom-robot-access: `oapi.dingtalk.com/robot/send?access_token=<64 hex>`.
  hook({
    id: 'dingtalk-webhook',
    provider: 'DingTalk',
    keywords: ['oapi.dingtalk.com'],
    lead: 8,
    re: /https:\/\/oapi\.dingtalk\.com\/robot\/send\?access_token=[a-f0-9]{64}/g,
  }),
  // https://developer.work.weixin.qq.com/document/path/91770: `qyapi.weixin.qq.com/cgi-bin/webhook/send?key=<uuid>`.
  hook({
    id: 'wecom-webhook',
    provider: 'WeCom',
    keywords: ['qyapi.weixin.qq.com'],
    lead: 8,
    re: new RegExp(
      `https:\\/\\/qyapi\\.weixin\\.qq\\.com\\/cgi-bin\\/webhook\\/send\\?key=${UUID}`,
      'g',
    ),
  }),
  // https://developer.webex.com/docs/api/v1/webhooks: incoming webhooks
  // `webexapis.com/v1/webhooks/incoming/<base64 id>`.
  hook({
    id: 'webex-webhook',
    provider: 'Webex',
    keywords: ['webexapis.com/v1/webhooks/incoming/'],
    lead: 8,
    re: /https:\/\/webexapis\.com\/v1\/webhooks\/incoming\/[A-Za-z0-9_=-]{60,200}/g,
  }),
];
