import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chainFiles } from '../../../src/audit/rotate.js';
import { hashRecord } from '../../../src/audit/record.js';
import { verifyAudit } from '../../../src/audit/verify.js';
import type { AuditFailure } from '../../../src/audit/verify.js';
import { AuditLog } from '../../../src/audit/log.js';
import { fixedNow, readLines, tempDir, writeEvents, writeLines } from './helpers.js';
import { writeFile } from 'node:fs/promises';

const KEY = Buffer.from('a-sixteen-char-key!!');
/** Where Python's str.splitlines splits a line (it is one of the readers of JSON lines). */
// eslint-disable-next-line no-control-regex -- the control characters are the point
const SPLITLINES = new RegExp('\\r\\n|[\\n\\r\\v\\f\\x1c-\\x1e\\x85\\u2028\\u2029]');

/** Re-seal an edited record so only the chain (not the hash) gives the tampering away. */
function reseal(line: string, edit: (r: Record<string, unknown>) => void, key?: Buffer): string {
  const r = JSON.parse(line) as Record<string, unknown>;
  edit(r);
  r.hash = hashRecord(r, key);
  return JSON.stringify(r);
}

type Tamper = (lines: string[]) => string[];

const cases: {
  name: string;
  tamper: Tamper;
  line: number;
  reason: AuditFailure;
  key?: Buffer | undefined;
}[] = [
  {
    name: 'delete a middle line',
    tamper: (l) => l.filter((_, i) => i !== 3),
    line: 4,
    reason: 'seq',
  },
  { name: 'delete the first line', tamper: (l) => l.slice(1), line: 1, reason: 'seq' },
  {
    // JSON.parse keeps the last "verdict" (the original, so the hash still matches); a reader
    // that keeps the first would show the forged one.
    name: 'forge a value with a duplicate key before the original',
    tamper: (l) => l.map((x, i) => (i === 2 ? x.replace('{', '{"verdict":"block",') : x)),
    line: 3,
    reason: 'malformed',
  },
  {
    name: 'rewrite a line without changing what it parses to (whitespace)',
    tamper: (l) => l.map((x, i) => (i === 4 ? x.replace(',', ', ') : x)),
    line: 5,
    reason: 'malformed',
  },
  {
    name: 'insert a line',
    tamper: (l) => [...l.slice(0, 2), l[1]!, ...l.slice(2)],
    line: 3,
    reason: 'seq',
  },
  {
    name: 'reorder two lines',
    tamper: (l) => [l[0]!, l[2]!, l[1]!, ...l.slice(3)],
    line: 2,
    reason: 'seq',
  },
  {
    name: 'edit a field',
    tamper: (l) => l.map((x, i) => (i === 5 ? x.replace('"pass"', '"block"') : x)),
    line: 6,
    reason: 'hash',
  },
  {
    name: 'edit a field and recompute its hash',
    tamper: (l) => l.map((x, i) => (i === 5 ? reseal(x, (r) => (r.verdict = 'block'), KEY) : x)),
    line: 7,
    reason: 'prev',
  },
  {
    name: 'delete a line and renumber the rest',
    tamper: (l) =>
      l.filter((_, i) => i !== 3).map((x, i) => (i >= 3 ? reseal(x, (r) => (r.seq = i), KEY) : x)),
    line: 4,
    reason: 'prev',
  },
  {
    name: 'wrong key',
    tamper: (l) => l,
    line: 1,
    reason: 'hash',
    key: Buffer.from('another-key-entirely'),
  },
  {
    name: 'keyed log checked without a key',
    tamper: (l) => l,
    line: 1,
    reason: 'hash',
    key: undefined,
  },
  {
    name: 'not JSON',
    tamper: (l) => l.map((x, i) => (i === 2 ? x.slice(0, -1) : x)),
    line: 3,
    reason: 'malformed',
  },
  {
    name: 'empty line',
    tamper: (l) => [...l.slice(0, 4), '', ...l.slice(4)],
    line: 5,
    reason: 'malformed',
  },
];

describe('verifyAudit', () => {
  it('accepts an untouched log', async () => {
    const file = join(await tempDir(), 'audit.log');
    await writeEvents({ path: file, key: KEY }, 10);
    expect(await verifyAudit([file], KEY)).toMatchObject({ ok: true, records: 10, firstSeq: 0 });
  });

  it.each(cases)('detects: $name', async ({ tamper, line, reason, ...rest }) => {
    const file = join(await tempDir(), 'audit.log');
    await writeEvents({ path: file, key: KEY }, 10);
    await writeLines(file, tamper(await readLines(file)));
    const key = 'key' in rest ? rest.key : KEY;
    expect(await verifyAudit([file], key)).toMatchObject({ ok: false, file, line, reason });
  });

  it('detects a truncated (torn) last line', async () => {
    const file = join(await tempDir(), 'audit.log');
    await writeEvents({ path: file }, 3);
    const lines = await readLines(file);
    await writeFile(file, `${lines.join('\n')}\n${lines[2]!.slice(0, 20)}`);
    expect(await verifyAudit([file])).toMatchObject({ ok: false, line: 4, reason: 'torn' });
  });

  it('detects a missing file in the middle of the chain', async () => {
    const file = join(await tempDir(), 'audit.log');
    await writeEvents({ path: file, maxBytes: 600, keep: 50 }, 20);
    const files = await chainFiles(file, 50);
    expect(files.length).toBeGreaterThan(3);
    expect(await verifyAudit(files)).toMatchObject({ ok: true, records: 20 });
    await rm(files[1]!);
    const r = await verifyAudit(files.filter((_, i) => i !== 1));
    expect(r).toMatchObject({ ok: false, file: files[2], line: 1, reason: 'seq' });
  });

  it('accepts a chain whose oldest files were rotated away only with start: any', async () => {
    const file = join(await tempDir(), 'audit.log');
    await writeEvents({ path: file, maxBytes: 600, keep: 1 }, 20);
    expect(await verifyAudit([`${file}.1`, file])).toMatchObject({
      ok: false,
      reason: 'seq',
      line: 1,
    });
    const r = await verifyAudit([`${file}.1`, file], undefined, { start: 'any' });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.firstSeq).toBeGreaterThan(0);
  });

  it('writes U+2028, U+2029 and U+0085 escaped (one record per line for any line splitter), and verifies raw ones of earlier writers', async () => {
    const file = join(await tempDir(), 'audit.log');
    const log = await AuditLog.open({ path: file, now: fixedNow });
    const model = 'gpt\u2028{"verdict":"pass"}\u2029x\u0085y';
    log.append({ type: 'decision', i: 0, model });
    log.append({ type: 'decision', i: 1, model: 'plain' });
    await log.close();
    const text = readFileSync(file, 'utf8');
    expect(text.split(SPLITLINES).filter(Boolean)).toHaveLength(2);
    const lines = await readLines(file);
    expect(lines[0]).toContain('gpt\\u2028{');
    expect((JSON.parse(lines[0]!) as { model: string }).model).toBe(model);
    expect(await verifyAudit([file])).toMatchObject({ ok: true, records: 2 });
    // A file an earlier version wrote, with the characters raw, still verifies.
    await writeLines(file, [
      lines[0]!.replace(/\\u(2028|2029|0085)/g, (_, h: string) =>
        String.fromCharCode(parseInt(h, 16)),
      ),
      lines[1]!,
    ]);
    expect((await readLines(file))[0]).toContain('gpt\u2028{');
    expect(await verifyAudit([file])).toMatchObject({ ok: true, records: 2 });
  });

  it('reports an unreadable file', async () => {
    const file = join(await tempDir(), 'missing.log');
    expect(await verifyAudit([file])).toMatchObject({ ok: false, file, reason: 'unreadable' });
  });
});
