import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findLinks, hostOf } from '../../../src/policy/checks/support/links.js';

const found = (text: string, raw = true) =>
  findLinks(text, raw).map((l) => [l.kind, l.url, text.slice(l.start, l.end)]);

describe('findLinks', () => {
  it.each([
    ['inline image', '![a](https://e.test/x.png)', [['image', 'https://e.test/x.png']]],
    ['inline link with title', '[a](https://e.test/x "t")', [['link', 'https://e.test/x']]],
    ['angle brackets', '[a](<https://e.test/x>)', [['link', 'https://e.test/x']]],
    ['an empty pair of angle brackets is the URL', '[a](<)', [['link', '<']]],
    [
      'a badge: an image inside a link',
      '[![build](https://ci.test/b.svg)](https://ci.test/run)',
      [
        ['image', 'https://ci.test/b.svg'],
        ['link', 'https://ci.test/run'],
      ],
    ],
    ['nested brackets in a label', '[a [b] c](https://e.test/)', [['link', 'https://e.test/']]],
    [
      'an escaped bracket does not close a label',
      '[a\\](x)](https://e.test/)',
      [['link', 'https://e.test/']],
    ],
    [
      'reference-style image',
      '![a][r]\n\n[r]: https://e.test/i.png',
      [['image', 'https://e.test/i.png']],
    ],
    ['HTML image', '<img alt="x" src="https://e.test/p.gif">', [['image', 'https://e.test/p.gif']]],
    ['HTML link, unquoted', '<a href=https://e.test/p>x</a>', [['link', 'https://e.test/p']]],
    [
      'bare URL without trailing punctuation',
      'see https://e.test/a.',
      [['raw', 'https://e.test/a']],
    ],
    ['a URL too long for a destination', `[a](${'x'.repeat(9000)})`, []],
  ])('%s', (_name, text, expected) => {
    expect(found(text).map(([k, u]) => [k, u])).toEqual(expected);
  });

  it('reports offsets of the URL itself', () => {
    const parts = fc.constantFrom(
      '[',
      ']',
      '(',
      ')',
      '![',
      '](',
      '<',
      '>',
      '"',
      "'",
      ' ',
      '\n',
      '\\',
      '<img ',
      '<a ',
      'src=',
      'href=',
      'https://e.test/p?q=1',
      'www.e.test',
      '[r]: ',
      '![r]',
      'x',
      '.',
      '<',
    );
    fc.assert(
      fc.property(fc.array(parts, { maxLength: 40 }), (xs) => {
        const text = xs.join('');
        for (const [, url, at] of found(text)) expect(at).toBe(url);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('hostOf', () => {
  it.each([
    ['https://Evil.Test/x', 'evil.test'],
    ['//cdn.e.test/x', 'cdn.e.test'],
    ['www.e.test/x', 'www.e.test'],
    ['https://[::1]/x', '::1'],
    ['ht\ttps://e.test/', 'e.test'],
    ['\u0001https://e.test/', 'e.test'],
    ['relative/path', undefined],
    ['<img src=', undefined],
    ['https://e.test:99999999/x', undefined],
  ])('%j → %j', (url, host) => {
    expect(hostOf(url)).toBe(host);
  });
});
