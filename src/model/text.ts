/**
 * Strings an upstream or a client chose (a reported model, a fingerprint) as telemetry keeps
 * them: at most `keep` UTF-16 units, then `…` when cut; a cut never leaves half a surrogate pair.
 */
export function ellipsis(s: string, keep: number): string {
  if (s.length <= keep) return s;
  const end = /[\uD800-\uDBFF]/.test(s[keep - 1] ?? '') ? keep - 1 : keep;
  return `${s.slice(0, end)}…`;
}
