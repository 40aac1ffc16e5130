/**
 * Picks the upstream for a client path: the longest configured prefix that matches on a
 * segment boundary. The prefix is stripped; what remains is appended to the upstream's URL.
 * Upstreams come from configuration only: nothing in a request can name a host.
 */
import type { UpstreamConfig } from '../config/schema.js';

export interface Route {
  upstream: UpstreamConfig;
  /** Path after the prefix, starting with `/`, including the query string. */
  path: string;
  /** `path` without the query string. */
  pathname: string;
}

export function createRouter(
  upstreams: readonly UpstreamConfig[],
): (rawPath: string) => Route | undefined {
  const byLength = [...upstreams].sort((a, b) => b.prefix.length - a.prefix.length);
  return (rawPath) => {
    for (const u of byLength) {
      const p = u.prefix;
      let rest: string;
      if (p === '/') rest = rawPath;
      else if (rawPath === p || rawPath.startsWith(`${p}/`) || rawPath.startsWith(`${p}?`))
        rest = rawPath.slice(p.length);
      else continue;
      if (!rest.startsWith('/')) rest = `/${rest}`;
      const q = rest.indexOf('?');
      return { upstream: u, path: rest, pathname: q === -1 ? rest : rest.slice(0, q) };
    }
    return undefined;
  };
}
