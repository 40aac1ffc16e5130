/**
 * JSON as one line of a line-per-record file (logs, the audit log). JSON escapes C0 controls
 * but leaves U+0085 (NEL), U+2028 and U+2029 raw, and tools that split lines on them (Python's
 * `str.splitlines`, some viewers and shippers) would cut a record where a model- or
 * upstream-supplied string puts one; escaped, the line parses to the same value.
 */
export function jsonLine(json: string): string {
  return json.replace(
    /[\u0085\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
