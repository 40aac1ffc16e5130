/**
 * Every registered check, given any input, returns a well-formed verdict without throwing.
 * `evaluate` is called directly (runCheck would turn a throw into `error` and hide it): a throw
 * is a bug to fix where it starts, because under `on_error: open` it switches the rule off.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RequestInfo, ToolCall, ToolDeclaration } from '../../src/model/exchange.js';
import { checks } from '../../src/policy/checks/registry.js';
import type { Check, CheckInput, CheckOutcome } from '../../src/policy/checks/types.js';
import { REQUEST } from '../helpers/check-input.js';
import { expectLinear } from '../helpers/linear.js';

const OBJECT_SCHEMA = {
  type: 'object',
  properties: { name: { type: 'string', maxLength: 20 }, n: { type: 'integer' } },
  required: ['name'],
  additionalProperties: false,
};

/** Representative valid params per check id: defaults and the options that change code paths. */
const PARAMS: Record<string, readonly unknown[]> = {
  regex: [
    { pattern: 'LAUNCH-[0-9]{4}' },
    { pattern: '^secret$', flags: 'mi', max_matches: 3 },
    { pattern: '\\p{Lu}\\d', flags: 'u' },
  ],
  contains: [
    { words: ['badger', 'launch code', 'ÉCOLE'] },
    { words: ['x', '%', '[]'], case_sensitive: true, whole_words: false },
  ],
  secrets: [
    {},
    { detectors: ['jwt', 'generic-secret', 'npm-token'], allow: ['AKIAZ7QX3MPLW5N2RTVB'] },
  ],
  pii: [{}, { types: ['email', 'ip_address'], allow: ['a@b.co'] }],
  urls: [
    { deny_domains: ['evil.test', '*.attacker.example'] },
    { allow_domains: ['example.com', '*.example.org'] },
  ],
  'markdown-exfiltration': [
    {},
    { allow_domains: ['*.example.com', 'xn--ls8h.la'], all_external_images: true, links: false },
  ],
  'invisible-unicode': [{}, { kinds: ['control', 'zero_width'] }],
  'confusable-hosts': [
    {},
    {
      kinds: ['confusable'],
      known_domains: ['example.com', 'xn--80ak6aa92e.com'],
      builtin_known: false,
      allow: ['аpple.com'],
    },
  ],
  'json-schema': [
    { schema: OBJECT_SCHEMA },
    { schema_from: 'request' },
    { schema: { type: 'array' }, allow_code_fence: false },
    { schema: { type: 'array', items: { $ref: '#' } } },
  ],
  'tool-calls': [
    {},
    {
      require_declared: false,
      validate_arguments: false,
      deny: ['rm'],
      arguments: {
        fetch: {
          url: { domains: ['example.com'], pattern: '^https://', max_length: 200 },
          constructor: { max_length: 3 },
          toString: { pattern: 'x' },
          __proto__: { domains: ['example.com'] },
        },
      },
    },
    { allow: ['search', 'fetch'] },
  ],
  refusal: [{}, { phrases: ['nope', 'ÜBER'], window: 50 }],
  'system-prompt-leak': [{}, { shingle: 3, min_chars: 10, honeytoken: 'HONEY-TOKEN-42' }],
  length: [{ min_chars: 1, max_chars: 100 }, { max_chars: 1 }],
  repetition: [{}, { max_period: 3, min_repeats: 2, min_chars: 4, min_line_repeats: 2 }],
  'finish-reason': [{}, { deny: ['stop', 'length'] }],
  embeddings: [{}, { dimensions: 3, min_norm: 0.1, max_norm: 10, allow_zero: true }],
};

/** Pieces the checks look for, and the malformed forms of them. */
const FRAGMENTS = [
  // markdown, HTML
  '![',
  '](',
  ')',
  '(',
  '[',
  ']',
  '![x](',
  '[a]: ',
  '\n[ref]: ',
  '![img][ref]',
  '![ref]',
  '[ref][]',
  '<img src="',
  '<a href=',
  '<img alt=x src=',
  '<iframe data=',
  ' srcset=',
  "'",
  '"',
  '>',
  '<',
  '\\]',
  '\\',
  // percent escapes and URLs
  '%FF',
  '%',
  '%E0%A4',
  '%C0%AF',
  '%ED%A0%80',
  '%%',
  '%u0041',
  '%2',
  '%ZZ',
  '%5B',
  'https://',
  'http://',
  'HTTPS://',
  '//',
  'www.',
  'javascript:',
  'data:image/png;base64,',
  'mailto:',
  'file:///',
  'blob:',
  'http:',
  'xn--',
  'xn--zz',
  'xn--ls8h',
  'xn---',
  'xn--a.xn--',
  'evil.test',
  'example.com',
  'sub.attacker.example',
  '.',
  '..',
  '@',
  ':',
  ':99999999999999999999',
  ':65536',
  ':-1',
  '[::1]',
  '[::ffff:1.2.3.4]',
  '[fe80::1%25eth0]',
  '[zz::',
  '?q=',
  '?',
  '&',
  '=',
  '#',
  '/',
  'a'.repeat(40),
  // entities and escapes
  '&amp;',
  '&#x41;',
  '&#65;',
  '&#xFFFFFF;',
  '&#0;',
  '\\u0000',
  '\\uD800',
  '\\x',
  // JSON
  '{',
  '}',
  '{"a":',
  '{"name":"x"}',
  '[1,',
  'null',
  'true',
  '1e999',
  '-0',
  '"\\',
  '[[[[[[[[[[[[[[[[',
  ']]]]',
  '{"a":{"a":{"a":',
  '```',
  '```json\n',
  '\n```',
  // secrets
  'password=',
  'api_key: ',
  'token=',
  'secret',
  'auth:',
  'aws_secret_access_key=',
  'AccountKey=',
  'AKIA',
  'AKIAZ7QX3MPLW5N2RTVB',
  'ghp_',
  'ghp_8fK2mQ9xLr4TzW7vNc1Yb6HjD3sPa0EuGi5o',
  'sk-',
  'sk-proj-',
  'T3BlbkFJ',
  'eyJ',
  'eyJhbGciOiJIUzI1NiJ9',
  '-----BEGIN RSA PRIVATE KEY-----',
  '-----END RSA PRIVATE KEY-----',
  '-----',
  'xoxb-',
  'xapp-1-',
  'glpat-',
  'GR1348941',
  'npm_',
  '//registry.npmjs.org/:_authToken=',
  'pypi-AgEIcHlwaS5vcmc',
  'ABSKQmVkcm9ja0FQSUtleS',
  'bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t',
  'hooks.slack.com/services/',
  'SK',
  'SG.',
  'hf_',
  '1Q~',
  '"type": "service_account"',
  // personal data
  'a@b.co',
  'user.name+tag@mail.example.com',
  '4111 1111 1111 1111',
  '4111-1111-1111-1111',
  'GB82 WEST 1234 5698 7654 32',
  'GB82',
  '078-05-1120',
  '123-45-6789',
  '+1 (555) 123-4567',
  '+',
  '192.168.0.1',
  '10.0.0.1/99',
  '::',
  '1::2:3/129',
  'fe80::1%eth0',
  '0',
  '9',
  ' ',
  '-',
  // invisible characters
  '\u202e',
  '\u2066',
  '\u200b',
  '\u200c',
  '\u200d',
  '\ufe0f',
  '\u{e0100}',
  '\u{e0041}',
  '\u{1f3f4}',
  '\u{1f3f4}\u{e0067}\u{e0062}',
  '\u{e007f}',
  '\u001b[31m',
  `\u001b[${'1;'.repeat(50)}`,
  '\u001b]8;;',
  '\u001b\\',
  '\u001b',
  '\u0007',
  '\u0000',
  '\u0085',
  '\ud800',
  '\udc00',
  '\ufeff',
  '👨‍👩‍👧',
  '漢',
  // refusals, repetition
  'I cannot',
  "I'm sorry",
  'I can’t help with',
  'no,',
  'the the the ',
  '\n',
  '\r\n',
  '\t',
];

/** Lone surrogates and every other UTF-16 code unit. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const fragment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FRAGMENTS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: codeUnit, maxLength: 4 }) },
  { weight: 1, arbitrary: fc.stringMatching(/^[0-9A-Fa-f%]{1,6}$/) },
  { weight: 1, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
);
const fragments = fc.array(fragment, { maxLength: 40 }).map((xs) => xs.join(''));

/** Markdown / HTML links around URLs assembled from valid and malformed parts. */
const url = fc
  .tuple(
    fc.constantFrom('https://', 'http://', '//', 'www.', 'HTTP://', 'javascript:', 'ftp://', ''),
    fc.constantFrom(
      'evil.test',
      'example.com',
      'xn--',
      'xn--ls8h.la',
      '[::1]',
      '[zz',
      '1.2.3.4',
      '',
      '%FF',
      'a@b',
    ),
    fc.constantFrom('', ':443', ':99999999999', ':65536', ':', ':-1'),
    fc.array(
      fc.oneof(
        fc.constantFrom(
          '/',
          '%FF',
          '%',
          '%E0%A4',
          '%zz',
          'x=1',
          '@',
          'a'.repeat(40),
          '?d=',
          '&',
          '#',
        ),
        fc.string({ unit: 'binary', maxLength: 4 }),
      ),
      { maxLength: 8 },
    ),
  )
  .map(([s, h, p, path]) => `${s}${h}${p}${path.join('')}`);
const link = fc
  .tuple(
    url,
    fc.constantFrom('![a](', '[a](', '<img src="', "<a href='", '<img src=', '[r]: ', 'see '),
    fc.constantFrom(')', '"', "'", ' "t")', '>', ''),
  )
  .map(([u, open, close]) => `${open}${u}${close}`);
const links = fc.array(fc.oneof(link, fragment), { maxLength: 12 }).map((xs) => xs.join(' '));

const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc.string({ unit: codeUnit, maxLength: 200 }),
  fragments,
  links,
);

/** Long inputs: a fragment string repeated to tens of thousands of characters, with a tail. */
const longText = fc
  .tuple(fragments, fc.integer({ min: 5_000, max: 60_000 }), text)
  .map(([s, n, tail]) => (s ? s.repeat(Math.ceil(n / s.length)).slice(0, n) : '') + tail);

const json = fc.jsonValue({ maxDepth: 3 });
const toolArgs = fc.oneof(
  text,
  json.map((v) => JSON.stringify(v)),
  fc
    .record(
      { url: fc.oneof(url, text), q: text, constructor: fc.oneof(text, json) },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
);
const toolName = fc.oneof(
  fc.constantFrom('fetch', 'search', 'rm', 'constructor', '__proto__', 'toString', ''),
  fc.string({ unit: 'binary', maxLength: 10 }),
);
const toolCall: fc.Arbitrary<ToolCall> = fc.record({
  id: fc.option(fc.string(), { nil: undefined }),
  name: toolName,
  arguments: toolArgs,
});
const schema = fc.oneof(
  fc.constant(OBJECT_SCHEMA),
  fc.constant({ type: 'object', properties: { url: { type: 'string', format: 'uri' } } }),
  fc.constant({ $id: 'urn:x', type: 'string' }),
  fc.constant({ $id: 'urn:x', type: 'number' }),
  fc.constant({ type: 'string', pattern: '[' }),
  fc.constant({ $ref: 'https://example.com/remote.json' }),
  fc.constant({ $async: true, type: 'object' }),
  fc.constant({ type: 'array', items: { $ref: '#' } }),
  fc.constant({ $id: 'https://example.com/s.json', type: 'array', items: { $ref: 's.json' } }),
  json,
);
const toolDecl: fc.Arbitrary<ToolDeclaration> = fc.record({
  name: toolName,
  parameters: fc.option(schema, { nil: undefined }),
});
const request: fc.Arbitrary<RequestInfo> = fc.record({
  operation: fc.constantFrom(REQUEST.operation),
  model: fc.option(fc.string(), { nil: undefined }),
  stream: fc.boolean(),
  systemPrompt: fc.option(fc.oneof(text, fragments), { nil: undefined }),
  tools: fc.array(toolDecl, { maxLength: 3 }),
  responseSchema: fc.option(schema, { nil: undefined }),
  choices: fc.integer({ min: 1, max: 4 }),
});
const vector = fc.option(
  fc.oneof(fc.array(fc.double(), { maxLength: 8 }), fc.float32Array({ maxLength: 8 })),
  { nil: undefined },
);

const inputOf = (t: string, over: Partial<CheckInput> = {}): CheckInput => ({
  text: t,
  toolCalls: [],
  finishReason: 'stop',
  request: REQUEST,
  ...over,
});

const fullInput: fc.Arbitrary<CheckInput> = fc.record({
  text: fc.oneof(text, fragments),
  toolCalls: fc.array(toolCall, { maxLength: 3 }),
  finishReason: fc.option(
    fc.oneof(fc.constantFrom('stop', 'length', 'content_filter', 'constructor'), fc.string()),
    { nil: undefined },
  ),
  request,
  vector,
});

/** The outcome is one of the three shapes, its spans inside the string they point into. */
function wellFormed(out: CheckOutcome, input: CheckInput): void {
  expect(['pass', 'fail', 'error']).toContain(out.status);
  if (out.status === 'error') {
    expect(typeof out.message).toBe('string');
    return;
  }
  if (out.status === 'pass') return;
  expect(typeof out.detail).toBe('string');
  expect(out.detail.length).toBeGreaterThan(0);
  expect(Array.isArray(out.spans)).toBe(true);
  for (const s of out.spans) {
    const target = s.toolCall === undefined ? input.text : input.toolCalls[s.toolCall]?.arguments;
    expect(target, `span ${JSON.stringify(s)} names a tool call that exists`).toBeDefined();
    expect(Number.isInteger(s.start) && Number.isInteger(s.end)).toBe(true);
    expect(s.start).toBeGreaterThanOrEqual(0);
    expect(s.start).toBeLessThan(s.end);
    expect(s.end).toBeLessThanOrEqual(target!.length);
    if (s.replace !== undefined) expect(typeof s.replace).toBe('string');
  }
}

/** `FUZZ_SCALE=20 npx vitest run test/hostile/checks-fuzz.test.ts` for a longer hunt. */
const SCALE = Number(process.env['FUZZ_SCALE'] ?? 1);
const runs = (n: number) => ({ numRuns: Math.ceil(n * SCALE) });

const run = (check: Check, i: CheckInput) => wellFormed(check.evaluate(i), i);

describe('every registered check has fuzzing params', () => {
  it.each(checks.map((c) => c.id))('%s', (id) => {
    expect(PARAMS[id], `add representative params for "${id}" to PARAMS`).toBeDefined();
    expect(PARAMS[id]!.length).toBeGreaterThan(0);
  });
});

describe.each(checks.map((c) => [c.id, c] as const))('check %s never throws', (id, def) => {
  const instances = (PARAMS[id] ?? []).map((p) => def.create(def.params.parse(p)));

  it('on arbitrary Unicode, lone surrogates and check-relevant fragments', () => {
    expect(instances.length).toBeGreaterThan(0);
    fc.assert(
      fc.property(text, (t) => {
        for (const c of instances) run(c, inputOf(t));
      }),
      runs(300),
    );
  });

  it('on links with malformed URLs, escapes and ports', () => {
    fc.assert(
      fc.property(links, (t) => {
        for (const c of instances) run(c, inputOf(t));
      }),
      runs(300),
    );
  });

  it('on long inputs', () => {
    fc.assert(
      fc.property(longText, (t) => {
        for (const c of instances) run(c, inputOf(t));
      }),
      runs(15),
    );
  });

  it('on arbitrary tool calls, finish reasons, vectors and requests', () => {
    fc.assert(
      fc.property(fullInput, (i) => {
        for (const c of instances) run(c, i);
      }),
      runs(200),
    );
  });

  it.each([
    ['a lone %FF in an exfiltration image', '![x](https://evil.test/a%FFb?d=secret)'],
    ['truncated UTF-8 escapes', '![x](https://evil.test/%E0%A4/%ED%A0%80)'],
    ['a bare percent', '[a](https://evil.test/100%)'],
    ['broken punycode', '![x](https://xn--/a) ![y](https://xn---.xn--zz/b=1)'],
    ['a huge port', '<img src="https://evil.test:99999999999/x?d=1">'],
    ['an unclosed IPv6 bracket', '![x](http://[zz::/x=1)'],
    ['a reference definition with a bad escape', '![r]\n\n[r]: https://evil.test/%FF=1'],
    ['lone surrogates', '\ud800![x](https://e.test/\udc00=1)\udfff'],
  ])('on %s', (_name, t) => {
    for (const c of instances) run(c, inputOf(t));
  });
});

/** Inputs built to make a scanner restart inside long runs, or backtrack over one. */
const ADVERSARIAL: [string, (n: number) => string][] = [
  ['open brackets', (n) => `${'['.repeat(n - 2)}](`],
  ['empty links', (n) => '[](x'.repeat(n / 4)],
  ['images', (n) => '![a](http://e.test/'.repeat(n / 19)],
  ['html tags', (n) => '<img '.repeat(n / 5)],
  ['html attrs', (n) => '<img src="'.repeat(n / 10)],
  ['bare urls', (n) => 'http://a '.repeat(n / 9)],
  ['url punctuation', (n) => `http://a${'.'.repeat(n)}x`],
  ['jwt', (n) => 'eyJ-'.repeat(n / 4)],
  ['npm token', (n) => `//registry.npmjs.org/:_authToken=${'<'.repeat(n)}`],
  ['keywords', (n) => 'key secret token password= '.repeat(n / 27)],
  ['sk- runs', (n) => `${'sk-'.repeat(n / 3)}T3BlbkFJ`],
  ['pem', (n) => '-----BEGIN RSA PRIVATE KEY-----'.repeat(n / 31)],
  ['digits', (n) => '1 '.repeat(n / 2)],
  ['digit run', (n) => '1234567890'.repeat(n / 10)],
  ['at signs', (n) => `${'a.'.repeat(n / 2)}@b.c`],
  ['colons', (n) => '1:'.repeat(n / 2)],
  ['fence', (n) => `\`\`\`\n${'\n '.repeat(n / 2)}`],
  ['zero width', (n) => 'a\u200d'.repeat(n / 2)],
  ['escapes', (n) => '\u001b]'.repeat(n / 2)],
  ['csi', (n) => `\u001b[${'1'.repeat(n)}`],
  ['one word', (n) => 'the '.repeat(n / 4)],
  ['nesting', (n) => `${'['.repeat(n / 2)}${']'.repeat(n / 2)}`],
];

/** Multi-megabyte runs: an unbounded regex quantifier over one overflows V8's backtracking stack. */
const RUNS: [string, (n: number) => string][] = [
  ['one digit', (n) => '1'.repeat(n)],
  ['one letter', (n) => 'a'.repeat(n)],
  ['a JWT segment', (n) => `eyJ${'a'.repeat(n)}.eyJ${'a'.repeat(20)}`],
  ['a PyPI token', (n) => `pypi-AgEIcHlwaS5vcmc${'a'.repeat(n)}`],
  ['a PEM body', (n) => `-----BEGIN RSA PRIVATE KEY-----${'A'.repeat(n)}`],
  ['a URL', (n) => `![a](https://e.test/${'a'.repeat(n)})`],
  ['a CSI sequence', (n) => `\u001b[${'1'.repeat(n)}m`],
  ['newlines', (n) => '\n'.repeat(n)],
  ['deep JSON', (n) => `${'['.repeat(n / 2)}${']'.repeat(n / 2)}`],
];

describe.each(checks.map((c) => [c.id, c] as const))('check %s on 4 MB runs', (id, def) => {
  it.each(RUNS)('of %s returns a verdict', (_name, gen) => {
    const check = def.create(def.params.parse(PARAMS[id]![0]));
    const t = gen(4 * 1024 * 1024);
    const i =
      id === 'tool-calls'
        ? inputOf('', { toolCalls: [{ id: 'c', name: 'fetch', arguments: t }] })
        : inputOf(t);
    wellFormed(check.evaluate(i), i);
  });
});

describe('every check scans hostile text in linear time', () => {
  // Four times the text may take at most ten times as long (quadratic: sixteen); 100 KB within
  // 400 ms of CPU. bench/scan.js measures the MB/s.
  const N = 25_000;
  it.each(checks.map((c) => [c.id, c] as const))(
    '%s',
    (id, def) => {
      const check = def.create(def.params.parse(PARAMS[id]![0]));
      const request = {
        ...REQUEST,
        systemPrompt: 'the key is in the secret token; answer briefly',
      };
      const at = (t: string) =>
        id === 'tool-calls'
          ? inputOf('', { toolCalls: [{ id: 'c', name: 'fetch', arguments: t }], request })
          : inputOf(t, { request });
      // Not linear-but-crawling either (a 8 KB-bounded rescan per bracket was 0.1 MB/s).
      for (const [name, gen] of ADVERSARIAL)
        expectLinear(
          (n) => {
            const i = at(gen(n));
            return () => check.evaluate(i);
          },
          N,
          { maxMs: 400, label: name },
        );
    },
    60_000,
  );
});
