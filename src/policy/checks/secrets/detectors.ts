/**
 * Credential detectors. Each names the provider, the lower-case keywords every match contains
 * (a cheap pre-filter, and the trigger prefixes for streaming hold-back), a linear-time
 * pattern (group `s` marks the secret when the match has context around it), and optional
 * validation. Formats are the providers' documented token formats; gitleaks' and
 * detect-secrets' test cases measure them (docs/detection.md).
 */
import { shannon } from '../support/entropy.js';

export interface Detector {
  id: string;
  provider: string;
  keywords: readonly string[];
  /** Global regex; named group `s`, when present, is the secret span. */
  re: RegExp;
  /** Length of the fixed prefix, excluded from the placeholder check. */
  prefix?: number;
  minEntropy?: number;
  validate?(secret: string, match: RegExpExecArray): boolean;
  /** Streaming: how far before a keyword the secret can start, its longest length, when it is complete. */
  lead?: number;
  maxSpan?: number;
  settle?: RegExp;
  /** Streaming triggers when the keywords are not near the secret's start. */
  streamKeywords?: readonly string[];
}

/** A token ended: a character no token format contains. */
export const TOKEN_END = /[^A-Za-z0-9_\-./+=~]/;
/**
 * A `name = value` assignment is settled once the value ended or no value can follow. Each
 * part is matched atomically (`(?=(…))\1`): backtracking into the name or the value would let
 * a shorter name or an empty value "end" at the next character and settle a value still
 * arriving (it was released before the rule decided).
 */
export const ASSIGNMENT_END =
  /^(?=([A-Za-z0-9_.-]{0,20}["']?\s*))\1(?:[^:=,\s]|[:=,]>?(?=(\s*["']?[A-Za-z0-9+/_.~=@!#$%^&*-]*))\2[^A-Za-z0-9+/_.~=@!#$%^&*-])/;

const b64urlJson = (part: string): boolean => {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null;
  } catch {
    return false;
  }
};

/** GitLab token prefixes and the body lengths their formats allow. */
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

const GENERIC_NOT_SECRET_NAME =
  /(?:id|ids|name|url|uri|file|path|size|length|len|type|version|mode|format|count|kind|public[\w.-]*|hash|field|header|prefix|index|label|secrets|tokens|keys)$|csrf|xsrf|public/i;

// Quantifiers are bounded: V8's backtracking stack overflows (a throw) when an unbounded one
// runs over a few megabytes of token characters.
export const detectors: readonly Detector[] = [
  {
    id: 'aws-access-key-id',
    provider: 'AWS',
    keywords: ['akia', 'asia', 'abia', 'acca', 'a3t'],
    re: /\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/g,
    prefix: 4,
  },
  {
    id: 'aws-secret-access-key',
    provider: 'AWS',
    keywords: ['aws'],
    re: /aws[\w.-]{0,20}(?:secret|access)[\w.-]{0,20}["']?\s*(?:[:=]|:=|=>)\s*["']?(?<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
    minEntropy: 3.5,
    maxSpan: 120,
    settle:
      /^(?=([\w.-]{0,45}["']?\s*))\1(?:[^:=\s]|[:=]>?(?=(\s*["']?[A-Za-z0-9/+=]*))\2[^A-Za-z0-9/+=])/,
  },
  {
    id: 'aws-bedrock-api-key',
    provider: 'AWS',
    keywords: ['absk', 'bedrock-api-key-'],
    maxSpan: 600,
    re: /(?<![A-Za-z0-9+/])ABSKQmVkcm9ja0FQSUtleS[A-Za-z0-9+/]{100,300}={0,2}(?![A-Za-z0-9+/=])|\bbedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/=%&_.-]{0,4096}/g,
    validate: (s) => !s.startsWith('ABSK') || (s.length - 4) % 4 === 0,
  },
  {
    id: 'github-token',
    provider: 'GitHub',
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
    re: /\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b/g,
    prefix: 4,
  },
  {
    id: 'gitlab-token',
    provider: 'GitLab',
    keywords: Object.keys(GITLAB).map((k) => k.toLowerCase()),
    maxSpan: 1100,
    re: /(?<![\w-])(?:gl(?:pat|dt|cbt|imt|ptt|agent|oas|rt|soat|ft|ffct)-|GR1348941)[A-Za-z0-9_-]{18,1023}[A-Za-z0-9-](?![\w-])/g,
    minEntropy: 3,
    validate(s) {
      const p = Object.keys(GITLAB).find((k) => s.startsWith(k));
      if (!p) return false;
      const [min, max] = GITLAB[p]!;
      const n = s.length - p.length;
      return n >= min && n <= max;
    },
  },
  {
    id: 'slack-token',
    provider: 'Slack',
    keywords: ['xox', 'xapp-'],
    maxSpan: 1400,
    re: /\bxox[a-z]-\d{1,20}(?:-[A-Za-z0-9]{1,200}){1,6}(?![\w#-])|\bxoxe\.xox[bp]-\d-[A-Za-z0-9]{100,200}\b|\bxapp-\d-[A-Z0-9]{9,12}-\d{10,14}-[a-f0-9]{40,80}\b/g,
    prefix: 5,
    validate: (s) => (s.split('-').at(-1)?.length ?? 0) >= 8,
  },
  {
    id: 'slack-webhook',
    provider: 'Slack',
    keywords: ['hooks.slack.com'],
    lead: 8,
    re: /https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/]{20,120}/g,
    prefix: 31,
  },
  {
    id: 'stripe-key',
    provider: 'Stripe',
    keywords: ['sk_live_', 'sk_test_', 'sk_prod_', 'rk_live_', 'rk_test_', 'rk_prod_'],
    re: /\b[rs]k_(?:live|test|prod)_[A-Za-z0-9]{10,247}\b/g,
    prefix: 8,
  },
  {
    id: 'openai-key',
    provider: 'OpenAI',
    keywords: ['t3blbkfj'],
    streamKeywords: ['sk-'],
    maxSpan: 430,
    // Never starts inside a run of key characters (`sk-sk-sk-…` restarted at every `sk-`).
    re: /(?<![A-Za-z0-9_-])sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{16,200}T3BlbkFJ[A-Za-z0-9_-]{16,200}/g,
  },
  {
    id: 'anthropic-api-key',
    provider: 'Anthropic',
    keywords: ['sk-ant-api'],
    re: /\bsk-ant-api03-[A-Za-z0-9_-]{93}AA(?![\w-])/g,
    prefix: 14,
  },
  {
    id: 'anthropic-admin-key',
    provider: 'Anthropic',
    keywords: ['sk-ant-admin'],
    re: /\bsk-ant-admin01-[A-Za-z0-9_-]{93}AA(?![\w-])/g,
    prefix: 16,
  },
  {
    id: 'google-api-key',
    provider: 'Google',
    keywords: ['aiza'],
    re: /\bAIza[0-9A-Za-z_-]{35}(?![\w-])/g,
    prefix: 4,
  },
  {
    id: 'gcp-service-account',
    provider: 'Google',
    keywords: ['service_account'],
    lead: 20,
    re: /"type"\s*:\s*"service_account"/g,
  },
  {
    id: 'azure-ad-client-secret',
    provider: 'Azure',
    keywords: ['q~'],
    lead: 4,
    maxSpan: 45,
    re: /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g,
  },
  {
    id: 'azure-storage-key',
    provider: 'Azure',
    keywords: ['accountkey'],
    re: /AccountKey=(?<s>[A-Za-z0-9+/]{86}==)/gi,
  },
  {
    id: 'npm-token',
    provider: 'npm',
    keywords: ['npm_', '_authtoken'],
    maxSpan: 400,
    re: /\bnpm_[A-Za-z0-9]{36}\b|\/\/registry\.npmjs\.org\/:_authToken=\s*(?<s>[^\s'"]{8,256})/g,
  },
  {
    id: 'pypi-token',
    provider: 'PyPI',
    keywords: ['pypi-age'],
    maxSpan: 2000,
    re: /\bpypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{70,2000}/g,
  },
  {
    id: 'twilio-api-key',
    provider: 'Twilio',
    keywords: ['sk'],
    re: /\bSK[0-9a-f]{32}\b/g,
    prefix: 2,
    minEntropy: 3,
  },
  {
    id: 'sendgrid-api-key',
    provider: 'SendGrid',
    keywords: ['sg.'],
    re: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![\w-])/g,
    prefix: 3,
  },
  {
    id: 'huggingface-token',
    provider: 'Hugging Face',
    keywords: ['hf_', 'api_org_'],
    re: /\b(?:hf_|api_org_)[A-Za-z]{34}\b/g,
    prefix: 3,
  },
  {
    id: 'private-key',
    provider: 'PEM',
    keywords: ['-----begin'],
    maxSpan: 33000,
    settle: /-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/,
    // Labels have no `-`: a label that could run across `-----` into the next header made a
    // run of headers cost a hundred steps each.
    re: /-----BEGIN[ A-Z0-9_]{0,100}PRIVATE KEY(?: BLOCK)?-----(?:[^-]|-(?!----)){64,32768}(?:-----END[ A-Z0-9_]{0,100}PRIVATE KEY(?: BLOCK)?-----)?/g,
    validate: (s) => /[A-Za-z0-9+/]{40,}/.test(s),
  },
  {
    id: 'jwt',
    provider: 'JWT',
    keywords: ['eyj'],
    maxSpan: 8192,
    // Never starts inside a run of token characters (`eyJ-eyJ-…` would rescan the run from
    // every `eyJ`: quadratic).
    re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,8192}={0,2}\.eyJ[A-Za-z0-9_-]{8,8192}={0,2}(?:\.[A-Za-z0-9_-]{8,8192}={0,2})?/g,
    validate: (s) => b64urlJson(s.split('.')[0]!.replace(/=+$/, '')),
  },
  {
    id: 'generic-secret',
    provider: 'generic',
    keywords: ['secret', 'token', 'passw', 'pwd', 'key', 'credential', 'auth'],
    settle: ASSIGNMENT_END,
    re: /(?:secret|token|passwd|password|pwd|api[_.-]?key|apikey|access[_.-]?key|auth[_.-]?key|credentials?|private[_.-]?key|auth(?![a-z]))[A-Za-z0-9_.-]{0,20}["']?\s*(?:[:=]|:=|=>|,)\s*["']?(?<s>[A-Za-z0-9+/_.~=@!#$%^&*-]{12,150})/gi,
    minEntropy: 3.5,
    validate: (s, m) =>
      !GENERIC_NOT_SECRET_NAME.test(nameOf(m)) &&
      /[0-9]/.test(s) &&
      /[A-Za-z]/.test(s) &&
      !/^[a-z]+(?:[._-][a-z]+)+$/i.test(s) &&
      !/\d+\.\d+(?:\.\d+)?(?:[-.][A-Za-z0-9]+)?$/.test(s),
  },
];

/** The whole key name around a generic match's keyword (up to 30 characters before it). */
function nameOf(m: RegExpExecArray): string {
  let a = m.index;
  while (a > 0 && m.index - a < 30 && /[A-Za-z0-9_.-]/.test(m.input[a - 1]!)) a--;
  if (a > 0 && /[A-Za-z0-9]/.test(m.input[a - 1]!)) return '';
  const tail = /^[A-Za-z0-9_.-]*/.exec(m.input.slice(m.index))?.[0] ?? '';
  return m.input.slice(a, m.index) + tail;
}

export function entropyOk(d: Detector, secret: string): boolean {
  return d.minEntropy === undefined || shannon(secret.slice(d.prefix ?? 0)) >= d.minEntropy;
}
