import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempFiles } from '../helpers/policy.js';

const good = `name: p
rules:
  - id: r
    check: contains
    params: { words: [badger] }
    action: redact
`;

describe('coalmine policy lint / test', () => {
  it('lint lists every error as file:line:col and exits 1', async () => {
    const dir = tempFiles({
      'bad.yaml':
        'name: p\nrules:\n  - id: r\n    check: nope\n  - id: r\n    check: regex\n    params: { pattern: "(a+)+$" }\n',
      'good.yaml': good.replace('name: p', 'name: q'),
    });
    const p = runCli(['policy', 'lint', 'bad.yaml', 'good.yaml'], { cwd: dir });
    expect(await p.exited).toBe(1);
    const lines = p.stderr().trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/bad\.yaml:4:12: rules\.0\.check: unknown check/),
      expect.stringMatching(
        /bad\.yaml:7:24: rules\.1\.params\.pattern: pattern can take exponential time/,
      ),
      expect.stringMatching(/bad\.yaml:5:9: rules\.1\.id: duplicate rule id "r"/),
    ]);
  });

  it('lint accepts valid policy, test and config files and the shipped pack', async () => {
    const dir = tempFiles({
      'p.yaml': good,
      'coalmine.yaml': 'upstreams: [{ name: a, url: "http://127.0.0.1:9" }]\npolicies: [p.yaml]\n',
    });
    const p = runCli(
      [
        'policy',
        'lint',
        'p.yaml',
        'coalmine.yaml',
        `${process.cwd()}/policies/default.yaml`,
        `${process.cwd()}/policies/tests/default.test.yaml`,
      ],
      { cwd: dir },
    );
    expect(await p.exited).toBe(0);
    expect(p.stdout()).toContain('4 file(s) OK');
  });

  it('lint checks a config file and the policies it names', async () => {
    const dir = tempFiles({
      'p.yaml': `${good}match: { upstreams: [nope] }\n`,
      'coalmine.yaml': 'upstreams: [{ name: a, url: "http://127.0.0.1:9" }]\npolicies: [p.yaml]\n',
    });
    const p = runCli(['policy', 'lint', 'coalmine.yaml'], { cwd: dir });
    expect(await p.exited).toBe(1);
    expect(p.stderr()).toMatch(/p\.yaml:7:22: unknown upstream "nope"/);
  });

  it('test prints N passed, N failed and exits 1 on a failure', async () => {
    const dir = tempFiles({ 'p.yaml': good });
    writeFileSync(
      join(dir, 'p.test.yaml'),
      `policies: [p.yaml]
tests:
  - name: redacts
    output: "a badger"
    expect: { decision: redact, rules: [r], text: "a [REDACTED:r]" }
  - name: wrong on purpose
    output: "a badger"
    expect: { decision: pass }
`,
    );
    const p = runCli(['policy', 'test', 'p.test.yaml'], { cwd: dir });
    expect(await p.exited).toBe(1);
    expect(p.stdout()).toContain('FAIL');
    expect(p.stdout()).toContain('decision: expected pass, got redact');
    expect(p.stdout().trim().split('\n').at(-1)).toBe('1 passed, 1 failed');
  });

  it('runs the shipped policy tests green', async () => {
    const p = runCli(['policy', 'test', 'policies/tests/default.test.yaml'], {
      cwd: process.cwd(),
    });
    expect(await p.exited).toBe(0);
    expect(p.stdout()).toMatch(/^\d+ passed, 0 failed$/m);
  });

  it('reloads on SIGHUP', async () => {
    const dir = tempFiles({
      'p.yaml': good,
      'coalmine.yaml':
        'listen: 127.0.0.1:0\nadmin: { listen: "127.0.0.1:0" }\nupstreams: [{ name: a, url: "http://127.0.0.1:9" }]\npolicies: [p.yaml]\n',
    });
    const p = runCli(['serve'], { cwd: dir });
    try {
      await p.line(/coalmine listening/);
      writeFileSync(join(dir, 'p.yaml'), good.replace('check: contains', 'check: nope'));
      p.child.kill('SIGHUP');
      expect(await p.line(/"event":"policy_reload_failed"/)).toMatch(
        /p\.yaml:4:12: rules\.0\.check: unknown check/,
      );
    } finally {
      p.child.kill('SIGKILL');
    }
  });
});
