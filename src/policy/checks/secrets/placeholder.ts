/**
 * Placeholders are not secrets: `sk-...`, `<your-key>`, `YOUR_API_KEY`, `${TOKEN}`,
 * `xxxxxxxx`, and the example credentials providers print in their own documentation.
 */
const WORDS =
  /your[_-]?(?:api[_-]?)?(?:key|token|secret)|placeholder|redacted|changeme|insert[_-]?here|\.\.\.|<[^<>]*>|\$\{|\{\{|%s|abcdefghijkl|0123456789|123456789|randomstring|(?:token|key|secret)here\b/i;

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
  return DOCUMENTED.has(value) || WORDS.test(value) || monotonous(body);
}
