/**
 * Percent-decoding that cannot throw: `%XX` escapes become bytes, the bytes are read as UTF-8,
 * and malformed sequences (`%FF`, a truncated `%E0%A4`, an encoded surrogate) become U+FFFD —
 * the WHATWG URL standard's "percent-decode, then UTF-8 decode without BOM". A `%` not followed
 * by two hex digits stays as it is. (`decodeURIComponent` throws a URIError on the first
 * malformed escape, which content controls.)
 */
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const encoder = new TextEncoder();

const hex = (b: number): number =>
  b >= 0x30 && b <= 0x39
    ? b - 0x30
    : (b | 0x20) >= 0x61 && (b | 0x20) <= 0x66
      ? (b | 0x20) - 0x57
      : -1;

export function percentDecode(s: string): string {
  if (!s.includes('%')) return s;
  // Lone surrogates in the input encode as U+FFFD, like the URL parser's own encoding.
  const bytes = encoder.encode(s);
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x25 && i + 2 < bytes.length) {
      const hi = hex(bytes[i + 1]!);
      const lo = hex(bytes[i + 2]!);
      if (hi !== -1 && lo !== -1) {
        out[n++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[n++] = b;
  }
  return utf8.decode(out.subarray(0, n));
}
