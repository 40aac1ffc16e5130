/**
 * Credentials in URLs and HTTP requests: the password of `scheme://user:password@host`
 * (database connection strings — PostgreSQL, MySQL, MongoDB, Redis, AMQP — and any URL), an
 * `Authorization` header's credentials, curl's `-u user:password`.
 */
import { shannon } from '../support/entropy.js';
import { unbase64 } from './checksums.js';
import type { Detector } from './detector.js';
import { ci } from './shapes.js';

const family = 'connection';

/**
 * Stand-ins for a password in examples and templates: a word such as `password` or `secret`,
 * a variable (`$PASS`, `${PASSWORD}`, `%(pw)s`, `{{ pw }}`, `[PASSWORD]`, `<password>`),
 * a run of one character (`****`, `xxx`), and the usual demo defaults.
 */
const STAND_IN =
  /^(?:(?:my|your|db|user|the|some|new|admin)?[_-]?(?:password|passwd|passw0rd|pass|pwd|pw|secret|token|key|apikey|api_key)\d{0,3}|changeme|change_me|example|sample|test|testing|dummy|fake|foo|bar|baz|qux|admin|root|guest|user|username|postgres|mysql|p@ssw0rd|pa55w0rd|pa\$\$w0rd|s3cr3t|hunter2|letmein|123456|12345678|qwerty|redacted|xxx|none|null|empty)$/i;
const VARIABLE = /^[$%{[<(]|[<>]|\{\{|\$\{|\$\(|^:/;

/** Whether `pw` (taken from a URL or `user:pw`) is a real password and not a stand-in. */
export function realPassword(pw: string, user = ''): boolean {
  if (pw.length < 3 || STAND_IN.test(pw) || VARIABLE.test(pw)) return false;
  if (/^(.)\1*$/.test(pw) || /^\d{1,5}$/.test(pw)) return false; // `****`, a port
  return pw !== user;
}

/** `user:` (curl's password prompt) with a token as the user: the token is the secret. */
const tokenUser = (t: string) =>
  t.length >= 8 && shannon(t) >= 3 && /\d/.test(t) && /[A-Za-z]/.test(t);

export const connection: readonly Detector[] = [
  // RFC 3986 §3.2.1 userinfo `user:password@`: connection strings (postgresql://, mysql://,
  // mongodb+srv://, redis://, amqps://, jdbc:…://) and any URL. The secret is the password.
  {
    id: 'url-password',
    provider: 'URL userinfo',
    family,
    keywords: ['://'],
    maxSpan: 420,
    // Settled once the userinfo could not continue (`/`, `?`, `#`, a quote, a blank) or `@` came.
    settle: /[\s/?#'"<>\\]|@./,
    re: /:\/\/(?<=[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/)(?<u>[^\s:@/?#'"<>\\]{0,128}):(?<s>[^\s:@/?#'"<>\\]{1,256})(?=@[\w[%-])/g,
    validate: (s, m) => realPassword(decode(s), decode(m.groups?.['u'] ?? '')),
  },
  // RFC 9110 §11.6.2 `Authorization: <scheme> <credentials>` (Basic, Bearer, Token, Bot,
  // Api-Token …, or a bare token), in headers, curl `-H`, code.
  {
    id: 'http-auth-header',
    provider: 'HTTP',
    family,
    keywords: ['authorization'],
    maxSpan: 1100,
    // Settled once the value ended, or no separator follows the name (atomically: backtracking
    // past the quote or the scheme would "end" the value before it arrived).
    settle:
      /^(?=(["']?[ \t]{0,4}))\1(?:[^:=,\s"']|[:=,](?=([ \t]{0,4}["']?(?:[A-Za-z-]{1,9}[ \t]{1,4})?[A-Za-z0-9_~+/.=@-]*))\2[^A-Za-z0-9_~+/.=@-])/,
    re: new RegExp(
      `${ci('authorization')}["']?[ \\t]{0,4}[:=,][ \\t]{0,4}["']?(?:(?<scheme>${['basic', 'bearer', 'token', 'bot', 'api-token', 'apikey', 'api-key', 'sso-key', 'key', 'digest'].map(ci).join('|')})[ \\t]{1,4})?(?=(?<s>[A-Za-z0-9_~+/.=@-]{8,1024}))\\k<s>(?![A-Za-z0-9_~+/.=@-])`,
      'g',
    ),
    validate(s, m) {
      const scheme = m.groups?.['scheme']?.toLowerCase();
      if (scheme !== 'basic')
        return s.length >= 12 && shannon(s) >= 3 && /\d/.test(s) && /[A-Za-z]/.test(s);
      const text = unbase64(s)?.toString('utf8') ?? '';
      const colon = text.indexOf(':');
      if (colon <= 0 || !/^[\x20-\x7e]+$/.test(text)) return false;
      const pw = text.slice(colon + 1);
      return pw ? realPassword(pw, text.slice(0, colon)) : tokenUser(text.slice(0, colon));
    },
  },
  // https://curl.se/docs/manpage.html#-u: `curl … -u user:password` (or `--user`), on the
  // command's line or its `\`-continued lines. `-u token:` (an empty password, as Stripe's
  // examples write it) makes the user the secret (group `t`).
  {
    id: 'curl-basic-auth',
    provider: 'curl',
    family,
    keywords: ['curl'],
    maxSpan: 800,
    settle: /(?<!\\)\r?\n/,
    re: /\bcurl\b(?:[^\r\n\\]|\\\r?\n|\\(?!\r?\n)){0,300}?[ \t](?:-u|--user)(?:[ \t]{1,4}|=)(?:["']?[^\s:"']{0,64}["']?:["']?(?<s>[^\s"']{3,128})|["']?(?<t>[^\s:"']{8,128})(?=:["']?(?:\s|$)))/g,
    validate(s, m) {
      if (m.groups?.['t'] !== undefined) return tokenUser(s);
      const user = /(?:-u|--user)(?:[ \t]{1,4}|=)["']?([^\s:"']{0,64})/.exec(m[0])?.[1] ?? '';
      return realPassword(s.replace(/["']$/, ''), user);
    },
  },
  // Passwords given on a command line (attack review, issue 14): the MySQL and MariaDB
  // clients' `-pPASSWORD` (no space: `-p` alone prompts) and `--password=`, `sshpass -p`,
  // `docker login -p` / `--password`, `aws configure set aws_secret_access_key`.
  {
    id: 'mysql-password-flag',
    provider: 'MySQL client',
    family,
    keywords: ['mysql', 'mariadb'],
    maxSpan: 800,
    settle: /(?<!\\)\r?\n/,
    re: /\b(?:mysql(?:dump|admin|import|check|sh)?|mariadb(?:-dump|-admin)?)\b(?:[^\r\n\\]|\\\r?\n|\\(?!\r?\n)){0,300}?[ \t](?:-p(?<s>[^\s"'-][^\s"']{2,127})|--password=["']?(?<t>[^\s"']{3,128}))/g,
    validate: (s) => realPassword(s.replace(/["']$/, '')),
  },
  {
    id: 'sshpass-password',
    provider: 'sshpass',
    family,
    keywords: ['sshpass'],
    maxSpan: 300,
    settle: /[\s"']/,
    re: /\bsshpass[ \t]{1,4}-p[ \t]{0,4}["']?(?<s>[^\s"']{3,128})/g,
    validate: (s) => realPassword(s),
  },
  {
    id: 'docker-login-password',
    provider: 'Docker',
    family,
    keywords: ['docker login'],
    maxSpan: 800,
    settle: /(?<!\\)\r?\n/,
    re: /\bdocker login\b(?:[^\r\n\\]|\\\r?\n|\\(?!\r?\n)){0,300}?[ \t](?:-p|--password)(?:[ \t]{1,4}|=)["']?(?<s>[^\s"']{3,256})/g,
    validate: (s) => realPassword(s),
  },
  {
    id: 'aws-configure-secret',
    provider: 'AWS CLI',
    family,
    keywords: ['aws_secret_access_key'],
    maxSpan: 300,
    settle: /[^A-Za-z0-9/+=]/,
    re: /\baws configure set aws_secret_access_key[ \t]{1,4}["']?(?<s>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/g,
    validate: (s) => realPassword(s),
  },
];

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
