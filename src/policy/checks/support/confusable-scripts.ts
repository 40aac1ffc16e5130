/**
 * Scripts of a host label, as UTS #39 §5 judges them: the label's resolved script set (the
 * intersection, over its characters, of their augmented Script_Extensions; Common and
 * Inherited characters count as every script), and its restriction level. A label is mixed
 * script when it is not "Highly Restrictive": not single-script, and not Latin plus one of the
 * CJK combinations (Latin + Han + Hiragana + Katakana; Latin + Han + Bopomofo; Latin + Han +
 * Hangul). Browsers show such labels as punycode for this reason.
 */

/** Scripts told apart (Unicode Script_Extensions values); letters of others count as `Other`. */
const SCRIPTS = [
  'Latin',
  'Greek',
  'Cyrillic',
  'Armenian',
  'Georgian',
  'Hebrew',
  'Arabic',
  'Syriac',
  'Thaana',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Thai',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Khmer',
  'Ethiopic',
  'Cherokee',
  'Mongolian',
  'Han',
  'Hiragana',
  'Katakana',
  'Hangul',
  'Bopomofo',
] as const;
const TESTS = SCRIPTS.map((s) => [s, new RegExp(`\\p{scx=${s}}`, 'u')] as const);
const LETTER = /\p{L}/u;

/** UTS #39's augmentation: a Han character may be Japanese, Korean or Chinese with Bopomofo. */
const AUGMENT: Readonly<Record<string, readonly string[]>> = {
  Han: ['Jpan', 'Kore', 'Hanb'],
  Hiragana: ['Jpan'],
  Katakana: ['Jpan'],
  Hangul: ['Kore'],
  Bopomofo: ['Hanb'],
};

const memo = new Map<number, ReadonlySet<string> | null>();

/** The augmented script set of one code point; null for Common/Inherited (any script). */
export function scriptsOf(cp: number): ReadonlySet<string> | null {
  let v = memo.get(cp);
  if (v !== undefined) return v;
  const ch = String.fromCodePoint(cp);
  const set = new Set<string>();
  for (const [name, re] of TESTS)
    if (re.test(ch)) {
      set.add(name);
      for (const a of AUGMENT[name] ?? []) set.add(a);
    }
  if (!set.size && LETTER.test(ch)) set.add(`Other:${cp >> 7}`);
  v = set.size ? set : null;
  if (memo.size < 65536) memo.set(cp, v);
  return v;
}

/** The resolved script set of `label` (null: no script-specific character at all). */
export function resolvedScripts(label: string, skip?: string): Set<string> | null {
  let out: Set<string> | null = null;
  for (const ch of label) {
    const s = scriptsOf(ch.codePointAt(0)!);
    if (!s || (skip && s.has(skip))) continue;
    if (!out) out = new Set(s);
    else for (const x of out) if (!s.has(x)) out.delete(x);
  }
  return out;
}

/** Whether `label` mixes scripts beyond what UTS #39's Highly Restrictive level allows. */
export function isMixedScript(label: string): boolean {
  const all = resolvedScripts(label);
  if (!all || all.size) return false;
  const rest = resolvedScripts(label, 'Latin');
  return !rest || !['Jpan', 'Kore', 'Hanb'].some((s) => rest.has(s));
}

/**
 * Country-code top-level domains of the non-Latin scripts whose letters imitate Latin ones:
 * a label wholly in such a script is at home under them (`сосо.рф`, `ορος.gr`).
 */
const SCRIPT_TLDS: Readonly<Record<string, ReadonlySet<string>>> = {
  Cyrillic: new Set([
    'ru',
    'su',
    'by',
    'ua',
    'kz',
    'kg',
    'tj',
    'uz',
    'bg',
    'rs',
    'mk',
    'mn',
    'me',
    'ba',
  ]),
  Greek: new Set(['gr', 'cy']),
  Armenian: new Set(['am']),
};

/** The one script of `label` among those of `SCRIPT_TLDS`, if it is wholly in one. */
export function imitatingScript(label: string): string | undefined {
  const s = resolvedScripts(label);
  if (!s) return undefined;
  return Object.keys(SCRIPT_TLDS).find((name) => s.has(name) && !s.has('Latin'));
}

/** Whether `tld` is at home for a label in `script`: its ccTLD, or a TLD in that script. */
export function tldOfScript(tld: string, script: string): boolean {
  if (SCRIPT_TLDS[script]?.has(tld)) return true;
  return resolvedScripts(tld)?.has(script) === true;
}
