import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../../src/errors.js';
import { loadPolicySet, loadPolicySetAsync } from '../../../src/policy/loader.js';
import { safeRegexIssue, withOffThreadRegexAnalysis } from '../../../src/policy/safe-regex.js';
import { tempFiles } from '../../helpers/policy.js';

const ok = `name: p
rules:
  - id: r
    check: regex
    params: { pattern: "LAUNCH-[0-9]{4}" }
    action: block
`;

function issuesOf(
  files: Record<string, string>,
  opts: { upstreams?: string[]; patterns?: string[] } = {},
): string[] {
  const dir = tempFiles(files);
  const r = loadPolicySet({
    patterns: opts.patterns ?? Object.keys(files),
    baseDir: dir,
    upstreams: opts.upstreams,
  });
  if (r.ok) return [];
  return r.issues.map((i) => formatIssue({ ...i, file: i.file.slice(dir.length + 1) }));
}

describe('policy loader', () => {
  it('loads a valid file, with defaults', () => {
    const dir = tempFiles({ 'p.yaml': ok });
    const r = loadPolicySet({ patterns: ['p.yaml'], baseDir: dir });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.set.version).toMatch(/^[0-9a-f]{12}$/);
    expect(r.set.policies[0]).toMatchObject({ name: 'p', mode: 'enforce', onError: 'open' });
    expect(r.set.policies[0]?.rules[0]).toMatchObject({
      id: 'r',
      check: 'regex',
      action: 'block',
      severity: 'medium',
    });
  });

  it.each([
    ['YAML syntax', { 'a.yaml': 'name: [\n' }, 'a.yaml:2:1:'],
    [
      'unknown top-level key',
      { 'a.yaml': `${ok}colour: red\n` },
      'a.yaml:7:1: unknown key "colour"',
    ],
    [
      'unknown rule key',
      { 'a.yaml': ok.replace('action: block', 'action: block\n    when: always') },
      'a.yaml:7:5: rules.0: unknown key "when"',
    ],
    [
      'unknown check',
      { 'a.yaml': ok.replace('check: regex', 'check: telepathy') },
      'a.yaml:4:12: rules.0.check: unknown check; the checks are: regex, contains',
    ],
    [
      'unsupported action',
      { 'a.yaml': ok.replace('action: block', 'action: shout') },
      'a.yaml:6:13: rules.0.action: check "regex" supports the actions: block, redact, flag',
    ],
    [
      'bad params',
      { 'a.yaml': ok.replace('{ pattern: "LAUNCH-[0-9]{4}" }', '{ patern: "x" }') },
      'a.yaml:5:15: rules.0.params: unknown key "patern"',
    ],
    [
      'invalid regex',
      { 'a.yaml': ok.replace('LAUNCH-[0-9]{4}', '([a-') },
      'a.yaml:5:24: rules.0.params.pattern: invalid regular expression',
    ],
    [
      'ReDoS-prone regex',
      { 'a.yaml': ok.replace('LAUNCH-[0-9]{4}', '(a+)+$') },
      'a.yaml:5:24: rules.0.params.pattern: pattern can take exponential time',
    ],
    [
      'bad severity',
      { 'a.yaml': ok.replace('action: block', 'action: block\n    severity: apocalyptic') },
      'a.yaml:7:15: rules.0.severity:',
    ],
    ['no rules', { 'a.yaml': 'name: p\nrules: []\n' }, 'a.yaml:2:8: rules: Too small'],
    ['missing name', { 'a.yaml': ok.replace('name: p\n', '') }, 'a.yaml:1:1: name:'],
    ['bad mode', { 'a.yaml': `${ok}mode: loud\n` }, 'a.yaml:7:7: mode:'],
    [
      'duplicate rule id',
      { 'a.yaml': `${ok}  - id: r\n    check: contains\n    params: { words: [x] }\n` },
      'a.yaml:7:9: rules.1.id: duplicate rule id "r" in policy "p"',
    ],
    [
      'duplicate policy name',
      { 'a.yaml': ok, 'b.yaml': ok },
      'b.yaml:1:7: duplicate policy name "p"',
    ],
  ])('reports %s at file:line:col', (_n, files, expected) => {
    const issues = issuesOf(files);
    expect(
      issues.some((i) => i.startsWith(expected)),
      issues.join('\n'),
    ).toBe(true);
  });

  it('lists every error of a file at once', () => {
    const bad = `name: p
rules:
  - id: a
    check: regex
    params: { pattern: "(a+)+$" }
  - id: a
    check: nope
`;
    expect(issuesOf({ 'a.yaml': bad })).toHaveLength(3);
  });

  it('checks match.upstreams against the configured upstreams', () => {
    const text = `${ok}match: { upstreams: [openai, azure] }\n`;
    expect(issuesOf({ 'a.yaml': text }, { upstreams: ['openai'] })).toEqual([
      'a.yaml:7:30: unknown upstream "azure"; the configured upstreams are: openai',
    ]);
    expect(issuesOf({ 'a.yaml': text }, { upstreams: ['openai', 'azure'] })).toEqual([]);
  });

  it('expands globs and reports patterns and files that match nothing', () => {
    const dir = tempFiles({ 'a.yaml': ok, 'b.yaml': ok.replace('name: p', 'name: q') });
    const r = loadPolicySet({ patterns: ['*.yaml'], baseDir: dir });
    expect(r.ok && r.set.policies.map((p) => p.name)).toEqual(['p', 'q']);
    expect(issuesOf({ 'a.yaml': ok }, { patterns: ['missing.yaml'] })[0]).toMatch(
      /missing.yaml:1:1: policy file not found/,
    );
    expect(issuesOf({ 'a.yaml': ok }, { patterns: ['*.yml'] })[0]).toMatch(
      /\*.yml:1:1: policy pattern matched no files/,
    );
  });

  it('versions the set by content', () => {
    const v = (text: string) => {
      const r = loadPolicySet({ patterns: ['p.yaml'], baseDir: tempFiles({ 'p.yaml': text }) });
      return r.ok ? r.set.version : '';
    };
    expect(v(ok)).toBe(v(ok));
    expect(v(ok)).not.toBe(v(ok.replace('block', 'flag')));
  });

  describe('the version depends on the contents of the policies only', () => {
    const other = ok.replace('name: p', 'name: q');
    const root = tempFiles({});
    const a = join(root, 'a');
    const b = join(root, 'b', 'deeper');
    for (const [d, names] of [
      [a, ['p.yaml', 'q.yaml']],
      [b, ['one.yml', 'two.yml']],
    ] as const) {
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, names[0]), ok);
      writeFileSync(join(d, names[1]), other);
    }
    /** The version of a load, from the working directory `cwd`. */
    const versionOf = (cwd: string, patterns: string[], baseDir: string): string => {
      const was = process.cwd();
      process.chdir(cwd);
      try {
        const r = loadPolicySet({ patterns, baseDir });
        if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
        return r.set.version;
      } finally {
        process.chdir(was);
      }
    };
    const reference = versionOf(a, ['p.yaml', 'q.yaml'], a);
    it.each([
      ['another working directory', root, ['p.yaml', 'q.yaml'], a],
      ['absolute paths', b, [join(a, 'p.yaml'), join(a, 'q.yaml')], b],
      ['a relative base directory', root, ['p.yaml', 'q.yaml'], 'a'],
      ['paths relative to a parent', root, ['a/p.yaml', 'a/q.yaml'], root],
      ['the files in the other order', a, ['q.yaml', 'p.yaml'], a],
      ['a glob', root, ['a/*.yaml'], root],
      ['other file names in another directory', a, ['one.yml', 'two.yml'], b],
    ])('%s', (_name, cwd, patterns, baseDir) => {
      expect(versionOf(cwd, patterns, baseDir)).toBe(reference);
    });
    it('changes with the content', () => {
      writeFileSync(join(root, 'r.yaml'), other.replace('block', 'flag'));
      expect(versionOf(root, ['a/p.yaml', 'r.yaml'], root)).not.toBe(reference);
    });
  });

  it('reads only regular files', () => {
    const dir = tempFiles({ 'a.yaml': ok });
    mkdirSync(join(dir, 'd.yaml'));
    const r = loadPolicySet({ patterns: ['a.yaml', 'd.yaml'], baseDir: dir });
    expect(r.ok ? [] : r.issues.map((i) => formatIssue({ ...i, file: 'd.yaml' }))).toEqual([
      'd.yaml:1:1: not a regular file (directory)',
    ]);
  });

  it('loads asynchronously to the same result, issues included', async () => {
    for (const files of [
      { 'a.yaml': ok, 'b.yaml': ok.replace('name: p', 'name: q') },
      { 'a.yaml': ok.replace('LAUNCH-[0-9]{4}', '(x+)+y$') },
    ]) {
      const dir = tempFiles(files);
      const opts = { patterns: Object.keys(files), baseDir: dir };
      const a = await loadPolicySetAsync(opts);
      const s = loadPolicySet(opts);
      expect(a.ok).toBe(s.ok);
      if (a.ok && s.ok) expect(a.set.version).toBe(s.set.version);
      if (!a.ok && !s.ok) expect(a.issues).toEqual(s.issues);
    }
  });
});

describe('regex analysis off the event loop', () => {
  it('collects unseen patterns, analyses them, re-runs the load with their verdicts', async () => {
    const seen: (string | undefined)[][] = [];
    const result = await withOffThreadRegexAnalysis(() => {
      const run = [safeRegexIssue('(y+)+z$', ''), safeRegexIssue('plain-[0-9]+', 'i')];
      seen.push(run);
      return run;
    });
    // First run: not analysed yet (its result is discarded); second: the verdicts.
    expect(seen).toHaveLength(2);
    expect(seen[0]).toEqual([undefined, undefined]);
    expect(result[0]).toMatch(/exponential/);
    expect(result[1]).toBeUndefined();
    // Cached now: one run, the verdicts at once.
    let runs = 0;
    const again = await withOffThreadRegexAnalysis(() => {
      runs++;
      return safeRegexIssue('(y+)+z$', '');
    });
    expect(runs).toBe(1);
    expect(again).toMatch(/exponential/);
  });
});
