/**
 * One reading of a request path, before routing: percent-encoded unreserved characters are
 * decoded and dot segments removed (RFC 3986 §6.2.2.2, §5.2.4), so `/v1/chat/%63ompletions`
 * and `/v1/x/../chat/completions` are the route they name — for the adapters and for the
 * upstream alike, which is sent the normalised path. What cannot be read one way only is
 * refused: an encoded `/` or `\`, a literal `\`, a malformed escape, a path above the root.
 */
export type PathResult = { ok: true; path: string } | { ok: false; reason: string };

const UNRESERVED = /[A-Za-z0-9\-._~]/;
const HEX = /^[0-9A-Fa-f]{2}$/;

export function normalisePath(raw: string): PathResult {
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  const query = q === -1 ? '' : raw.slice(q);
  if (!path.startsWith('/')) return { ok: false, reason: 'the path must start with /' };
  if (path.includes('\\')) return { ok: false, reason: 'the path contains a backslash' };
  // Nothing to decode and no dot segment: the path reads one way only, as it is.
  if (!path.includes('%') && !path.includes('/.')) return { ok: true, path: raw };
  let decoded = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c !== '%') {
      decoded += c;
      continue;
    }
    const hex = path.slice(i + 1, i + 3);
    if (!HEX.test(hex)) return { ok: false, reason: 'the path has a malformed percent escape' };
    const ch = String.fromCharCode(parseInt(hex, 16));
    if (ch === '/' || ch === '\\')
      return { ok: false, reason: 'the path contains an encoded / or \\' };
    decoded += UNRESERVED.test(ch) ? ch : `%${hex.toUpperCase()}`;
    i += 2;
  }
  const out: string[] = [];
  const segments = decoded.split('/').slice(1);
  for (const [i, s] of segments.entries()) {
    const last = i === segments.length - 1;
    if (s === '.') {
      if (last) out.push('');
    } else if (s === '..') {
      if (out.length === 0) return { ok: false, reason: 'the path climbs above the root' };
      out.pop();
      if (last) out.push('');
    } else out.push(s);
  }
  return { ok: true, path: `/${out.join('/')}${query}` };
}
