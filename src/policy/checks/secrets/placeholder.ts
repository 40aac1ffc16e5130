/**
 * Placeholders are not secrets: `sk-...`, `<your-key>`, `YOUR_API_KEY`, `${TOKEN}`,
 * `xxxxxxxx`, `****`, `replace-me`, and the example credentials providers print in their own
 * documentation (AWS's end in `EXAMPLE`).
 */
const WORDS =
  /your[_-]?(?:api[_-]?)?(?:key|token|secret|password)|placeholder|redacted|changeme|change[_-]me|replace[_-]?me|insert[_-]?here|example|dummy|\.\.\.|<[^<>]*>|\$\{|\{\{|abcdefghijkl|0123456789|123456789|randomstring|(?:token|key|secret)here\b|x{5,}|\*{3,}/i;
/** A format string's slot (`%s`; case matters: `zS%S4…` is a password). */
const SLOT = /%s(?![A-Za-z0-9])/;

/** Example credentials from providers' documentation (AWS's, most famously). */
const DOCUMENTED = new Set(['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY']);

/** True when `body` (the secret without its fixed prefix) is mostly one repeated character. */
function monotonous(body: string): boolean {
  const alnum = body.replace(/[^A-Za-z0-9]/g, '');
  if (alnum.length < 6) return false;
  const counts = new Map<string, number>();
  let max = 0;
  for (const c of alnum.toLowerCase()) {
    const n = (counts.get(c) ?? 0) + 1;
    counts.set(c, n);
    if (n > max) max = n;
  }
  return max / alnum.length >= 0.6;
}

export function isPlaceholder(value: string, body: string = value): boolean {
  return DOCUMENTED.has(value) || WORDS.test(value) || SLOT.test(value) || monotonous(body);
}
