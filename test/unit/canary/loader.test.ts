import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requestDigest, sealBaseline } from '../../../src/canary/baseline.js';
import { canaryKind, loadCanaries } from '../../../src/canary/loader.js';
import { formatIssue } from '../../../src/errors.js';

const upstreams = [
  { name: 'openai', prefix: '/', chatPath: '/v1/chat/completions' },
  { name: 'local', prefix: '/local', chatPath: '/v1/chat/completions' },
];
const KNOWN = `canaries:
  - id: red-planet
    upstream: openai
    model: gpt-4o-mini
    request:
      messages: [{ role: user, content: "Which planet is red?" }]
      temperature: 0
    every: 5m
    expect:
      - regex: { pattern: "^\\\\s*mars\\\\W*$", flags: i }
`;

function load(
  files: Record<string, string>,
  extra: { hmacKey?: string; env?: Record<string, string> } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'coalmine-canary-'));
  for (const [n, t] of Object.entries(files)) writeFileSync(join(dir, n), t);
  const r = loadCanaries({ patterns: ['c*.yaml'], baseDir: dir, upstreams, ...extra });
  return { r, dir, errors: r.ok ? [] : r.issues.map(formatIssue) };
}

describe('canary files', () => {
  it('loads a known-answer canary with its defaults', () => {
    const { r } = load({ 'c.yaml': KNOWN });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.canaries[0]).toMatchObject({
      id: 'red-planet',
      upstream: 'openai',
      model: 'gpt-4o-mini',
      path: '/v1/chat/completions',
      url: '/v1/chat/completions',
      everyMs: 300_000,
      jitter: 0.1,
      timeoutMs: 60_000,
    });
    expect(r.canaries[0]!.expect).toHaveLength(1);
  });

  it('file defaults, ${VAR} and the upstream prefix', () => {
    const { r } = load(
      {
        'c.yaml': `defaults: { upstream: local, model: "\${M:-fallback}", every: 2m, jitter: 0.3 }
canaries:
  - id: a
    request: { messages: [{ role: user, content: hi }] }
    expect: [{ equals: hi }]
`,
      },
      { env: { M: 'llama3' } },
    );
    expect(r.ok && r.canaries[0]).toMatchObject({
      upstream: 'local',
      model: 'llama3',
      url: '/local/v1/chat/completions',
      everyMs: 120_000,
      jitter: 0.3,
    });
  });

  it.each([
    ['an unknown key', KNOWN.replace('every: 5m', 'evry: 5m'), /c\.yaml:8:5: .*unknown key "evry"/],
    [
      'a bad duration',
      KNOWN.replace('every: 5m', 'every: soon'),
      /c\.yaml:8:12: .*invalid duration/,
    ],
    [
      'an unknown upstream',
      KNOWN.replace('upstream: openai', 'upstream: azure'),
      /c\.yaml:3:15: .*unknown upstream "azure"; the configured upstreams are: openai, local/,
    ],
    [
      'an unsafe regex',
      KNOWN.replace('^\\\\s*mars\\\\W*$', '(a+)+$'),
      /c\.yaml:10:\d+: .*catastrophic backtracking/,
    ],
    ['no expectation', KNOWN.replace(/ {4}expect:[\s\S]*$/, ''), /needs at least one expectation/],
    [
      'a model in the request',
      KNOWN.replace('temperature: 0', 'model: x'),
      /request.model is set by/,
    ],
    [
      'an mmd test with fewer than 5 samples',
      KNOWN.replace('every: 5m', 'distribution: { samples: 3 }'),
      /c\.yaml:8:30: .*an mmd test needs at least 5 samples/,
    ],
    [
      'permutations on a sequential test',
      KNOWN.replace('every: 5m', 'distribution: { test: sequential, permutations: 500 }'),
      /permutations apply to test: mmd/,
    ],
    [
      'max_distinct on an mmd test',
      KNOWN.replace('every: 5m', 'distribution: { max_distinct: 50 }'),
      /max_distinct applies to test: sequential/,
    ],
    [
      'an unknown distribution test',
      KNOWN.replace('every: 5m', 'distribution: { test: bayes }'),
      /c\.yaml:8:27: .*"mmd"|"sequential"/,
    ],
    [
      'both probe kinds',
      KNOWN.replace('every: 5m', 'distribution: {}\n    invariance: { triggers: [x] }'),
      /not both/,
    ],
    [
      'logprobs with another kind',
      KNOWN.replace('every: 5m', 'logprobs: {}\n    embedding: {}'),
      /distribution, invariance, embedding or logprobs, not both/,
    ],
    [
      'logprobs whose calls cannot reach alpha',
      KNOWN.replace('every: 5m', 'logprobs: { samples: 2, baseline_samples: 3, alpha: 0.01 }'),
      /c\.yaml:8:15: .*smallest p-value is 0\.100, not below alpha 0\.01/,
    ],
    [
      'logprobs top_k over 20',
      KNOWN.replace('every: 5m', 'logprobs: { top_k: 21 }'),
      /c\.yaml:8:\d+: .*20/,
    ],
    [
      'a duplicate id',
      `${KNOWN}${KNOWN.replace('canaries:\n', '')}`,
      /c\.yaml:11:9: .*duplicate canary id "red-planet"/,
    ],
    ['no model', KNOWN.replace('    model: gpt-4o-mini\n', ''), /model is required/],
    ['YAML syntax', 'canaries: [', /c\.yaml:1:\d+: /],
  ])('reports %s at file:line:col', (_n, text, re) => {
    const { r, errors } = load({ 'c.yaml': text });
    expect(r.ok).toBe(false);
    expect(errors.join('\n')).toMatch(re);
  });

  const DIST = `baselines: base.json
canaries:
  - id: fruit
    upstream: openai
    model: m
    request: { messages: [{ role: user, content: Name a fruit. }], temperature: 1 }
    distribution: { samples: 10 }
`;
  const baseline = (
    key?: string,
    request = { messages: [{ role: 'user', content: 'Name a fruit.' }], temperature: 1 },
  ) =>
    JSON.stringify(
      sealBaseline(
        {
          coalmine_baseline: 1,
          created: 'now',
          canaries: {
            fruit: {
              upstream: 'openai',
              model: 'm',
              request_sha256: requestDigest('/v1/chat/completions', 'm', request),
              max_chars: 20,
              samples: ['Apple', 'Pear'],
            },
          },
        },
        key,
      ),
    );

  it.each([
    ['{}', { test: 'mmd', samples: 30, baseline_samples: 30, alpha: 0.01, permutations: 1000 }],
    ['{ samples: 50 }', { test: 'mmd', samples: 50, baseline_samples: 50 }],
    [
      '{ test: sequential }',
      { test: 'sequential', samples: 5, baseline_samples: 200, max_distinct: 5000 },
    ],
    [
      '{ test: sequential, samples: 1, baseline_samples: 500 }',
      { test: 'sequential', samples: 1, baseline_samples: 500 },
    ],
  ])('distribution %s: its test and sample counts', (spec, want) => {
    const { r, errors } = load({ 'c.yaml': KNOWN.replace('every: 5m', `distribution: ${spec}`) });
    expect(errors).toEqual([]);
    expect(r.ok && r.canaries[0]!.distribution).toMatchObject(want);
  });

  it('attaches a verified baseline to its distribution canary', () => {
    const { r } = load({ 'c.yaml': DIST, 'base.json': baseline() });
    expect(r.ok && r.canaries[0]!.baseline?.samples).toEqual(['Apple', 'Pear']);
  });

  it('no baseline file yet: loads, the canary has no baseline', () => {
    const { r } = load({ 'c.yaml': DIST });
    expect(r.ok && r.canaries[0]!.baseline).toBeUndefined();
  });

  it('refuses a tampered baseline', () => {
    const text = baseline().replace('"Pear"', '"Kiwi"');
    const { errors } = load({ 'c.yaml': DIST, 'base.json': text });
    expect(errors.join('\n')).toMatch(/base\.json:1:1: refused: .*does not match its sha256/);
  });

  it('with an HMAC key: refuses an unsigned baseline, accepts a signed one', () => {
    const key = 'k'.repeat(20);
    expect(
      load({ 'c.yaml': DIST, 'base.json': baseline() }, { hmacKey: key }).errors.join(),
    ).toMatch(/not signed/);
    expect(load({ 'c.yaml': DIST, 'base.json': baseline(key) }, { hmacKey: key }).r.ok).toBe(true);
  });

  it('a logprobs canary: defaults, kind, needs no expectation, and is baselined', () => {
    const LP = DIST.replace('distribution: { samples: 10 }', 'logprobs: { tokens: 3 }');
    const { r } = load({ 'c.yaml': LP, 'base.json': baseline() });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const c = r.canaries[0]!;
    expect(canaryKind(c)).toBe('logprobs');
    expect(c.logprobs).toEqual({
      top_k: 5,
      tokens: 3,
      samples: 5,
      baseline_samples: 10,
      alpha: 0.001,
      permutations: 2000,
      min_shift: 0,
      concurrency: 4,
    });
    expect(c.baseline?.request_sha256).toBeDefined();
    expect(c.baselineFile).toMatch(/base\.json$/);
  });

  it('ignores (with a warning) a baseline recorded for another request', () => {
    const other = baseline(undefined, {
      messages: [{ role: 'user', content: 'Name a colour.' }],
      temperature: 1,
    });
    const { r } = load({ 'c.yaml': DIST, 'base.json': other });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.canaries[0]!.baseline).toBeUndefined();
    expect(r.warnings.join()).toMatch(/re-record/);
  });
});
