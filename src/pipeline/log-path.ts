/**
 * A request path as logs may show it: after the upstream prefix, without the query; a segment
 * that is not letters (with `-`, `_`, `.`, at most 32) or a version (`v1`, `v1beta`) reads `*`,
 * so ids, keys and tokens (they carry digits) never show; at most 8 segments. Letters-only
 * words do show: route names, but also any such word a client puts in a path it invents.
 */
const PLAIN = /^(?:[A-Za-z_.-]{1,32}|v\d{1,2}(?:alpha|beta)?\d{0,2})$/;
const MAX_SEGMENTS = 8;

export function pathForLogs(pathname: string): string {
  const q = pathname.indexOf('?');
  const segments = (q === -1 ? pathname : pathname.slice(0, q)).split('/').slice(1);
  const shown = segments.slice(0, MAX_SEGMENTS).map((s) => (s === '' || PLAIN.test(s) ? s : '*'));
  return `/${shown.join('/')}${segments.length > MAX_SEGMENTS ? '/…' : ''}`;
}
