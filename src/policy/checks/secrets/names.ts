/**
 * Key names: whether `DB_PASSWORD`, `apiKey`, `x-api-key`, `client.secret` name a secret, and
 * not an id, a length, a cache key or a public key. Shared by the generic rule and by the
 * detectors that find a service's value by its name.
 */

/** Name components that make a name a secret's, alone or at the end of a component. */
export const SECRET_SUFFIX =
  /(?:secret|token|password|passwort|passwd|pwd|passphrase|credentials?|apikey|secretkey|accesskey|authkey|privatekey|masterkey|signingkey|encryptionkey|passkey|writekey|keystring)$/;
/** Components that are secret words only on their own (`key`, not `monkey`; `pass`, not `bypass`). */
const SECRET_WORD = new Set(['key', 'pass', 'pw', 'auth', 'pat', 'sk']);
/** A last component naming something about the secret, not the secret. */
const NOT_LAST = new Set(
  (
    'id ids name names url uri urls endpoint host hostname file filename path paths dir size length len type ' +
    'types version mode format count kind hash hashed digest field fields header headers prefix suffix index ' +
    'label secrets tokens keys passwords expiry expires expiration exp ttl timeout lifetime age policy scope ' +
    'scopes method alg algorithm enabled disabled required min max hint pattern regex template example sample ' +
    'env var variable param params column placeholder location region arn ref store provider manager service ' +
    'validator generator handler callback fn func function class hook at on by date time timestamp user ' +
    'username email owner issuer audience uuid bits strength rotation usage status state error errors message ' +
    'msg text desc description title doc docs help link href button input schema spec config configs settings ' +
    'option options rule rules level limit vault ring resolver reader loader getter setter factory builder ' +
    'cache map list set flag flags prompt dialog form modal source pair pairs signature signatures'
  ).split(' '),
);
/** Components that make any such name a non-secret's (`public_key`, `cache_key`, `max_tokens`). */
const NOT_ANY = new Set(
  (
    'public publishable csrf xsrf authenticity cache primary foreign sort partition row lookup idempotency dedup dedupe ' +
    'i18n translation locale max min num next page continuation cursor pagination sync foo bar'
  ).split(' '),
);

/** `DB_PASSWORD`, `apiKey`, `x-api-key`, `client.secret` → their lower-case words. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * Whether a key name names a secret (and not an id, a length, a cache key, a public key).
 * `key`, `pass`, `auth` must end the name (`api_key`, `basic_auth`; not `keyPair`,
 * `AuthSource`) unless `loose` (words before a value in prose: `Datadog API key you asked for`).
 */
export function secretName(name: string, loose = false): boolean {
  const words = nameWords(name);
  const last = words.at(-1);
  if (!last || NOT_LAST.has(last) || words.some((w) => NOT_ANY.has(w))) return false;
  if (SECRET_WORD.has(last)) return true;
  return words.some((w) => SECRET_SUFFIX.test(w) || (loose && SECRET_WORD.has(w)));
}

/**
 * The words naming a value found by `m` (which ends with the value `s`): up to 30 identifier
 * characters before the match (`NEXT_PUBLIC_` of `NEXT_PUBLIC_ALGOLIA_KEY`) and the match up to
 * the value (`ALGOLIA_KEY=`, `Datadog API key is `).
 */
export function nameBefore(m: RegExpExecArray, s: string): string {
  let a = m.index;
  while (a > 0 && m.index - a < 30 && /[A-Za-z0-9_.-]/.test(m.input[a - 1]!)) a--;
  return m.input.slice(a, m.index) + m[0].slice(0, m[0].lastIndexOf(s));
}
