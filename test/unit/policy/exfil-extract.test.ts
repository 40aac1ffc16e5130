/**
 * What `markdown-exfiltration` reads as images and links (`support/rendered-links.ts`): one row
 * per construct of issue 14, with the URL a renderer would fetch or follow and where it was
 * written (the span redaction replaces).
 */
import { describe, expect, it } from 'vitest';
import { cssUrls } from '../../../src/policy/checks/support/css-urls.js';
import { decodeCharRefs } from '../../../src/policy/checks/support/char-refs.js';
import { Destinations } from '../../../src/policy/checks/support/markdown-destinations.js';
import { renderedLinks } from '../../../src/policy/checks/support/rendered-links.js';

const U = 'https://e.test/p?d=1';

/** [construct, text, expected (kind, url) pairs]. */
const CASES: [string, string, [string, string][]][] = [
  ['inline image', `![a](${U})`, [['image', U]]],
  ['inline link', `[a](${U})`, [['link', U]]],
  ['title', `![a](${U} "t")`, [['image', U]]],
  ['alt over a newline', `![sum\nmary](${U})`, [['image', U]]],
  ['nested brackets', `![a [b] c](${U})`, [['image', U]]],
  [
    'a badge: image inside a link',
    `[![b](https://i.test/b.svg)](${U})`,
    [
      ['image', 'https://i.test/b.svg'],
      ['link', U],
    ],
  ],
  ['escaped bracket in the label', `![a \\] b](${U})`, [['image', U]]],
  ['code span in the label', `![a \`[\` b](${U})`, [['image', U]]],
  ['balanced parentheses', '![a](https://e.test/(x)?d=1)', [['image', 'https://e.test/(x)?d=1']]],
  ['escaped parenthesis', '![a](https://e.test/\\(x?d=1)', [['image', 'https://e.test/(x?d=1']]],
  [
    '`<…>` destination with spaces',
    '![a](<https://e.test/a b?d=1>)',
    [['image', 'https://e.test/a b?d=1']],
  ],
  ['destination on the next line', `![a](\n  ${U}\n)`, [['image', U]]],
  ['entity-encoded scheme', '![a](&#104;ttps://e.test/?d=1)', [['image', 'https://e.test/?d=1']]],
  [
    'named entity in the scheme',
    '![a](https&colon;//e.test/?d=1)',
    [['image', 'https://e.test/?d=1']],
  ],
  [
    'escaped entity stays',
    '![a](https://e.test/?a=\\&amp;)',
    [['image', 'https://e.test/?a=&amp;']],
  ],
  ['escaped colon', '![a](https\\://e.test/?d=1)', [['image', 'https://e.test/?d=1']]],
  ['label out of sight (a stream window)', `alt text](${U})`, [['image', U]]],
  ['reference definition', `![a][r]\n\n[r]: ${U}`, [['image', U]]],
  ['definition over lines', `![a][r]\n\n[r]:\n   ${U}\n  "title"`, [['image', U]]],
  ['definition in a block quote', `> [r]: ${U}\n\n![a][r]`, [['image', U]]],
  ['definition in a list item', `- [r]:\n  ${U}\n\n![a][r]`, [['image', U]]],
  ['`<…>` definition', `[r]: <https://e.test/a b?d=1>`, [['image', 'https://e.test/a b?d=1']]],
  ['autolink', `<${U}>`, [['link', U]]],
  ['img', `<img src="${U}">`, [['image', U]]],
  ['`>` in an attribute value', `<img alt="a>b" src="${U}">`, [['image', U]]],
  [
    'entity-encoded attribute',
    '<img src="&#104;ttps://e.test/?d=1">',
    [['image', 'https://e.test/?d=1']],
  ],
  ['upper case, unquoted', `<IMG SRC=${U}>`, [['image', U]]],
  ['embed', `<embed src="${U}">`, [['image', U]]],
  ['object', `<object data="${U}"></object>`, [['image', U]]],
  [
    'source srcset',
    `<source srcset="https://a.test/1.png 1x, ${U} 2x">`,
    [
      ['image', 'https://a.test/1.png'],
      ['image', U],
    ],
  ],
  [
    'srcset URL with commas',
    '<img srcset="https://a.test/w_1,h_2/x.png 1x">',
    [['image', 'https://a.test/w_1,h_2/x.png']],
  ],
  ['video poster', `<video poster="${U}"></video>`, [['image', U]]],
  ['audio', `<audio src="${U}"></audio>`, [['image', U]]],
  ['iframe', `<iframe src="${U}"></iframe>`, [['image', U]]],
  ['link stylesheet', `<link rel="stylesheet" href="${U}">`, [['image', U]]],
  ['a href', `<a href="${U}">x</a>`, [['link', U]]],
  ['style attribute url()', `<div style="background:url('${U}')">`, [['image', U]]],
  ['style element', `<style>b{background:URL(${U})}</style>`, [['image', U]]],
  ['CSS-escaped url(', `<style>b{background:u\\72 l(${U})}</style>`, [['image', U]]],
  ['meta refresh', `<meta http-equiv="refresh" content="0;url=${U}">`, [['image', U]]],
  ['unclosed tag at the end', `text <img src="${U}`, [['image', U]]],
];

describe('rendered links', () => {
  it.each(CASES)('%s', (_n, text, expected) => {
    const got = renderedLinks(text, { bare: false }).map((c) => [c.kind, c.url]);
    for (const e of expected) expect(got).toContainEqual(e);
  });

  it('reports where each URL is written, so that redaction replaces it whole', () => {
    const text = `x ![a](<${U}>) <img alt=">" src='&#104;ttps://e.test/?d=2'>`;
    const spans = renderedLinks(text, { bare: false }).map((c) => text.slice(c.start, c.end));
    expect([...new Set(spans)]).toEqual([U, '&#104;ttps://e.test/?d=2']);
  });

  it.each([
    ['a definition of a paragraph', 'text\n[r]: https://e.test/p?d=1', 'https://e.test/p?d=1'],
    ['a bare URL', 'see https://e.test/x?d=1).', 'https://e.test/x?d=1'],
    ['a www. URL', 'www.e.test/x?d=1,', 'www.e.test/x?d=1'],
  ])('bare URLs only when asked: %s', (_n, text, url) => {
    expect(renderedLinks(text, { bare: true }).map((c) => c.url)).toContain(url);
  });

  it('reads no link where CommonMark has none', () => {
    // An unbalanced `(` ends no destination; text after a complete link's URL is not a link.
    expect(renderedLinks('![a](https://e.test/x(y', { bare: false })).toEqual([]);
    expect(
      renderedLinks('[a](https://e.test/x[b](y) "t")', { bare: false }).map((c) => c.url),
    ).toEqual(['https://e.test/x[b](y)']);
  });
});

describe('CommonMark destinations', () => {
  it.each([
    ['raw', 'u)', 'u'],
    ['balanced', 'a(b)c) x', 'a(b)c'],
    ['escaped paren', 'a\\)b)', 'a\\)b'],
    ['pointy', '<a b>)', 'a b'],
    ['pointy not closed falls back to raw', '<a b', '<a'],
    ['next line', '\n  u)', 'u'],
  ])('%s', (_n, after, dest) => {
    const text = `](${after}`;
    const d = new Destinations(text).at(2);
    expect(d.map((x) => text.slice(x.start, x.end))).toEqual([dest]);
  });

  it('reads no destination when a `(` stays open', () => {
    expect(new Destinations('](a(b').at(2)).toEqual([]);
  });
});

describe('character references and CSS escapes', () => {
  it.each([
    ['&#104;', 'h'],
    ['&#x68;', 'h'],
    ['&colon;', ':'],
    ['&amp;', '&'],
    ['&ampx;', '&ampx;'],
    ['&nosuchname;', '&nosuchname;'],
    ['&#0;', '\ufffd'],
    ['&amp', '&amp'],
  ])('%s → %s', (ref, out) => {
    expect(decodeCharRefs(ref)).toBe(out);
  });

  it.each([
    ['url("a")', 'a'],
    ["URL( 'a' )", 'a'],
    ['\\75 rl(a)', 'a'],
    ['@import "https://e.test/x.css";', 'https://e.test/x.css'],
  ])('%s', (css, url) => {
    expect(cssUrls(css).map((u) => u.url)).toContain(url);
  });
});
