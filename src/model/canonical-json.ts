/**
 * Canonical JSON: the bytes a hash or signature is computed over (audit records, baseline and
 * evidence files). Object keys sorted recursively (by UTF-16 code unit,
 * `Array.prototype.sort`'s default), no whitespace, values rendered as
 * `JSON.stringify` renders them (undefined members omitted, non-finite numbers as null,
 * `toJSON` honoured). Contract: `canonicalJson(JSON.parse(canonicalJson(v)))` equals
 * `canonicalJson(v)`, so a verifier that parses a line reproduces the writer's bytes.
 */
export function canonicalJson(value: unknown): string {
  const out = render(value);
  return out === undefined ? 'null' : out;
}

function render(value: unknown): string | undefined {
  if (value !== null && typeof value === 'object') {
    const withToJson = value as { toJSON?: () => unknown };
    if (typeof withToJson.toJSON === 'function') return render(withToJson.toJSON());
    if (Array.isArray(value)) {
      return `[${value.map((v: unknown) => render(v) ?? 'null').join(',')}]`;
    }
    const obj = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(obj).sort()) {
      const v = render(obj[key]);
      if (v !== undefined) parts.push(`${JSON.stringify(key)}:${v}`);
    }
    return `{${parts.join(',')}}`;
  }
  // Primitives (and undefined / functions / symbols, which JSON omits) as JSON renders them.
  // (typed `string`, but undefined for exactly those).
  const text: string | undefined = JSON.stringify(value);
  return text;
}
