/** Regex sources for sets of literals. */

export const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A regex source matching any of `words`, shaped as a trie (`a(?:kia|sia|…)|g(?:hp_|…)`):
 * the engine then rejects most positions on their first character.
 */
export function trieSource(words: readonly string[]): string {
  const groups = new Map<string, string[]>();
  for (const w of words) {
    if (!w) continue;
    const g = groups.get(w[0]!);
    if (g) g.push(w.slice(1));
    else groups.set(w[0]!, [w.slice(1)]);
  }
  const alts = [...groups].map(([c, rest]) => {
    const tails = rest.filter((r) => r !== '');
    const inner = tails.length ? trieSource(tails) : '';
    if (!inner) return escape(c);
    return `${escape(c)}(?:${inner})${tails.length < rest.length ? '?' : ''}`;
  });
  return alts.join('|');
}
