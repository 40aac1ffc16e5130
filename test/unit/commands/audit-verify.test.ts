/** `coalmine audit verify` in process: chain order, keys, --partial, what it prints and exits. */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chainOrder, verify } from '../../../src/commands/audit.js';
import type { VerifyOptions } from '../../../src/commands/audit.js';
import { tempDir, writeEvents } from '../audit/helpers.js';

const KEY = 'audit-key-0123456789abcdef';

async function run(
  files: string[],
  opts: Partial<VerifyOptions>,
  env: Record<string, string> = {},
) {
  let out = '';
  const code = await verify(
    files,
    { key: undefined, partial: false, ...opts },
    { out: (s) => (out += s), err: () => {}, cwd: '/', env },
  );
  return { code, out: out.trim() };
}

/** A keyed chain of 40 records rotated across several files; returns them oldest first. */
async function chain(): Promise<string[]> {
  const dir = await tempDir();
  const path = join(dir, 'audit.log');
  await writeEvents({ path, maxBytes: 4096, keep: 20, key: Buffer.from(KEY) }, 40);
  const files = [path];
  for (let n = 1; n <= 20; n++) {
    const f = `${path}.${n}`;
    if (
      await readFile(f).then(
        () => true,
        () => false,
      )
    )
      files.unshift(f);
  }
  return files;
}

describe('coalmine audit verify', () => {
  it.each([
    [
      'one chain, any order',
      ['a.log', 'a.log.1', 'a.log.3', 'a.log.2'],
      ['a.log.3', 'a.log.2', 'a.log.1', 'a.log'],
    ],
    ['only rotated files of one chain', ['a.log.1', 'a.log.2'], ['a.log.2', 'a.log.1']],
    [
      'files of no one chain keep their order',
      ['b.log', 'a.log.1', 'a.log'],
      ['b.log', 'a.log.1', 'a.log'],
    ],
    [
      'numbers compare as numbers',
      ['a.log', 'a.log.10', 'a.log.9'],
      ['a.log.10', 'a.log.9', 'a.log'],
    ],
  ])('orders files: %s', (_n, given, want) => {
    expect(chainOrder(given)).toEqual(want);
  });

  it('verifies a rotated keyed chain given in any order, with the key from the flag or the environment', async () => {
    const files = await chain();
    expect(files.length).toBeGreaterThan(2);
    const shuffled = [...files].reverse();
    expect(await run(shuffled, { key: KEY })).toEqual({ code: 0, out: '40 records verified' });
    expect(await run(shuffled, {}, { COALMINE_AUDIT_KEY: KEY })).toEqual({
      code: 0,
      out: '40 records verified',
    });
  });

  it.each<[string, (files: string[]) => Promise<void>, RegExp]>([
    ['a wrong key', async () => {}, /\.\d+:1: hash: /],
    [
      'a deleted line',
      async (f) => edit(f[1]!, (l) => l.splice(1, 1)),
      /:2: seq: seq \d+, expected \d+$/,
    ],
    [
      'two lines swapped',
      async (f) => edit(f[0]!, (l) => l.splice(0, 2, l[1]!, l[0]!)),
      /:1: seq: seq 1, expected 0$/,
    ],
    [
      'an edited value',
      async (f) =>
        edit(f.at(-1)!, (l) => (l[0] = l[0]!.replace('"verdict":"pass"', '"verdict":"block"'))),
      /audit\.log:1: hash: /,
    ],
    ['a rotated file removed from the middle', async (f) => rm(f[1]!), /:1: seq: /],
    [
      'a torn last line',
      async (f) => writeFile(f.at(-1)!, `${await readFile(f.at(-1)!, 'utf8')}{"seq":`),
      /: torn: partial last line$/,
    ],
  ])('names the first bad file and line: %s', async (name, tamper, want) => {
    const files = await chain();
    await tamper(files);
    const present = [];
    for (const f of files)
      if (
        await readFile(f).then(
          () => true,
          () => false,
        )
      )
        present.push(f);
    const r = await run(present, { key: name === 'a wrong key' ? 'another-key-0123456789' : KEY });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(want);
  });

  it('--partial accepts a chain whose oldest files were rotated away, and says where it starts', async () => {
    const files = await chain();
    const rest = files.slice(1);
    expect((await run(rest, { key: KEY })).code).toBe(1);
    const r = await run(rest, { key: KEY, partial: true });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\d+ records verified from seq [1-9]\d*$/);
  });

  it('a missing file is a usage error', async () => {
    await expect(run(['/nonexistent/audit.log'], {})).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
  });
});

async function edit(file: string, change: (lines: string[]) => void): Promise<void> {
  const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  change(lines);
  await writeFile(file, lines.map((l) => `${l}\n`).join(''));
}
