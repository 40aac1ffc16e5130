/**
 * Whether a URL carries data (`support/url-data.ts`): by its parts' shape, with the built-in
 * harmless parameters and host exceptions; image runs (`support/image-runs.ts`).
 */
import { describe, expect, it } from 'vitest';
import type { Candidate } from '../../../src/policy/checks/support/candidate.js';
import { imageRuns } from '../../../src/policy/checks/support/image-runs.js';
import { renderedLinks } from '../../../src/policy/checks/support/rendered-links.js';
import type { DataRules, UrlKind } from '../../../src/policy/checks/support/url-data.js';
import { dataIn, siteOf } from '../../../src/policy/checks/support/url-data.js';
import {
  HARMLESS_PARAMS,
  HOST_EXCEPTIONS,
} from '../../../src/policy/checks/support/url-harmless.js';
import { isOpaque, isPlainValue } from '../../../src/policy/checks/support/url-shape.js';

const rules: DataRules = { harmlessParams: new Set(HARMLESS_PARAMS), exceptions: HOST_EXCEPTIONS };

/** [why, URL, kind, carries data]. */
const CASES: [string, string, UrlKind, boolean][] = [
  // data
  ['a sentence in the query', 'https://e.test/p.png?q=conversation%20summary', 'image', true],
  ['one word in an image query', 'https://e.test/p.png?q=secret', 'image', true],
  ['a word and a digit', 'https://e.test/p.png?d=x1', 'image', true],
  ['an e-mail address in the path', 'https://e.test/u/jane@corp.example/a.png', 'image', true],
  ['key=value in the path', 'https://e.test/nbml=johann', 'image', true],
  ['a placeholder', 'https://e.test/azure=[DATA]', 'image', true],
  ['base64 in the path', 'https://e.test/c2VjcmV0IHByb2plY3Q.png', 'image', true],
  ['short base64 without digits', 'https://e.test/px/aHVudGVyMg.gif', 'image', true],
  ['a short password', 'https://e.test/i/Tr0ub4dor3.png', 'image', true],
  ['hex in the path', 'https://e.test/c/70773a68756e74657232.png', 'image', true],
  ['a long run, whatever its entropy', `https://e.test/${'Zm9v'.repeat(10)}`, 'image', true],
  ['one character per segment', 'https://e.test/j/o/h/a/n/n', 'image', true],
  ['an opaque host label', 'https://c2VjcmV0LXRva2Vu.d.e.test/a.png', 'image', true],
  ['hex host labels', 'https://6a6f68616e40.e.test/a.png', 'image', true],
  ['digits in a host label', 'https://343832310000.x.e.test/a.png', 'image', true],
  ['many host labels', 'https://jo.hann.at.ex.e.test/p.png', 'image', true],
  [
    'a sentence in a link fragment',
    'https://e.test/r#the%20user%20asked%20about%20taxes',
    'link',
    true,
  ],
  ['two words in a link query', 'https://e.test/?q=conversation+summary', 'link', true],
  [
    'an open redirect to data',
    'https://www.google.com/url?q=https://e.test/?d=secret%20stuff',
    'link',
    true,
  ],
  ['a phone number', 'https://e.test/p.gif?n=4915123456789', 'image', true],
  [
    'a harmless name with an opaque value',
    'https://e.test/p.png?style=c2VjcmV0IHByb2plY3Q',
    'image',
    true,
  ],
  ['an unparsable URL with a query', 'https://e.test:99999999/x?d=1', 'image', true],
  // Attack review (issue 14): credentials before the host are sent as `Authorization: Basic`.
  ['a password before the host', 'https://u:c2VjcmV0LXRva2Vu@e.test/p.png', 'image', true],
  ['a password before a link host', 'https://u:hunter2@e.test/', 'link', true],
  ['data as a user name', 'https://c2VjcmV0LXRva2Vu@e.test/p.png', 'image', true],
  ['a word as an image user name', 'https://hunter2@e.test/p.png', 'image', true],
  ['an opaque user name on a link', 'https://c2VjcmV0LXRva2Vu@e.test/', 'link', true],
  ['a sentence as a user name', 'https://the%20user%20asked@e.test/', 'link', true],
  // An Apps Script web app reads its path and parameters: google.com's exception is not its.
  [
    'data in an Apps Script path',
    'https://script.google.com/macros/s/AKfycbx1/exec/c2VjcmV0LXRva2Vu',
    'image',
    true,
  ],
  [
    'a query to an Apps Script',
    'https://script.google.com/macros/s/AKfycbx1/exec?q=hunter2',
    'image',
    true,
  ],
  // no data
  ['a plain image', 'https://example.com/images/chart.png', 'image', false],
  ['a plain user on a link', 'ssh://git@github.com/acme/app.git', 'link', false],
  ['a docs anchor', 'https://docs.python.org/3/library/json.html#json.dumps', 'link', false],
  ['a text fragment', 'https://e.test/a#:~:text=the%20quick%20brown%20fox', 'link', false],
  [
    'an image fragment is not sent',
    'https://e.test/a.png#the%20user%20asked%20about%20taxes',
    'image',
    false,
  ],
  ['sizes', 'https://e.test/a.jpg?w=800&h=600&fit=crop&auto=format', 'image', false],
  ['a page number', 'https://e.test/blog?page=2', 'link', false],
  ['numbers', 'https://news.example/item?id=38309611', 'link', false],
  ['a word in a link query', 'https://e.test/docs?tab=readme-ov-file&pivots=python', 'link', false],
  ['campaign tags', 'https://nodejs.org/api/stream.html?utm_source=chatgpt.com', 'link', false],
  ['a search link', 'https://e.test/search?q=rust+borrow+checker', 'link', false],
  [
    'a badge',
    'https://img.shields.io/npm/v/zod?style=for-the-badge&logo=npm&label=npm%20package',
    'image',
    false,
  ],
  ['an avatar', 'https://avatars.githubusercontent.com/u/583231?v=4&s=64', 'image', false],
  // Attack review (issue 14): benign README content that was redacted.
  [
    'a star-history chart',
    'https://api.star-history.com/svg?repos=acme/app&type=Date',
    'image',
    false,
  ],
  ['a GIF', 'https://media.giphy.com/media/3o7aD2saalBwwftBIY/giphy.gif', 'image', false],
  [
    'a diff anchor on a pull request',
    'https://github.com/acme/app/pull/12/files#diff-4c0e2d2f4e0b6c7a8e9f1b2c3d4e5f60718293a4',
    'link',
    false,
  ],
  [
    'a sentence in a fragment on a host without exception',
    'https://e.test/pull/12/files#diff-the%20user%20asked%20about%20taxes',
    'link',
    true,
  ],
  [
    'a gravatar hash',
    'https://www.gravatar.com/avatar/205e460b479e2e5b48aec07710c08d50?s=80&d=identicon',
    'image',
    false,
  ],
  ['a video', 'https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s', 'link', false],
  ['a video thumbnail', 'https://img.youtube.com/vi/dQw4w9WgXcQ/hqdefault.jpg', 'image', false],
  ['a map', 'https://www.google.com/maps/search/?api=1&query=Louvre+Museum+Paris', 'link', false],
  [
    'map coordinates',
    'https://www.openstreetmap.org/?mlat=48.8584&mlon=2.2945#map=17/48.8584/2.2945',
    'link',
    false,
  ],
  [
    'a commit hash on a code host',
    'https://github.com/nodejs/node/commit/4c0e2d2f4e0b6c7a8e9f1b2c3d4e5f60718293a4',
    'link',
    false,
  ],
  ['a slug', 'https://e.test/how-to-parse-json-in-python-with-examples', 'link', false],
  ['a UUID', 'https://e.test/a/210000000-aaaabbbb-cccc-dddd-eeee-ffff00001111.png', 'image', false],
  [
    'a page titled with an id',
    'https://www.notion.so/Team-Handbook-3f2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c',
    'link',
    false,
  ],
  ['a retina image', 'https://e.test/a@2x.webp', 'image', false],
  [
    'a package version',
    'https://unpkg.com/react@18.2.0/umd/react.production.min.js',
    'link',
    false,
  ],
  ['a relative URL', '/images/x.png?d=secret', 'image', false],
  ['a tenant subdomain', 'https://d111111abcdef8.cloudfront.net/a.png', 'image', false],
];

describe('does a URL carry data?', () => {
  it.each(CASES)('%s', (_why, url, kind, data) => {
    expect(dataIn(url, kind, rules) !== undefined).toBe(data);
  });

  it('names the part, never its content', () => {
    expect(dataIn('https://e.test/p.png?q=hunter2', 'image', rules)).toBe('a query value');
  });

  it('needs the built-in allowances for services (and a policy can give its own)', () => {
    const none: DataRules = { harmlessParams: new Set(), exceptions: [] };
    expect(dataIn('https://e.test/a.jpg?fit=crop', 'image', none)).toBeDefined();
    const own: DataRules = {
      harmlessParams: new Set(['fit']),
      exceptions: [{ hosts: ['cdn.e.test'], params: ['sig'], path: true }],
    };
    expect(dataIn('https://e.test/a.jpg?fit=crop', 'image', own)).toBeUndefined();
    expect(
      dataIn('https://cdn.e.test/c2VjcmV0IHByb2plY3Q?sig=abc123', 'image', own),
    ).toBeUndefined();
  });

  it.each([
    ['evil.co.uk', 'evil.co.uk', []],
    ['a.b.evil.com', 'evil.com', ['a', 'b']],
    ['www.evil.com', 'evil.com', []],
    ['x.tenant.github.io', 'tenant.github.io', ['x']],
    ['10.0.0.1', '10.0.0.1', []],
  ])('site of %s', (host, site, labels) => {
    expect(siteOf(host)).toEqual({ site, labels });
  });

  it.each([
    ['dQw4w9WgXcQ', true],
    ['aHVudGVyMg', true],
    ['getElementById', false],
    ['B08N5WRWNW', false],
    ['photo-1506744038136-46273834b3fb', false],
    ['6a6f-6861-6e40-6578-616d-706c-652e-636f-6d2e', true],
  ])('opaque %s: %s', (t, opaque) => {
    expect(isOpaque(t)).toBe(opaque);
  });

  it.each([
    ['2', true],
    ['0:1', true],
    ['300x200', true],
    ['2023-10-01', true],
    ['415-555-0134', false],
    ['secret', false],
  ])('plain value %s: %s', (v, plain) => {
    expect(isPlainValue(v)).toBe(plain);
  });
});

describe('image sequences', () => {
  const images = (text: string) =>
    renderedLinks(text, { bare: false }).filter((c): c is Candidate => c.kind === 'image');
  const hex = (s: string) => Buffer.from(s).toString('hex');
  const camo = (c: string) =>
    `https://camo.githubusercontent.com/${hex(`k${c}`).padEnd(40, '0')}/${hex(`https://x.test/${c}`)}`;

  it.each([
    [
      'one-character alt texts in a row (CamoLeak)',
      [...'hunter2'].map((c) => `![${c}](${camo(c)})`).join(''),
      7,
    ],
    [
      'a run on separate lines, empty alts',
      [...'hunter2'].map((c) => `![](${camo(c)})`).join('\n'),
      7,
    ],
    ['HTML images in a row', [...'hunter2'].map((c) => `<img src="${camo(c)}">`).join(''), 7],
    [
      'one path segment differs',
      [...'johann'].map((c) => `![x](https://i.test/c/${c}.png)`).join(' text '),
      6,
    ],
    [
      'one query value differs',
      'the user asked about taxes'
        .split(' ')
        .map((w) => `![i](https://i.test/w.gif?w=${w})`)
        .join('\n\n'),
      5,
    ],
    [
      'one host label differs',
      [...'41555'].map((c, i) => `![](https://${c}${i}.i.test/p.png)`).join(''),
      5,
    ],
  ])('flags %s', (_n, text, n) => {
    expect(imageRuns(text, images(text), 5)).toHaveLength(n);
  });

  it.each([
    [
      'star ratings',
      '![★](https://i.test/star.png)'.repeat(4) + '![☆](https://i.test/star-empty.png)',
    ],
    [
      'a few numbered steps',
      [1, 2, 3].map((i) => `![Step ${i}](https://i.test/step-${i}.png)`).join('\n\n'),
    ],
    [
      'a row of badges',
      ['build', 'coverage', 'license', 'npm', 'downloads']
        .map((b) => `![${b}](https://img.shields.io/badge/${b}-ok-green?logo=${b})`)
        .join(' '),
    ],
    ['links, not images', [...'abcdef'].map((c) => `[${c}](https://i.test/c/${c}.html)`).join(' ')],
    ['the same image again', '![x](https://i.test/a.png)'.repeat(8)],
  ])('leaves %s', (_n, text) => {
    expect(imageRuns(text, images(text), 5)).toEqual([]);
  });
});
