/**
 * Exfiltration one character (or word) per image, which no single URL gives away: a client
 * fetches each image of a sequence in order, and which URLs it fetches spells the data. Two
 * shapes are flagged, whatever the host (an allowed one included):
 *
 * - a run of images to one site, only whitespace (or list, table and quote markup) between
 *   them, each with an alt text of at most one character, at least three different URLs among
 *   them — CamoLeak (2025) spelled a secret with GitHub's pre-signed camo.githubusercontent.com
 *   URLs, one per character;
 * - images to one site whose URLs differ in one short part only (a path segment, a query
 *   value, a host label), with at least three different values of it — `/c/j.png`,
 *   `/c/o.png`, … or `?w=the`, `?w=user`, ….
 *
 * A sequence shorter than `min` images is not flagged (star ratings, a few numbered steps).
 * Reference definitions are left out (a document's references to one site are no run).
 */
import type { Candidate } from './candidate.js';
import { urlParts } from './url-data.js';

/** The parts a URL is compared by: host labels, path segments, query pairs in order. */
function parts(url: string): { site: string; parts: string[] } | undefined {
  if (url.length > 1024) return undefined;
  const p = urlParts(url);
  if (!p) return undefined;
  return {
    site: p.site,
    parts: [
      ...p.labels.map((l) => `h:${l}`),
      ...p.segments.map((s) => `p:${s}`),
      ...p.params.map(([k, v]) => `q:${k}=${v}`),
    ],
  };
}

/**
 * What may stand between the images of a run: whitespace and the markup of list items, table
 * cells and block quotes (`- ![h](…)\n- ![u](…)`, `| ![h](…) | ![u](…) |`), which a renderer
 * lays out around images it still fetches in order.
 */
const BETWEEN = /^[\s|>*+\-\d.)]*$/;

/** The longest a varying part may be: a character, a word, a short code. */
const SHORT = 24;

export function imageRuns(text: string, images: readonly Candidate[], min: number): Candidate[] {
  // Definitions are images only in case: a document's link references are not a run.
  images = images.filter((c) => c.via !== 'definition');
  if (min < 2 || images.length < min) return [];
  const facts = new Map<string, { site: string; parts: string[] } | undefined>();
  const of = (c: Candidate) => {
    if (!facts.has(c.url)) facts.set(c.url, parts(c.url));
    return facts.get(c.url);
  };
  // Both shapes need `min` images to one site with three different URLs among them.
  const bySite = new Map<string, { urls: Set<string>; n: number }>();
  for (const c of images.slice(0, 20_000)) {
    const site = of(c)?.site;
    if (site === undefined) continue;
    let g = bySite.get(site);
    if (!g) bySite.set(site, (g = { urls: new Set(), n: 0 }));
    g.urls.add(c.url);
    g.n++;
  }
  const sites = new Set(
    [...bySite].filter(([, g]) => g.n >= min && g.urls.size >= 3).map(([s]) => s),
  );
  if (!sites.size) return [];
  const candidates = images.filter((c) => sites.has(of(c)?.site ?? ''));
  if (candidates.length < min) return [];
  const flagged = new Set<Candidate>();
  const sorted = candidates.sort((a, b) => a.markupStart - b.markupStart);

  // Runs: one site, whitespace between, one-character alt texts.
  let run: Candidate[] = [];
  const close = () => {
    if (run.length >= min && new Set(run.map((c) => c.url)).size >= 3)
      for (const c of run) flagged.add(c);
    run = [];
  };
  for (const c of sorted) {
    const last = run[run.length - 1];
    const f = of(c);
    const short = c.alt === undefined || [...c.alt.trim()].length <= 1;
    const tight =
      last !== undefined &&
      c.markupStart >= last.markupEnd &&
      c.markupStart - last.markupEnd <= 256 &&
      BETWEEN.test(text.slice(last.markupEnd, c.markupStart)) &&
      of(last)?.site === f?.site;
    if (!tight) close();
    if (f && short) run.push(c);
    else close();
  }
  close();

  // Series: the same URL but for one short part.
  const groups = new Map<string, { values: Set<string>; members: Candidate[] }>();
  for (const c of sorted) {
    const f = of(c);
    if (!f || f.parts.length > 24) continue;
    f.parts.forEach((part, i) => {
      const value = part.slice(2);
      if (value.length > SHORT) return;
      const key = `${f.site}\u0000${i}\u0000${f.parts.map((x, j) => (j === i ? part[0] : x)).join('\u0000')}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { values: new Set(), members: [] }));
      g.values.add(value);
      g.members.push(c);
    });
  }
  for (const g of groups.values())
    if (g.members.length >= min && g.values.size >= 3) for (const c of g.members) flagged.add(c);
  return [...flagged];
}
