/**
 * What `markdown-exfiltration` treats as harmless in a URL by default: query parameters that
 * size, style, page or localise a resource, and per-host exceptions for public services whose
 * URLs are made of ids and parameters by design (video, maps, search, badges, avatars, code
 * hosts, diagram renderers). Such a service receives the values, but does not show them to
 * whoever injected the prompt. A policy adds its own (`harmless_params`, `host_exceptions`)
 * or, with `builtin_allowances: false`, uses only its own.
 */

/** Names separated by spaces, as a list (one line per group reads better than one per name). */
const names = (s: string) => s.trim().split(/\s+/);

/**
 * Query parameters whose values are not data when they are a few plain words, numbers,
 * sizes, colours or versions (`url-shape.ts` `isWordy`). `utm_` matches every `utm_`
 * parameter.
 */
export const HARMLESS_PARAMS: readonly string[] = [
  // image size, crop and format (CDNs, image proxies, avatars; imgix's colour space and client)
  ...names('w h width height s size sz dpr scale fit crop auto fm format quality resize blur'),
  ...names('grayscale bg cs ixlib'),
  // badge styles (shields.io and kin)
  ...names('style label logo logoColor logoWidth color colorA colorB labelColor cacheSeconds'),
  ...names('maxAge icon theme'),
  // versions and cache busters
  ...names('v ver version rev release branch ref tag'),
  // pagination, sorting, time ranges
  ...names('page per_page perPage pagesize page_size limit offset sort order direction o'),
  ...names('from to since until year month day'),
  // language and region
  ...names('lang hl locale language lng gl region country'),
  // documentation and repository views
  ...names('tab view plain raw mode display type category section filter topic t time start'),
  ...names('end zoom z'),
  // campaign tags
  ...names('utm_ ref_src source campaign'),
];

/** A public service whose URLs carry ids and parameters by design. */
export interface HostException {
  /** Domain patterns (`example.com` and its subdomains, `*.example.com`). */
  hosts: string[];
  /** Query parameters whose values are never data on these hosts (`*`: all of them). */
  params: string[];
  /**
   * Whether the path (ids, hashes, encoded diagrams) is never data on these hosts; nor, for a
   * link, the fragment (a browser never sends it; only the host's own page reads it).
   */
  path: boolean;
  /**
   * Hosts under `hosts` that run the code of whoever owns the URL (Google Apps Script web
   * apps read the path and every parameter): the exception does not cover them.
   */
  unless?: string[];
}

const ex = (hosts: string, params: string, path: boolean): HostException => ({
  hosts: names(hosts),
  params: names(params),
  path,
});

export const HOST_EXCEPTIONS: readonly HostException[] = [
  // Badge services render the badge from its path and query.
  ex('img.shields.io badgen.net badge.fury.io sonarcloud.io codecov.io', '*', true),
  // Video: ids, start times, playlists, share ids.
  ex(
    'youtube.com youtu.be youtube-nocookie.com ytimg.com',
    'v t list index start end si feature rel autoplay search_query pp',
    true,
  ),
  ex('vimeo.com vimeocdn.com', 'h t autoplay color title byline portrait muted loop', true),
  // Maps and search: places, coordinates, queries, directions.
  {
    ...ex(
      'google.com',
      'q query api hl co ll origin destination travelmode tbm ie oe query_place_id',
      true,
    ),
    unless: names('script.google.com'),
  },
  ex('openstreetmap.org', 'mlat mlon zoom layers query', false),
  ex('bing.com', 'q cp lvl form style where1', false),
  ex('maps.apple.com', 'address ll q z t daddr saddr sll', false),
  ex('duckduckgo.com', 'q ia iax t', false),
  ex(
    'wikipedia.org wikimedia.org wiktionary.org',
    'search title curid oldid diff action fulltext',
    true,
  ),
  ex('stackoverflow.com stackexchange.com', 'q tab pagesize noredirect', false),
  ex('npmjs.com', 'q activeTab', false),
  ex('pypi.org', 'q o c', false),
  ex('amazon.com', 'k i th psc', false),
  ex('twitter.com x.com', 's lang', false),
  ex('spotify.com', 'si', true),
  // Code hosts: commit hashes, gist ids, search, avatars.
  ex(
    'github.com githubusercontent.com gitlab.com bitbucket.org',
    'q type event s l state label labels milestone author path utf8 expanded',
    true,
  ),
  // Stars-over-time charts of public repositories; GIF ids.
  ex('star-history.com', 'repos type theme', false),
  ex('giphy.com', 'cid rid ct', true),
  // Avatars: e-mail hashes in the path, sizes and defaults in the query.
  ex('gravatar.com googleusercontent.com', 's size d default r rating f', true),
  // Renderers that take their content in the URL: diagrams, charts, placeholder images.
  ex(
    'mermaid.ink kroki.io quickchart.io plantuml.com placeholder.com placehold.co dummyimage.com',
    '*',
    true,
  ),
];

/** Last path segments of a search page, and the parameters that hold its query. */
export const SEARCH_PATHS: ReadonlySet<string> = new Set(names('search s results find query'));
export const SEARCH_PARAMS: ReadonlySet<string> = new Set(
  names('q query k search search_query term keywords text'),
);

/**
 * Public suffixes under which each tenant gets a subdomain of its own (an approximation of
 * the Public Suffix List's private section): the tenant's label names the site, it is not
 * data; labels left of it are judged.
 */
export const TENANT_SUFFIXES: readonly string[] = [
  ...names('github.io gitlab.io herokuapp.com vercel.app netlify.app pages.dev workers.dev'),
  ...names('web.app firebaseapp.com appspot.com azurewebsites.net cloudfront.net'),
  ...names('s3.amazonaws.com blob.core.windows.net ngrok.io ngrok-free.app trycloudflare.com'),
  ...names('onrender.com fly.dev glitch.me blogspot.com wordpress.com substack.com'),
  ...names('readthedocs.io gitbook.io notion.site surge.sh deno.dev r2.dev supabase.co'),
  ...names('cloudfunctions.net run.app amplifyapp.com'),
];

/** Second-level labels under which country-code domains are registered (`example.co.uk`). */
export const COUNTRY_SECOND_LEVEL: ReadonlySet<string> = new Set(
  names('co com net org gov edu ac or ne go gob mil ltd plc sch nic'),
);
