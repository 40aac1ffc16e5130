/**
 * `markdown-exfiltration`: images and links that carry data to hosts not on the allow list —
 * the zero-click exfiltration of MITRE ATLAS AML.T0077 (EchoLeak and its kin): a rendered
 * image is fetched at once, with whatever the model put in its URL — and sequences of images
 * that spell data one character at a time, even to an allowed host (CamoLeak).
 *
 * What counts as an image or a link is what renderers see (`support/rendered-links.ts`:
 * CommonMark's destinations read exactly, HTML read by htmlparser2's tokenizer, character
 * references decoded; checked against markdown-it, marked and micromark by a differential
 * test). Whether a URL carries data is decided from its parts (`support/url-data.ts`).
 *
 * In a stream, the triggers below hold text from where a construct's URL can start until it
 * can no longer grow; the check then reads the held text (plus a little context) as it would
 * a whole answer. A construct still open when its trigger's span runs out (padding of 8 or
 * 16 KB before the URL) fails the rule: its opener is redacted, so it cannot render. Nothing is read as code: a code block's opening may lie out of sight in a
 * stream, and a fenced example of markdown is what a user pastes into a renderer.
 */
import { z } from 'zod';
import type { Span } from '../../model/verdict.js';
import type { Candidate } from './support/candidate.js';
import { imageRuns } from './support/image-runs.js';
import { onSkeleton } from './support/ignorable.js';
import { domainMatches } from './support/links.js';
import { MAX_URL } from './support/markdown-links.js';
import { renderedLinks } from './support/rendered-links.js';
import type { DataRules } from './support/url-data.js';
import { dataIn, urlParts } from './support/url-data.js';
import { HARMLESS_PARAMS, HOST_EXCEPTIONS } from './support/url-harmless.js';
import { defineCheck, PASS } from './types.js';
import type { Trigger } from './types.js';

const params = z.strictObject({
  /** Hosts that may receive data (wildcards: `*.example.com`); image sequences are still judged. */
  allow_domains: z.array(z.string().min(1)).default([]),
  /** Also flag images to other hosts that carry no visible data (tracking pixels). */
  all_external_images: z.boolean().default(false),
  /** Check links as well as images. */
  links: z.boolean().default(true),
  /**
   * Also check bare URLs (GFM renders `https://…` in text as a link). Off by default: a bare
   * URL shows the reader everything it would send.
   */
  bare_urls: z.boolean().default(false),
  /**
   * Query parameters whose values are not data when they are a few plain words, numbers or
   * sizes, added to the built-in ones (image sizes, badge styles, versions, pages, languages,
   * views, `utm_*`: `support/url-harmless.ts`). `utm_` matches every `utm_` parameter.
   */
  harmless_params: z.array(z.string().min(1)).default([]),
  /**
   * Per-host exceptions, added to the built-in ones (video, maps, search, badges, avatars, code
   * hosts, diagram renderers): on `hosts`, the query parameters `params` (`*`: all) and, with
   * `path: true`, the path are never data.
   */
  host_exceptions: z
    .array(
      z.strictObject({
        hosts: z.array(z.string().min(1)).min(1),
        params: z.array(z.string().min(1)).default([]),
        path: z.boolean().default(false),
      }),
    )
    .default([]),
  /** Use the built-in harmless parameters and host exceptions (false: only the ones given here). */
  builtin_allowances: z.boolean().default(true),
  /**
   * Flag this many images or more to one site that spell data one per image (one-character alt
   * texts in a row, or URLs that differ in one short part), whatever the host; 0: off.
   */
  image_series: z.number().int().min(0).default(5),
});
type Params = z.output<typeof params>;

/**
 * Where a destination may still grow: after `](` or `]:`, until the URL is followed by space
 * and then something other than another image (a run of images is held whole, so that a
 * sequence spelling data is judged whole; list, table and quote markup may stand between
 * them, as in `image-runs.ts`).
 */
const DESTINATION = String.raw`[ \t]*(?:\r?\n[ \t]*)?(?:<(?:[^\n\\>]|\\.)*[>\n]|[^\s<]\S*(?:\s[\s|>*+\-\d.)]*[!<]\S*)*\s[\s|>*+\-\d.)]*[^\s!<|>*+\-\d.)])`;
/** An HTML tag up to its `>` (quoted values may hold `>`). */
const TAG = String.raw`[a-zA-Z](?:[^"'>]|"[^"]*"|'[^']*')*>`;
const EXFIL_TRIGGERS: readonly Trigger[] = [
  { text: '](', lead: 0, maxSpan: 8300, settle: new RegExp(`^${DESTINATION}`), expire: 'fail' },
  { text: ']:', lead: 0, maxSpan: 8300, settle: new RegExp(`^${DESTINATION}`), expire: 'fail' },
  // Not a tag (`a < b`, `<!--`), or a run of tags followed by something else.
  {
    text: '<',
    lead: 0,
    maxSpan: 16500,
    settle: new RegExp(String.raw`^(?:[^a-zA-Z]|${TAG}(?:\s*<${TAG})*\s*[^\s<])`),
    expire: 'fail',
  },
  // A `<style>` element's CSS is read whole.
  { text: '<style', lead: 0, maxSpan: 16500, settle: /<\/style/i, expire: 'fail' },
];
const BARE_TRIGGERS: readonly Trigger[] = ['http', 'www.'].map((text) => ({
  text,
  lead: 0,
  maxSpan: 8300,
  settle: /[\s<]/,
}));

function rulesOf(p: Params): DataRules {
  return {
    harmlessParams: new Set([
      ...(p.builtin_allowances ? HARMLESS_PARAMS : []),
      ...p.harmless_params,
    ]),
    exceptions: [...(p.builtin_allowances ? HOST_EXCEPTIONS : []), ...p.host_exceptions],
  };
}

/**
 * Whether `url`, fetched as an image or followed as a link, sends data (or, with
 * `all_external_images`, anything) to a host not allowed. `long`: only its start was read (past
 * `MAX_URL`): a URL that long to another host is data itself.
 */
function exfiltrates(
  url: string,
  kind: 'image' | 'link',
  long: boolean,
  p: Params,
  rules: DataRules,
): boolean {
  if (kind === 'link' && !p.links) return false;
  const host = urlParts(url)?.host;
  if (host && domainMatches(host, p.allow_domains)) return false;
  if (host && long) return true;
  return (
    dataIn(url, kind, rules) !== undefined || (kind === 'image' && !!host && p.all_external_images)
  );
}

/** One answer's reading: verdicts are cached by URL (answers repeat their links). */
class Reading {
  private readonly asImage = new Map<string, boolean>();
  private readonly asLink = new Map<string, boolean>();

  constructor(
    private readonly p: Params,
    private readonly rules: DataRules,
  ) {}

  verdict(url: string, kind: 'image' | 'link', long: boolean): boolean {
    const cache = kind === 'image' ? this.asImage : this.asLink;
    let v = long ? undefined : cache.get(url);
    if (v === undefined) {
      v = exfiltrates(url, kind, long, this.p, this.rules);
      if (!long) cache.set(url, v);
    }
    return v;
  }

  bad(c: Candidate): boolean {
    return this.verdict(c.url, c.kind === 'image' ? 'image' : 'link', c.end - c.start > MAX_URL);
  }

  /**
   * The inline candidates whose being an image or a link can change the outcome: all of them
   * when only images count or every external image does; those whose URL is judged otherwise
   * as a link (a fragment, a search query); and those that could make up an image sequence
   * (enough of them to one site, with three different URLs at least). The rest stay images,
   * which they would be judged as.
   */
  needLabels(all: readonly Candidate[]): Candidate[] {
    const inline = all.filter((c) => c.bracket !== undefined);
    const { p } = this;
    if (!p.links || p.all_external_images) return inline;
    const need = new Set<Candidate>();
    const differs = new Map<string, boolean>();
    for (const c of inline) {
      let d = differs.get(c.url);
      if (d === undefined) {
        const long = c.end - c.start > MAX_URL;
        d = this.verdict(c.url, 'image', long) !== this.verdict(c.url, 'link', long);
        differs.set(c.url, d);
      }
      if (d) need.add(c);
    }
    if (p.image_series >= 2 && inline.length >= p.image_series) {
      const bySite = new Map<string, { urls: Set<string>; members: Candidate[] }>();
      for (const c of inline) {
        const site = urlParts(c.url)?.site;
        if (!site) continue;
        let g = bySite.get(site);
        if (!g) bySite.set(site, (g = { urls: new Set(), members: [] }));
        g.urls.add(c.url);
        g.members.push(c);
      }
      for (const g of bySite.values())
        if (g.urls.size >= 3 && g.members.length >= p.image_series)
          for (const c of g.members) need.add(c);
    }
    return [...need];
  }
}

function find(text: string, p: Params, rules: DataRules): (Span & { series: boolean })[] {
  const reading = new Reading(p, rules);
  const found = renderedLinks(text, {
    bare: p.bare_urls,
    labels: (all) => reading.needLabels(all),
  });
  const out = new Map<string, Span & { series: boolean }>();
  for (const c of found)
    if (reading.bad(c))
      out.set(`${c.start}:${c.end}`, { start: c.start, end: c.end, series: false });
  const images = found.filter((c) => c.kind === 'image');
  for (const c of imageRuns(text, images, p.image_series))
    if (!out.has(`${c.start}:${c.end}`))
      out.set(`${c.start}:${c.end}`, { start: c.start, end: c.end, series: true });
  return [...out.values()];
}

export const markdownExfiltrationCheck = defineCheck({
  id: 'markdown-exfiltration',
  summary:
    'Images and links (markdown inline and reference-style, HTML, CSS) that carry data to hosts not on the allow list, and image sequences spelling data.',
  params,
  actions: ['block', 'redact', 'flag'],
  create(p) {
    const rules = rulesOf(p);
    return {
      reads: { toolCallArguments: false },
      stream: { triggers: p.bare_urls ? [...EXFIL_TRIGGERS, ...BARE_TRIGGERS] : EXFIL_TRIGGERS },
      evaluate(input) {
        // Read without Default_Ignorable code points (hosts drop them, IDNA maps them away;
        // `]\u200b(` is still a link to a conservative reader), spans mapped back over them.
        const found = onSkeleton(input.text, (t) => find(t, p, rules));
        if (!found.length) return PASS;
        const series = found.filter((f) => f.series).length;
        const spans: Span[] = found.map((f) => ({ start: f.start, end: f.end }));
        return {
          status: 'fail',
          spans,
          detail:
            `${spans.length} image(s) or link(s) sending data to another host` +
            (series ? ` (${series} in an image sequence spelling data)` : ''),
        };
      },
    };
  },
});
