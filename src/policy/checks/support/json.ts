/**
 * JSON parsing for model output, bounded in nesting: `[[[[…` a megabyte deep costs V8's
 * parser about a second, and a validator that recurses on a value that deep overflows the
 * stack. Nothing legitimate nests that far, so such text is not accepted as JSON.
 */
export const MAX_JSON_DEPTH = 512;

/** Whether `s` opens more than `max` nested arrays or objects (outside strings); linear. */
export function nestsDeeper(s: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

export type Parsed = { ok: true; value: unknown } | { ok: false; why: string };

/** `JSON.parse`, refusing text nested deeper than `MAX_JSON_DEPTH`; never throws. */
export function parseJson(s: string): Parsed {
  // Prose fails at its first character: no need to measure its nesting first.
  if (!/^\s*[[{"\-0-9tfn]/.test(s)) return { ok: false, why: 'not valid JSON' };
  if (nestsDeeper(s, MAX_JSON_DEPTH))
    return { ok: false, why: `nested deeper than ${MAX_JSON_DEPTH} levels` };
  try {
    return { ok: true, value: JSON.parse(s) as unknown };
  } catch {
    return { ok: false, why: 'not valid JSON' };
  }
}

/**
 * The body of a ``` fenced code block that is the whole of `text` (an optional language tag
 * of letters after the opening fence), or undefined. Parsed by hand: the regex this replaces
 * backtracked cubically on a fence followed by blank lines.
 */
export function fencedBody(text: string): string | undefined {
  const t = text.trim();
  if (t.length < 7 || !t.startsWith('```') || !t.endsWith('```')) return undefined;
  let i = 3;
  while (i < t.length && (t.charCodeAt(i) | 0x20) >= 0x61 && (t.charCodeAt(i) | 0x20) <= 0x7a) i++;
  const open = t.indexOf('\n', i);
  const close = t.lastIndexOf('\n', t.length - 4);
  if (open === -1 || close < open) return undefined;
  if (t.slice(i, open).trim() || t.slice(close, t.length - 3).trim()) return undefined;
  return t.slice(open + 1, close);
}
