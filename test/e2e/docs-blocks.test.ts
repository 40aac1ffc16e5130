/**
 * Every code block in README.md and docs/**.md works as written (issue 17, "the first
 * hour"): one test per block, named file:line.
 *
 * - YAML blocks are whole files: a configuration (coalmine.yaml), a policy, a policy test or
 *   a canary file, told apart as `coalmine policy lint` does (`rules:` → policy, `tests:` →
 *   policy test, `canaries:` holding objects → canary file, else configuration). Each is
 *   written into a fresh project directory and linted by the built CLI; a policy test is
 *   also run. A first-line comment naming a path (`# canaries.yaml`) says where the block
 *   lives; the other path-named blocks of the same page are written beside it (the README's
 *   configuration names its canary file), with the shipped `policies/default.yaml`.
 * - Shell blocks run with bash against the built CLI (`coalmine` on the PATH). One that
 *   talks to the proxy's documented addresses (127.0.0.1:8790 / :8791) runs against a zero-
 *   config `coalmine serve` started on ephemeral ports, the addresses rewritten.
 * - A block that cannot run here says so in the markdown, on the line before it:
 *   `<!-- needs: provider -->` (a real provider, the network, a running deployment; free
 *   text after the colon) or `<!-- docs-test: skip (why) -->`. Those are listed as skipped.
 * - Blocks of other languages (`text`, `json`, `ts`, …) are not run; an untagged block fails,
 *   so that nothing is left unchecked by accident.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import MarkdownIt from 'markdown-it';
import { globSync } from 'tinyglobby';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { CLI, runCli } from '../helpers/cli.js';
import type { Spawned } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAGES = ['README.md', ...globSync('docs/**/*.md', { cwd: ROOT })].sort();

type YamlKind = 'config' | 'policy' | 'policy-test' | 'canary';

interface Block {
  /** `README.md:51`: the page and the line of the opening fence. */
  where: string;
  page: string;
  lang: string;
  text: string;
  /** Why the block is not run, from the comment before it. */
  skip: string | undefined;
}

const SHELL = new Set(['sh', 'bash', 'shell', 'console']);
const NOT_RUN = new Set([
  'text',
  'json',
  'jsonc',
  'ts',
  'typescript',
  'js',
  'javascript',
  'promql',
  'http',
  'diff',
]);
const MARKER = /^<!--\s*(?:needs:\s*(.+?)|docs-test:\s*skip\s*(.*?))\s*-->\s*$/;

function blocksOf(page: string): Block[] {
  const tokens = new MarkdownIt({ html: true }).parse(readFileSync(join(ROOT, page), 'utf8'), {});
  const out: Block[] = [];
  tokens.forEach((t, i) => {
    if (t.type !== 'fence' || !t.map) return;
    const before = tokens[i - 1];
    const marker = before?.type === 'html_block' ? MARKER.exec(before.content.trim()) : null;
    out.push({
      where: `${page}:${t.map[0] + 1}`,
      page,
      lang: t.info.trim().split(/\s+/)[0] ?? '',
      text: t.content,
      skip: marker
        ? marker[1]
          ? `needs ${marker[1]}`
          : `skipped ${marker[2] ?? ''}`.trim()
        : undefined,
    });
  });
  return out;
}

const BLOCKS = PAGES.flatMap(blocksOf);
const YAML_BLOCKS = BLOCKS.filter((b) => b.lang === 'yaml' || b.lang === 'yml');
const SHELL_BLOCKS = BLOCKS.filter((b) => SHELL.has(b.lang));

/** The path a block names in its first-line comment (`# canaries.yaml (…)`), if any. */
const namedPath = (b: Block): string | undefined => /^#\s*([\w./-]+\.ya?ml)\b/.exec(b.text)?.[1];

function yamlKind(value: unknown): YamlKind {
  const keys = value && typeof value === 'object' ? Object.keys(value) : [];
  if (keys.includes('rules')) return 'policy';
  if (keys.includes('tests')) return 'policy-test';
  const canaries = (value as { canaries?: unknown } | undefined)?.canaries;
  if (Array.isArray(canaries) && canaries.some((c) => c && typeof c === 'object')) return 'canary';
  return 'config';
}

const DEFAULT_PATH: Record<YamlKind, (line: string) => string> = {
  config: () => 'coalmine.yaml',
  policy: (line) => `policies/block-${line}.yaml`,
  'policy-test': (line) => `policies/tests/block-${line}.test.yaml`,
  canary: () => 'canaries.yaml',
};

/** What the configuration blocks' `${VAR}`s read (the admin token needs ≥ 16 characters). */
const ENV = {
  PATH: process.env['PATH'] ?? '',
  COALMINE_ADMIN_TOKEN: 'docs-admin-token-0123456789',
  COALMINE_BASELINE_KEY: 'docs-baseline-key-0123456789',
  COALMINE_ONCALL_TOKEN: 'docs-oncall-token-0123456789',
  COALMINE_AUDIT_KEY: 'docs-audit-key-0123456789',
  OPENAI_API_KEY: 'sk-docs-test',
  ANTHROPIC_API_KEY: 'sk-ant-docs-test',
};

function cli(args: string[], cwd: string) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd, env: ENV, encoding: 'utf8' });
}

/** A project directory holding the shipped default pack and the page's path-named blocks. */
function project(block: Block): string {
  const dir = mkdtempSync(join(tmpdir(), 'coalmine-docs-'));
  mkdirSync(join(dir, 'policies/tests'), { recursive: true });
  copyFileSync(join(ROOT, 'policies/default.yaml'), join(dir, 'policies/default.yaml'));
  for (const other of YAML_BLOCKS) {
    const path = namedPath(other);
    if (other !== block && other.page === block.page && path && !other.skip)
      put(dir, path, other.text);
  }
  return dir;
}

function put(dir: string, path: string, text: string) {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

describe('the harness catches what issue 17 reported', () => {
  it('an unquoted ${VAR} inside a YAML flow map does not parse', () => {
    const doc = parseDocument('canary: { schedule: true, hmac_key: ${COALMINE_BASELINE_KEY} }\n');
    expect(doc.errors.length).toBeGreaterThan(0);
    const quoted = parseDocument(
      'canary: { schedule: true, hmac_key: "${COALMINE_BASELINE_KEY}" }\n',
    );
    expect(quoted.errors).toEqual([]);
  });
});

describe('YAML blocks parse and lint with the project’s own linter', () => {
  it.each(YAML_BLOCKS.map((b) => [b.where, b] as const))('%s', (_where, block) => {
    if (block.skip) return; // listed below as skipped
    const doc = parseDocument(block.text, { prettyErrors: true });
    expect(doc.errors.map((e) => `${block.where}: ${e.message}`)).toEqual([]);
    const kind = yamlKind(doc.toJS());
    const line = block.where.split(':')[1] ?? '0';
    const path = namedPath(block) ?? DEFAULT_PATH[kind](line);
    const dir = project(block);
    put(dir, path, block.text);
    const lint = cli(['policy', 'lint', path], dir);
    expect(`${lint.stdout}${lint.stderr}`, `${block.where} (${kind} at ${path})`).toContain(
      '1 file(s) OK',
    );
    expect(lint.status).toBe(0);
    if (kind === 'policy-test') {
      const run = cli(['policy', 'test', path], dir);
      expect(`${run.stdout}${run.stderr}`, block.where).toMatch(/\b0 failed\b/);
      expect(run.status).toBe(0);
    }
  });
});

/** A zero-config proxy for the blocks that talk to the documented addresses (started once). */
let proxy: Promise<{ proxy: string; admin: string }> | undefined;
let server: Spawned | undefined;
function documentedProxy() {
  proxy ??= (async () => {
    server = runCli(['serve', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'], {
      cwd: mkdtempSync(join(tmpdir(), 'coalmine-docs-serve-')),
    });
    const line = await server.line(/coalmine listening/);
    return JSON.parse(line) as { proxy: string; admin: string };
  })();
  return proxy;
}
afterAll(() => {
  if (server?.child.exitCode === null) server.child.kill('SIGKILL');
});

/** `coalmine` on the PATH is the built CLI. */
function shimDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'coalmine-docs-bin-'));
  writeFileSync(join(dir, 'coalmine'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(join(dir, 'coalmine'), 0o755);
  return dir;
}

describe('shell blocks run offline against the built CLI', () => {
  it.each(SHELL_BLOCKS.map((b) => [b.where, b] as const))('%s', async (_where, block) => {
    if (block.skip) return;
    let script = block.text;
    const toProxy = /(?:127\.0\.0\.1|localhost):879[01]/.test(script);
    if (toProxy) {
      const { proxy: p, admin } = await documentedProxy();
      const host = (url: string) => new URL(url).host;
      script = script
        .replace(/(?:127\.0\.0\.1|localhost):8790/g, host(p))
        .replace(/(?:127\.0\.0\.1|localhost):8791/g, host(admin));
    }
    const cwd = mkdtempSync(join(tmpdir(), 'coalmine-docs-sh-'));
    const r = spawnSync('bash', ['--norc', '--noprofile', '-eo', 'pipefail', '-c', script], {
      cwd,
      env: { ...ENV, HOME: cwd, PATH: `${shimDir()}:${ENV.PATH}` },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(r.status, `${block.where}\n${r.stdout}\n${r.stderr}`).toBe(0);
    // Answers with an error body (curl -s exits 0 on them) do not count as working.
    expect(r.stdout, block.where).not.toMatch(/"error"\s*:/);
    if (toProxy) expect(r.stdout.trim(), `${block.where}: the proxy answered nothing`).not.toBe('');
  });
});

describe('every block is checked, run, or marked', () => {
  it.each(BLOCKS.map((b) => [b.where, b] as const))('%s', (_where, b) => {
    const known = b.lang === 'yaml' || b.lang === 'yml' || SHELL.has(b.lang) || NOT_RUN.has(b.lang);
    expect(
      known,
      `${b.where}: tag the block with its language (\`\`\`text if it is neither run nor parsed)`,
    ).toBe(true);
  });

  const skipped = BLOCKS.filter((b) => b.skip);
  it.skipIf(skipped.length === 0).each(skipped.map((b) => [b.where, b.skip] as const))(
    'not run here: %s (%s)',
    (_where, why) => expect(why).toMatch(/\S/),
  );
});
