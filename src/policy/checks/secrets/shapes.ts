/**
 * Regex pieces shared by detectors: case-insensitive names without the `i` flag (values keep
 * their case), the separators people write between a name and its value, and `near()` for
 * credentials with no prefix of their own, found by the service's name before them.
 */
import type { Detector, Family } from './detector.js';
import { LINE_END } from './detector.js';
import { nameBefore, secretName } from './names.js';

/** A case-insensitive source for a lower-case literal (`ab-` → `[aA][bB]-`). */
export function ci(word: string): string {
  return word.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`).replace(/\./g, '\\.');
}

/**
 * Between a name and its value: `=`, `:`, `::=`, `:=`, `=>`, `->`, `?=`, `+=`, `,` (tuples),
 * `>` (XML), ` - ` and ` is ` (prose), with up to four blanks on each side.
 */
export const SEP = String.raw`[ \t]{0,4}(?::{1,3}=?|=>?|->|[?+]=|,|>|-(?=[ \t])|is:?(?=[ \t]))[ \t]{0,4}`;

/** Characters a value cannot be followed by when it is a run of `[\w-]` (or of base64). */
export const AFTER_WORD = String.raw`[\w-]`;
export const AFTER_B64 = String.raw`[\w+/=-]`;

export interface Near {
  id: string;
  provider: string;
  family: Family;
  /** Lower-case names (literals) that introduce the value, matched in any case… */
  names: readonly string[];
  /** …or exactly as written (`Sumo`, `SUMO`, `sumo` but not `sumO`: `sumOfValues`). */
  cased?: boolean;
  /** The value's shape (a regex source without groups). */
  value: string;
  /** The value's longest length (for the stream gate). */
  maxValue: number;
  /** What must not follow the value (default: a word character or `-`). */
  after?: string;
  minEntropy?: number;
  validate?: Detector['validate'];
  /**
   * The value's shape is the service's own (`sk-…`, `live_…`, `xxxxxxxx:yyyyyyyy`): any name
   * of the service will do. Otherwise (hex, UUIDs, bare alphanumerics) the name must also say
   * secret (`SNYK_TOKEN`, `Datadog API key`; not `SNYK_ORG`, `HEROKU_APP_ID`).
   */
  anyName?: boolean;
}

/** `azure_openai`, `azure openai`, `azureopenai` → `azure`; `dd_api_key` stays whole. */
function streamWord(name: string): string {
  const first = /^[^_ -]+/.exec(name)?.[0] ?? name;
  return first.length >= 4 && first !== name ? first : name;
}

/** At least one digit and one letter: random alphanumerics of 20+ characters almost always. */
export const mixed = (s: string) => /\d/.test(s) && /[A-Za-z]/.test(s);

/**
 * `NAME… = value` on one line: a name of the service, up to 40 more characters of the key's
 * name or words (`_API_KEY`, ` api key`), a separator (or blanks, or a Markdown table's `|`), an
 * optional quote or backtick, the value. Without
 * the name, such values (hex, UUIDs, short alphanumerics) would be hashes and identifiers.
 */
export function near(n: Near): Detector {
  // `azure_openai` is also written `azure-openai`, `Azure OpenAI` and `azureOpenAI`.
  const all = n.cased
    ? n.names
    : [...new Set(n.names.flatMap((x) => [x, x.replace(/[_-]/g, ' '), x.replace(/[_-]/g, '')]))];
  const names = all.map((x) => (n.cased ? x.replace(/\./g, '\\.') : ci(x))).join('|');
  const d: Detector = {
    id: n.id,
    provider: n.provider,
    family: n.family,
    keywords: [...new Set(all.map((x) => x.toLowerCase()))],
    // Streamed, a name's first word (4+ letters) is enough to hold from, and every spelling
    // contains it: fewer triggers for the gate to plan.
    streamKeywords: [...new Set(all.map((x) => streamWord(x.toLowerCase())))],
    re: new RegExp(
      `(?:${names})[\\w .-]{0,40}?["'\\]]?(?:${SEP}|[ \\t]{0,4}\\|[ \\t]{0,4}|[ \\t]{1,4})["'\`]?(?<s>${n.value})(?!${n.after ?? AFTER_WORD})`,
      'g',
    ),
    maxSpan: 100 + n.maxValue,
    settle: LINE_END,
  };
  if (n.minEntropy !== undefined) d.minEntropy = n.minEntropy;
  const check = n.validate;
  if (!n.anyName)
    d.validate = (s, m) => secretName(nameBefore(m, s), true) && (!check || check(s, m));
  else if (check) d.validate = check;
  return d;
}
