/**
 * Cloud platforms: AWS, Google Cloud, Azure, Alibaba Cloud, Tencent Cloud, IBM Cloud.
 * Formats from the providers' documentation (linked per detector).
 */
import type { Detector } from './detector.js';
import { URL_END } from './detector.js';
import { ci, near, SEP } from './shapes.js';

const family = 'cloud';

export const cloud: readonly Detector[] = [
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
  // (unique-ID prefixes: AKIA access key, ASIA temporary key, ABIA/ACCA service keys), base32 body.
  {
    id: 'aws-access-key-id',
    provider: 'AWS',
    family,
    keywords: ['akia', 'asia', 'abia', 'acca', 'a3t'],
    re: /\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/g,
    prefix: 4,
  },
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html: the secret
  // access key is 40 base64 characters with no prefix, so its name must be next to it
  // (`aws_secret_access_key`, `AWS_SECRET…`, STS's `"SecretAccessKey"`).
  {
    id: 'aws-secret-access-key',
    provider: 'AWS',
    family,
    keywords: ['aws', 'secret'],
    re: /(?:aws[\w.-]{0,20}(?:secret|access)|secret[_.-]?access[_.-]?key)[\w.-]{0,20}["']?\s*(?:[:=,]|:=|=>)\s*["']?(?<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
    minEntropy: 3.5,
    maxSpan: 120,
    settle:
      /^(?=([\w.-]{0,45}["']?\s*))\1(?:[^:=,\s]|[:=,]>?(?=(\s*["']?[A-Za-z0-9/+=]*))\2[^A-Za-z0-9/+=])/,
  },
  // https://docs.aws.amazon.com/STS/latest/APIReference/API_Credentials.html: the session token
  // of temporary credentials, base64, hundreds of characters; found by its name, or by the
  // base64 of the binary header STS tokens start with (`FwoGZXIvYXdzE`, `IQoJb3JpZ2luX2Vj`).
  {
    id: 'aws-session-token',
    provider: 'AWS',
    family,
    keywords: [
      'session_token',
      'session-token',
      'sessiontoken',
      'security_token',
      'security-token',
      'securitytoken',
      'fwogzxivyxdze',
      'iqojb3jpz2lux2vj',
    ],
    re: /(?:(?:session|security)[_-]?token["']?[ \t]{0,4}(?:[:=,]|:=|=>)[ \t]{0,4}["']?(?<s>[A-Za-z0-9/+]{100,4096}={0,2})|(?<![A-Za-z0-9+/])(?:FwoGZXIvYXdzE|IQoJb3JpZ2luX2Vj)[A-Za-z0-9/+]{80,4096}={0,2})(?![A-Za-z0-9/+=])/gi,
    minEntropy: 4,
    maxSpan: 4200,
  },
  // https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys.html: long-term keys are
  // `ABSK` + base64("BedrockAPIKey-…"); short-term keys `bedrock-api-key-` + base64 of a
  // presigned URL of bedrock.amazonaws.com.
  {
    id: 'aws-bedrock-api-key',
    provider: 'AWS',
    family,
    keywords: ['absk', 'bedrock-api-key-'],
    maxSpan: 600,
    re: /(?<![A-Za-z0-9+/])ABSKQmVkcm9ja0FQSUtleS[A-Za-z0-9+/]{100,300}={0,2}(?![A-Za-z0-9+/=])|\bbedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/=%&_.-]{0,4096}/g,
    validate: (s) => !s.startsWith('ABSK') || (s.length - 4) % 4 === 0,
  },
  // https://cloud.google.com/docs/authentication/api-keys: `AIza` + 35 characters.
  {
    id: 'google-api-key',
    provider: 'Google',
    family,
    keywords: ['aiza'],
    re: /\bAIza[0-9A-Za-z_-]{35}(?![\w-])/g,
    prefix: 4,
  },
  // https://cloud.google.com/iam/docs/keys-create-delete: a service-account key file.
  {
    id: 'gcp-service-account',
    provider: 'Google',
    family,
    keywords: ['service_account'],
    lead: 20,
    re: /"type"\s*:\s*"service_account"/g,
  },
  // https://developers.google.com/identity/protocols/oauth2: client secrets start `GOCSPX-`
  // (since 2021), access tokens `ya29.`, refresh tokens `1//0`.
  {
    id: 'google-oauth-client-secret',
    provider: 'Google',
    family,
    keywords: ['gocspx-'],
    re: /\bGOCSPX-[A-Za-z0-9_-]{28}(?![\w-])/g,
    prefix: 7,
  },
  {
    id: 'google-oauth-token',
    provider: 'Google',
    family,
    keywords: ['ya29.', '1//0'],
    maxSpan: 2100,
    re: /\bya29\.[A-Za-z0-9_-]{30,2048}|(?<![\w/])1\/\/0[A-Za-z0-9_-]{40,512}/g,
    prefix: 5,
    minEntropy: 3.5,
  },
  // https://learn.microsoft.com/entra/identity-platform/: client secrets carry `Q~` after
  // three characters and a digit (the 40-character format since 2021).
  {
    id: 'azure-ad-client-secret',
    provider: 'Azure',
    family,
    keywords: ['q~'],
    lead: 4,
    maxSpan: 45,
    re: /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?!\.*[A-Za-z0-9_~-])/g,
  },
  // https://learn.microsoft.com/azure/storage/common/storage-configure-connection-string:
  // `AccountKey=` + base64 of 64 bytes (storage, Cosmos DB).
  {
    id: 'azure-storage-key',
    provider: 'Azure',
    family,
    keywords: ['accountkey'],
    re: /AccountKey=(?<s>[A-Za-z0-9+/]{86}==)/gi,
  },
  // https://learn.microsoft.com/azure/service-bus-messaging/service-bus-sas: Service Bus,
  // Event Hubs and IoT Hub connection strings, `SharedAccessKey=` + base64 of 32 bytes.
  {
    id: 'azure-shared-access-key',
    provider: 'Azure',
    family,
    keywords: ['sharedaccesskey='],
    re: /SharedAccessKey=(?<s>[A-Za-z0-9+/]{43}=)(?![A-Za-z0-9+/=])/gi,
  },
  // https://learn.microsoft.com/azure/storage/common/storage-sas-overview: a SAS URL's `sig`
  // (base64 HMAC-SHA256, URL-encoded) after its service version `sv=YYYY-MM-DD`.
  {
    id: 'azure-sas-token',
    provider: 'Azure',
    family,
    keywords: ['sv=20'],
    maxSpan: 800,
    settle: URL_END,
    re: /\bsv=20\d\d-\d\d-\d\d[^\s"'<>]{0,600}?[?&]sig=(?<s>[A-Za-z0-9%+/]{40,120}={0,2})(?![A-Za-z0-9%+/=])/g,
    minEntropy: 3.5,
  },
  // https://www.alibabacloud.com/help/en/ram/user-guide/create-an-accesskey-pair: AccessKey
  // IDs start `LTAI`; the 30-character secret has no prefix.
  {
    id: 'alibaba-access-key-id',
    provider: 'Alibaba Cloud',
    family,
    keywords: ['ltai'],
    re: /\bLTAI[A-Za-z0-9]{12,20}\b/g,
    prefix: 4,
    minEntropy: 3,
  },
  near({
    id: 'alibaba-access-key-secret',
    provider: 'Alibaba Cloud',
    family,
    names: ['alibaba', 'aliyun', 'access_key_secret', 'accesskeysecret'],
    value: '[A-Za-z0-9]{30}',
    maxValue: 30,
    minEntropy: 3.5,
  }),
  // https://www.tencentcloud.com/document/product/598/32675: SecretId `AKID` + 32; SecretKey 32.
  {
    id: 'tencent-secret-id',
    provider: 'Tencent Cloud',
    family,
    keywords: ['akid'],
    re: /\bAKID[A-Za-z0-9]{32}\b/g,
    prefix: 4,
    minEntropy: 3.5,
  },
  near({
    id: 'tencent-secret-key',
    provider: 'Tencent Cloud',
    family,
    names: ['tencent', 'qcloud'],
    value: '[A-Za-z0-9]{32}',
    maxValue: 32,
    minEntropy: 3.5,
  }),
  // https://cloud.ibm.com/docs/account?topic=account-userapikey: IAM API keys, 44 characters
  // of [A-Za-z0-9_-], no prefix.
  near({
    id: 'ibm-cloud-iam-key',
    provider: 'IBM Cloud',
    family,
    names: ['ibm', 'iam', 'cloud', 'apikey'],
    value: '[A-Za-z0-9_-]{44}',
    maxValue: 44,
    minEntropy: 3.5,
  }),
  // https://cloud.ibm.com/docs/cloud-object-storage?topic=cloud-object-storage-uhc-hmac-credentials-main:
  // HMAC secret access keys, 48 hex characters.
  near({
    id: 'ibm-cos-hmac-secret',
    provider: 'IBM Cloud',
    family,
    names: ['secret_access_key', 'secretaccesskey', 'cos_secret', 'hmac_secret'],
    value: '[a-f0-9]{48}',
    maxValue: 48,
    minEntropy: 3,
  }),
  // https://cloud.ibm.com/docs/account?topic=account-classic_keys: SoftLayer (classic
  // infrastructure) API keys, 64 hex characters; also in the SOAP endpoint's path.
  {
    id: 'softlayer-api-key',
    provider: 'IBM SoftLayer',
    family,
    keywords: ['softlayer', 'sl_', 'sl-', 'slapi'],
    maxSpan: 180,
    settle: /[\r\n]/,
    re: new RegExp(
      `(?:(?:${ci('softlayer')}|\\b${ci('sl')}[_-]?(?:${ci('api')}[_-]?)?(?:${ci('key')}|${ci('pass')}|${ci('pwd')}))[\\w.-]{0,20}["']?(?:${SEP}|[ \\t]{1,4})["']?|${ci('api.softlayer.com')}\\/(?:soap|rest)\\/v3(?:\\.1)?\\/)(?<s>[a-z0-9]{64})(?![\\w-])`,
      'g',
    ),
    minEntropy: 3,
  },
  // https://cloud.ibm.com/docs/Cloudant?topic=Cloudant-managing-access-for-cloudant: legacy
  // credentials, 24-character API keys and 64-character passwords (URLs: url-password).
  near({
    id: 'ibm-cloudant-password',
    provider: 'IBM Cloudant',
    family,
    names: ['cloudant', 'clou_'],
    value: '(?:[A-Za-z0-9]{64}|[A-Za-z0-9]{24})',
    maxValue: 64,
    minEntropy: 3,
  }),
  // A service-account key's JSON payload inside a base64 blob (GOOGLE_CREDENTIALS=ewogICJ0eXBl…).
  {
    id: 'gcp-service-account-base64',
    provider: 'Google',
    family,
    keywords: ['ewogicj0exblijoginnlcnzpy2vfywnjb3vud', 'eyj0exblijoic2vydmljzv9hy2nvdw50'],
    maxSpan: 4200,
    re: /(?<![A-Za-z0-9+/])(?:ewogICJ0eXBlIjogInNlcnZpY2VfYWNjb3VudC|eyJ0eXBlIjoic2VydmljZV9hY2NvdW50)[A-Za-z0-9+/]{200,4096}={0,2}(?![A-Za-z0-9+/=])/g,
  },
];
