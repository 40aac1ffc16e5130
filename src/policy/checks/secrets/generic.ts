/**
 * `name = value` where the name says secret (`password`, `api_key`, `client_secret`,
 * `AUTH_TOKEN`, a bare `key` or `token`…) and the value looks like one. The separators people
 * write: `=`, `:`, `:=`, `=>`, `->`, `?=`, `,` (tuples), `>` (XML), `|` (tables), ` - `, ` is `, a JSON/YAML
 * `"value":` field after the name (`{"name": "API_KEY", "value": "…"}`), and blanks alone when
 * the name starts its line (`.env`, Dockerfile `ENV`, `.netrc`). Guards keep prose ("the key is
 * to be patient"), code (`token = getToken()`), identifiers, paths and versions out.
 */
import { shannon } from '../support/entropy.js';
import type { Detector } from './detector.js';
import { nameWords, SECRET_SUFFIX, secretName } from './names.js';

/** Characters of a value (passwords take symbols); `=` only as base64 padding. */
const VAL = String.raw`A-Za-z0-9+/_.~@!#$%^&*?\-`;
/**
 * One character of a value: `&` ends it where a query parameter follows
 * (`?user=admin&password=…&useSSL=true`, `?api_key=…&format=json`).
 */
const VALUE_CHAR = String.raw`(?:[A-Za-z0-9+/_.~@!#$%^*?\-]|&(?![\w.-]{1,40}=))`;
/**
 * After the name and its closing quote: a separator — JSON's `, "value":` first, then the
 * others; none at all is the blank-separated form.
 */
const SEP = String.raw`,?[ \t]{0,4}["']?value["']?[ \t]{0,4}[:=]|:{1,3}=?|=>?|->|[?+]=|,|>|\||-(?=[ \t])|is:?(?=[ \t])`;

/** The identifier around the keyword at `m.index` (up to 30 characters before it). */
function nameAt(m: RegExpExecArray): { name: string; start: number } {
  let a = m.index;
  while (a > 0 && m.index - a < 30 && /[A-Za-z0-9_.-]/.test(m.input[a - 1]!)) a--;
  const tail = /^[A-Za-z0-9_.-]*/.exec(m.input.slice(m.index, m.index + 40))?.[0] ?? '';
  return { name: m.input.slice(a, m.index) + tail, start: a };
}

/** Password names: shorter values with symbols are passwords people choose. */
const passwordName = (words: readonly string[]) => words.some((w) => /pass|pwd|^pw$/.test(w));

/** Whether `v` reads as a credential rather than code, a path, a version or a word. */
export function plausibleValue(v: string, password: boolean): boolean {
  if (v.length < (password ? 8 : 12) || !/[A-Za-z]/.test(v)) return false;
  if (/^\$\{?\w+\}?$|^\$\(|^%\(?\w+\)?[sd]?$|^%\w+%$|^\*+$/.test(v)) return false; // variables
  if (/^(?:~|\.{1,2})?\/[\w.-]/.test(v) && shannon(v) < 4) return false; // paths
  if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(v) && !/\d/.test(v)) return false; // a.b.c
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(v)) return false; // MY_API_TOKEN
  if (/^[a-z]+(?:[._-][a-z]+)+$/i.test(v)) return false; // dotted or dashed words
  if (/^[a-z]+(?:[._-][a-z]+)+[.,;:!?]?$/i.test(v)) return false; // … ending a sentence
  if (/^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\.[a-z]{2,10}$/.test(v)) return false; // a host name
  // Unless the name says password (passwords and passphrases are made of words): another
  // key's name (`chain_Anvil2_Key`), or words joined by `_`, `.`, `-` (`DOC_Vector_5_32`,
  // `jetbrains.mps.v8_elimination`) are identifiers.
  if (!password && nameWords(v).some((w) => SECRET_SUFFIX.test(w) || w === 'key')) return false;
  if (
    !password &&
    /[._-]/.test(v) &&
    v.split(/[._-]+/).every((w) => /^(?:[A-Za-z]+\d{0,3}|\d+)?$/.test(w))
  )
    return false;
  if (/^[a-z]+(?:[A-Z][a-z]+)+\d{0,2}$/.test(v)) return false; // camelCaseIdentifier2
  if (/\d+\.\d+(?:\.\d+)?(?:[-.+][A-Za-z0-9.]+)?$/.test(v) && !/[A-Za-z0-9+/]{16}/.test(v))
    return false; // 1.2.3-beta
  if (/^[\w.+-]+@[\w-]+\.[\w.-]+$/.test(v)) return false; // an e-mail address
  if (/^(?:[A-Z][a-z]+)+\d{0,2}$/.test(v)) return false; // PascalCaseIdentifier
  // A password has a digit or a symbol inside it, or random capitals (not a word and a full stop).
  const core = v.replace(/[.,;:!?]+$/, '');
  if (password)
    return (
      (/[\d\W_]/.test(core) || (/[A-Z].*[A-Z]/.test(core) && /[a-z]/.test(core))) &&
      shannon(v) >= 2.5
    );
  // Hex carries at most 4 bits a character: random hex of 16+ scores 3.2–4. Long random
  // mixed-case values may have no digit.
  if (/\d/.test(v)) return shannon(v) >= (/^[a-f0-9]+$/i.test(v) && v.length >= 16 ? 3 : 3.5);
  return v.length >= 24 && /[A-Z]/.test(v) && /[a-z]/.test(v) && shannon(v) >= 4;
}

/** The blank-separated form only where a name starts its line (after `export`, `ENV`…) or follows `.netrc`'s `login x`. */
function lineForm(m: RegExpExecArray, nameStart: number, valueEnd: number): boolean {
  // Windows of 200 characters: a longer head or rest fails the tests anyway, and searching a
  // long line for its ends at every candidate would cost the square of the line.
  const input = m.input;
  const before = input.slice(Math.max(0, nameStart - 200), nameStart);
  const head = before.slice(before.lastIndexOf('\n') + 1);
  if (head.length === before.length && nameStart > 200) return false;
  const after = input.slice(valueEnd, valueEnd + 200);
  const eol = after.indexOf('\n');
  if (eol < 0 && valueEnd + 200 < input.length) return false;
  const rest = eol < 0 ? after : after.slice(0, eol);
  const starts = /^[ \t]*(?:(?:export|env|set|setx|declare(?:[ \t]+-x)?|readonly)[ \t]+)?$/i.test(
    head,
  );
  const netrc = /\blogin[ \t]+\S+[ \t]+$/.test(head);
  return (starts || netrc) && /^["'`]?[ \t]*;?[ \t]*(?:#.*)?\r?$/.test(rest);
}

/** The start of JSON's `, "value":` up to the end of the text: the separator is still arriving. */
const PARTIAL_VALUE_FORM = String.raw`,?[ \t]{0,4}["']?(?:[vV](?:[aA](?:[lL](?:[uU](?:[eE]["']?[ \t]{0,4})?)?)?)?)?`;

export const generic: readonly Detector[] = [
  {
    id: 'generic-secret',
    provider: 'generic',
    family: 'generic',
    keywords: ['secret', 'token', 'pass', 'pwd', 'key', 'credential', 'auth'],
    maxSpan: 320,
    // Settled once the value ended, or nothing that could separate a value follows the name
    // (and not while `, "value":` is still arriving). Each part is matched atomically (`(?=(…))\1`): backtracking would let a shorter name or
    // value "end" at the next character and settle a value still arriving.
    settle: new RegExp(
      String.raw`^(?=([\w.-]{0,25}))\1(?=(["'\]]?[ \t]{0,4}))\2(?!${PARTIAL_VALUE_FORM}$)(?:[^${VAL}:,>|"'\x60=]|(?=((?:${SEP})?[ \t]{0,4}["'\x60]?[${VAL}=]{0,210}))\3[^${VAL}=])`,
    ),
    re: new RegExp(
      String.raw`(?:secret|token|pass|pwd|key|credential|auth)(?=([\w.-]{0,25}))\1(?=(["'\]]?[ \t]{0,4}))\2(?:(?<sep>${SEP})[ \t]{0,4}|(?<=[ \t]))["'\x60]?(?=(?<s>${VALUE_CHAR}{8,200}={0,2}))\k<s>(?!${VALUE_CHAR}|=)`,
      'gi',
    ),
    validate(s, m) {
      const { name, start } = nameAt(m);
      if (!secretName(name)) return false;
      if (m.groups?.['sep'] === undefined) {
        const blank = /[ \t]["'\x60]?$/.test(m[0].slice(0, m[0].length - s.length));
        if (!blank || !lineForm(m, start, m.index + m[0].length)) return false;
      }
      return plausibleValue(s, passwordName(nameWords(name)));
    },
  },
];
