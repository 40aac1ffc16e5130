/**
 * URLs in raw HTML, read by htmlparser2's tokenizer as a browser reads a tag: quoted values may
 * hold `>`, character references are decoded (`&#104;ttps:`), any tag and every URL-bearing
 * attribute counts (`src`, `srcset`, `poster`, `data`, `href`, `background`, `style`'s
 * `url()`, a `<style>` element's CSS, a refresh `<meta>`'s target).
 *
 * Every `<` + letter is read as the start of a tag, even one that an earlier tag's attribute
 * value, a comment or a `<textarea>` would swallow: the text a check sees can start in the
 * middle of any of those (a stream shows it a window), and a tag read too many times costs
 * only time. That time is bounded: past a budget of tokenized characters (hostile text of
 * overlapping tags), the remaining tags are read by a plain scan of their attributes.
 */
import type { Tokenizer, TokenizerCallbacks } from 'htmlparser2';
import { htmlparser2 } from './htmlparser.js';
import type { Candidate, CandidateKind } from './candidate.js';
import { decodeCharRefs } from './char-refs.js';
import { cssUrls } from './css-urls.js';
import { Offsets } from './offsets.js';
import { mayNameHost } from './url-data.js';

/** Elements whose content is text up to their end tag: a `<style>`'s is CSS. */
const RAW_TEXT = new Set([
  'script',
  'style',
  'textarea',
  'title',
  'xmp',
  'iframe',
  'noembed',
  'noframes',
  'plaintext',
]);
/** Attributes a browser fetches (or a lazy loader does) when the element renders. */
const FETCHED = new Set([
  'src',
  'srcset',
  'imagesrcset',
  'poster',
  'data',
  'background',
  'lowsrc',
  'dynsrc',
  'codebase',
  'archive',
  'manifest',
  'profile',
  'icon',
]);
/** Attributes followed on a click. */
const FOLLOWED = new Set(['action', 'formaction', 'ping', 'cite', 'longdesc']);
const LOOKS_FETCHED = /(?:^|[-:_])(?:src|srcset|href|url|background|poster)$/;

/** How a browser uses attribute `attr` of element `tag`, or undefined when it holds no URL. */
function use(tag: string, attr: string): CandidateKind | 'css' | 'srcset' | 'refresh' | undefined {
  if (attr === 'style') return 'css';
  if (attr === 'srcset' || attr === 'imagesrcset' || attr === 'data-srcset') return 'srcset';
  if (attr === 'href' || attr === 'xlink:href')
    return tag === 'a' || tag === 'area' ? 'link' : 'image';
  if (attr === 'content') return tag === 'meta' ? 'refresh' : undefined;
  if (FETCHED.has(attr) || LOOKS_FETCHED.test(attr)) return 'image';
  return FOLLOWED.has(attr) ? 'link' : undefined;
}

/** The URLs of a `srcset`: `url [descriptor], url [descriptor]` (a URL may hold commas). */
function srcset(value: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < value.length) {
    while (i < value.length && /[\s,]/.test(value[i]!)) i++;
    const s = i;
    while (i < value.length && !/\s/.test(value[i]!)) i++;
    const url = value.slice(s, i).replace(/,+$/, '');
    if (url) out.push(url);
    if (value[i - 1] !== ',') while (i < value.length && value[i] !== ',') i++;
  }
  return out;
}

/**
 * Whether a value may name a host: a scheme, or `//` (`\\`) first. A relative URL sends
 * nothing anywhere else, and hostile text holds hundreds of thousands of them.
 */
const mayHaveHost = mayNameHost;

const isHtmlSpace = (c: string | undefined) =>
  c === ' ' || c === '\t' || c === '\n' || c === '\f' || c === '\r';

/** Where the value of an attribute whose name ends at `at` starts, or -1 when it has none. */
function valueStart(text: string, at: number): number {
  let k = at;
  while (isHtmlSpace(text[k])) k++;
  if (text[k] !== '=') return -1;
  k++;
  while (isHtmlSpace(text[k])) k++;
  return text[k] === '"' || text[k] === "'" ? k + 1 : k;
}

/** Characters tokenized per call before the plain scan takes over. */
const BUDGET = 256 * 1024;
/**
 * The stretch one tag (or a `<style>` element) is read over at least; while the budget lasts,
 * a longer one is read to its end (padding before `src=` does not hide it; the budget keeps
 * overlapping long tags linear).
 */
const TAG_SPAN = 16 * 1024;

interface Attr {
  name: string;
  value: string;
  start: number;
  end: number;
}

/** Reads one construct at a time from a start offset; tokenizer offsets are relative to it. */
class TagReader {
  private readonly tokenizer: Tokenizer;
  private text = '';
  private base = 0;
  private tag = '';
  private tagStart = 0;
  private attrs: Attr[] = [];
  private attrName = '';
  private valueStart = -1;
  private value: string[] = [];
  private rawTextStart = -1;
  /** Where the construct ended (relative), -1 while it goes on. */
  private done = -1;
  out: Candidate[] = [];

  constructor() {
    const noop = () => undefined;
    const { QuoteType, Tokenizer } = htmlparser2();
    const cbs: TokenizerCallbacks = {
      ontext: noop,
      ontextentity: noop,
      onend: noop,
      onopentagname: (s, e) => {
        this.tag = this.text.slice(this.base + s, this.base + e).toLowerCase();
        this.tagStart = s - 1;
        this.attrs = [];
      },
      onattribname: (s, e) => {
        this.attrName = this.text.slice(this.base + s, this.base + e).toLowerCase();
        this.value = [];
        // The value starts after `=`, spaces and an opening quote (absent for a bare name).
        this.valueStart = valueStart(this.text, this.base + e) - this.base;
      },
      onattribdata: (s, e) => {
        this.value.push(this.text.slice(this.base + s, this.base + e));
      },
      onattribentity: (cp) => {
        this.value.push(String.fromCodePoint(cp));
      },
      onattribend: (quote, e) => {
        if (this.valueStart >= 0)
          this.pushAttr(quote === QuoteType.Double || quote === QuoteType.Single ? e - 1 : e);
        this.valueStart = -1;
      },
      onopentagend: (e) => {
        this.emitTag(e + 1);
        if (RAW_TEXT.has(this.tag)) this.rawTextStart = e + 1;
        else this.finish(e + 1);
      },
      onselfclosingtag: (e) => {
        this.emitTag(e + 1);
        this.finish(e + 1);
      },
      onclosetag: (s) => {
        if (this.rawTextStart >= 0) {
          const css = this.tag === 'style';
          const from = this.rawTextStart;
          this.rawTextStart = -1;
          if (css)
            this.css(this.text.slice(this.base + from, this.base + s - 2), from, this.tagStart, s);
          this.finish(s);
        }
      },
      oncomment: (_s, e, off) => this.finish(e + off + 1),
      oncdata: (_s, e, off) => this.finish(e + off + 1),
      ondeclaration: (_s, e) => this.finish(e + 1),
      onprocessinginstruction: (_s, e) => this.finish(e + 1),
    };
    this.tokenizer = new Tokenizer({ decodeEntities: true }, cbs);
  }

  private finish(at: number): void {
    if (this.done === -1) this.done = at;
    this.tokenizer.pause();
  }

  private pushAttr(end: number): void {
    this.attrs.push({
      name: this.attrName,
      value: this.value.join(''),
      start: this.valueStart,
      end,
    });
  }

  /** Reads the construct at `start` in `text` (at most `limit` characters); returns its length. */
  read(text: string, start: number, limit: number): number {
    this.text = text;
    this.base = start;
    this.done = -1;
    this.rawTextStart = -1;
    this.tag = '';
    this.attrs = [];
    this.valueStart = -1;
    const chunk = text.slice(start, start + limit);
    this.tokenizer.reset();
    this.tokenizer.write(chunk);
    if (this.done === -1) {
      // Cut off (the end of the text, or the span limit): what was read so far counts, and
      // a value still open runs to the end — in a stream it may still be growing.
      if (this.valueStart >= 0) {
        this.value = [decodeCharRefs(chunk.slice(this.valueStart).replace(/["']$/, ''))];
        this.pushAttr(chunk.length);
      }
      if (this.tag) this.emitTag(chunk.length);
      if (this.rawTextStart >= 0 && this.tag === 'style')
        this.css(chunk.slice(this.rawTextStart), this.rawTextStart, this.tagStart, chunk.length);
      this.done = chunk.length;
    }
    return Math.max(1, this.done);
  }

  private add(
    url: string,
    kind: CandidateKind,
    s: number,
    e: number,
    markupEnd: number,
    alt?: string,
  ): void {
    if (!mayHaveHost(url)) return;
    const b = this.base;
    this.out.push({
      url,
      kind,
      start: b + s,
      end: b + e,
      markupStart: b + this.tagStart,
      markupEnd: b + markupEnd,
      alt,
      via: 'html',
    });
  }

  private css(css: string, from: number, markupStart: number, markupEnd: number): void {
    for (const u of cssUrls(css))
      this.out.push({
        url: u.url,
        kind: 'image',
        start: this.base + from + u.start,
        end: this.base + from + u.end,
        markupStart: this.base + markupStart,
        markupEnd: this.base + markupEnd,
        via: 'css',
      });
  }

  private emitTag(markupEnd: number): void {
    const tag = this.tag;
    const alt = this.attrs.find((a) => a.name === 'alt')?.value;
    for (const a of this.attrs) {
      const how = use(tag, a.name);
      if (!how) continue;
      if (how === 'css') {
        // The value as written maps onto the text only without references: else the whole value.
        if (a.value === this.text.slice(this.base + a.start, this.base + a.end))
          for (const u of cssUrls(a.value))
            this.add(u.url, 'image', a.start + u.start, a.start + u.end, markupEnd);
        else for (const u of cssUrls(a.value)) this.add(u.url, 'image', a.start, a.end, markupEnd);
      } else if (how === 'srcset') {
        for (const url of srcset(a.value)) this.add(url, 'image', a.start, a.end, markupEnd, alt);
      } else if (how === 'refresh') {
        this.add(refreshTarget(a.value), 'image', a.start, a.end, markupEnd);
      } else if (tag === 'a' && a.name === 'ping') {
        for (const url of a.value.split(/\s+/).filter(Boolean))
          this.add(url, 'link', a.start, a.end, markupEnd);
      } else this.add(a.value, how, a.start, a.end, markupEnd, alt);
    }
    this.attrs = [];
  }
}

/**
 * A refresh's target as HTML's declarative refresh reads `content`: a delay, `;` or `,`, then
 * `url=` — optional (`0; https://…` redirects too) — and the URL, quoted or not.
 */
function refreshTarget(content: string): string {
  const m = /^\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?['"]?([^'"]*)/i.exec(content);
  return m ? m[1]!.trim() : '';
}

/** Attributes of a tag by a plain scan (no references in names, quotes honoured). */
const ATTR = /[\s/]+([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/y;

/** The plain scan, for tags past the tokenizer's budget: `[start, end)` holds the tag. */
function plainTag(text: string, start: number, end: number, out: Candidate[]): void {
  const name = /^<([a-zA-Z][^\s/>]*)/.exec(text.slice(start, Math.min(end, start + 64)));
  if (!name) return;
  const tag = name[1]!.toLowerCase();
  ATTR.lastIndex = start + name[0].length;
  for (let m = ATTR.exec(text); m && m.index < end; m = ATTR.exec(text)) {
    const raw = m[2] ?? m[3] ?? m[4];
    const how = raw === undefined ? undefined : use(tag, m[1]!.toLowerCase());
    if (!how || raw === undefined) continue;
    const e = m.index + m[0].length - (m[4] === undefined ? 1 : 0);
    const s = Math.min(e - raw.length, end);
    const value = decodeCharRefs(text.slice(s, Math.min(e, end)));
    const urls =
      how === 'css'
        ? cssUrls(value).map((u) => u.url)
        : how === 'srcset'
          ? srcset(value)
          : how === 'refresh'
            ? [refreshTarget(value)]
            : [value];
    const kind = how === 'link' ? 'link' : 'image';
    for (const url of urls.filter(mayHaveHost))
      out.push({
        url,
        kind,
        start: s,
        end: Math.min(e, end),
        markupStart: start,
        markupEnd: end,
        via: 'html',
      });
  }
}

let reader: TagReader | undefined;

/** Every URL in the HTML of `text` (whatever surrounds it: markdown, code, prose). */
export function htmlLinks(text: string): Candidate[] {
  const out: Candidate[] = [];
  let budget = BUDGET + text.length;
  let gts: Offsets | undefined;
  for (let i = text.indexOf('<'); i !== -1; i = text.indexOf('<', i + 1)) {
    const c = text.charCodeAt(i + 1) | 0x20;
    if (c < 0x61 || c > 0x7a) continue;
    if (budget > 0) {
      reader ??= new TagReader();
      reader.out = out;
      budget -= reader.read(text, i, Math.max(TAG_SPAN, budget));
      continue;
    }
    // Past the budget: the tag up to its first `>` (or the next `<`, which starts the next one;
    // `>` looked up in a table, as there may be none after hundreds of thousands of tags).
    gts ??= new Offsets(text, '>');
    const next = text.indexOf('<', i + 1);
    const gt = gts.next(i);
    const end = Math.min(gt === -1 ? text.length : gt + 1, next === -1 ? text.length : next);
    plainTag(text, i, Math.min(end, i + TAG_SPAN), out);
  }
  return out;
}
