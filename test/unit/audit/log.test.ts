import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditError } from '../../../src/audit/errors.js';
import { AuditLog } from '../../../src/audit/log.js';
import { lockName } from '../../../src/audit/lock.js';
import { ZERO_HASH } from '../../../src/audit/record.js';
import { chainFiles } from '../../../src/audit/rotate.js';
import { verifyAudit } from '../../../src/audit/verify.js';
import { fixedNow, readLines, tempDir, writeEvents } from './helpers.js';

const parse = (line: string | undefined): Record<string, unknown> =>
  JSON.parse(line ?? 'null') as Record<string, unknown>;

describe('AuditLog', () => {
  it('writes one chained JSON line per event', async () => {
    const file = join(await tempDir(), 'audit.log');
    const log = await AuditLog.open({ path: file, now: fixedNow });
    log.append({ type: 'decision', verdict: 'block', rule: 'pii' });
    log.append({ type: 'quarantine', model: 'm', seq: 99, hash: 'forged' });
    await log.close();
    const [a, b] = (await readLines(file)).map(parse);
    expect(a).toMatchObject({
      seq: 0,
      time: '2026-01-02T03:04:05.000Z',
      type: 'decision',
      verdict: 'block',
      rule: 'pii',
      prev: ZERO_HASH,
    });
    expect(a?.hash).toMatch(/^[0-9a-f]{64}$/);
    // Reserved names in an event cannot override the chain fields.
    expect(b).toMatchObject({ seq: 1, type: 'quarantine', prev: a?.hash });
    expect(b?.hash).not.toBe('forged');
    expect(await verifyAudit([file])).toMatchObject({ ok: true, records: 2 });
  });

  it('rotates by size and keeps the chain across files', async () => {
    const file = join(await tempDir(), 'audit.log');
    await writeEvents({ path: file, maxBytes: 1000, keep: 3 }, 40);
    const files = await chainFiles(file, 3);
    expect(files).toEqual([`${file}.3`, `${file}.2`, `${file}.1`, file]);
    for (const f of files) expect((await stat(f)).size).toBeLessThanOrEqual(1000);
    // The new file's first record links to the old file's last.
    const lastOfOld = parse((await readLines(`${file}.1`)).at(-1));
    const firstOfNew = parse((await readLines(file))[0]);
    expect(firstOfNew.prev).toBe(lastOfOld.hash);
    expect(firstOfNew.seq).toBe(Number(lastOfOld.seq) + 1);
    // Oldest files were dropped (keep 3), so the chain starts mid-way.
    const r = await verifyAudit(files, undefined, { start: 'any' });
    expect(r).toMatchObject({ ok: true });
    if (r.ok) expect(r.firstSeq + r.records).toBe(40);
  });

  it('counts drops on a full queue and writes a gap record before the next record', async () => {
    const file = join(await tempDir(), 'audit.log');
    const log = await AuditLog.open({ path: file, queueSize: 3, now: fixedNow });
    for (let i = 0; i < 10; i++) log.append({ type: 'decision', i });
    expect(log.dropped).toBe(7);
    await log.flush();
    log.append({ type: 'decision', i: 10 });
    await log.close();
    const records = (await readLines(file)).map(parse);
    expect(records.map((r) => [r.type, r.i ?? r.dropped])).toEqual([
      ['decision', 0],
      ['decision', 1],
      ['decision', 2],
      ['gap', 7],
      ['decision', 10],
    ]);
    expect(await verifyAudit([file])).toMatchObject({ ok: true, records: 5 });
  });

  it('resumes seq and prev after a restart', async () => {
    const file = join(await tempDir(), 'audit.log');
    await writeEvents({ path: file }, 3);
    await writeEvents({ path: file }, 2, 3);
    const records = (await readLines(file)).map(parse);
    expect(records.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(await verifyAudit([file])).toMatchObject({ ok: true, records: 5 });
  });

  it('resumes from the rotated file when the current one is missing', async () => {
    const file = join(await tempDir(), 'audit.log');
    await writeEvents({ path: file, maxBytes: 1000, keep: 2 }, 8);
    const { rename } = await import('node:fs/promises');
    await rename(file, `${file}.0`); // simulate a crash between rotation and reopening
    const moved = await readFile(`${file}.0`, 'utf8');
    await writeFile(`${file}.1`, (await readFile(`${file}.1`, 'utf8')) + moved);
    await writeEvents({ path: file, maxBytes: 100_000, keep: 2 }, 1, 8);
    const r = await verifyAudit(await chainFiles(file, 2), undefined, { start: 'any' });
    expect(r).toMatchObject({ ok: true });
  });

  it('records a torn last line as a recovered record instead of dropping it', async () => {
    const file = join(await tempDir(), 'audit.log');
    await writeEvents({ path: file }, 2);
    const torn = '{"i":2,"prev":"ab';
    await writeFile(file, (await readFile(file, 'utf8')) + torn);
    expect(await verifyAudit([file])).toMatchObject({ ok: false, reason: 'torn', line: 3 });
    await writeEvents({ path: file }, 1, 3);
    const records = (await readLines(file)).map(parse);
    expect(records[2]).toMatchObject({
      seq: 2,
      type: 'recovered',
      torn_bytes: torn.length,
      torn_base64: Buffer.from(torn).toString('base64'),
    });
    expect(records[3]).toMatchObject({ seq: 3, type: 'decision', i: 3 });
    expect(await verifyAudit([file])).toMatchObject({ ok: true, records: 4 });
  });

  it('refuses to start on a last line that is not a record', async () => {
    const file = join(await tempDir(), 'audit.log');
    await writeFile(file, 'not json\n');
    await expect(AuditLog.open({ path: file })).rejects.toBeInstanceOf(AuditError);
    await expect(AuditLog.open({ path: file })).rejects.toMatchObject({
      code: 'AUDIT_RESUME_FAILED',
    });
  });

  it("one writer per file: a second open is refused, a dead writer's lock is taken over, close releases it", async () => {
    const path = join(await tempDir(), 'audit.log');
    const first = await AuditLog.open({ path });
    await expect(AuditLog.open({ path })).rejects.toMatchObject({ code: 'AUDIT_LOCKED' });
    await first.close();
    await expect(stat(lockName(path))).rejects.toMatchObject({ code: 'ENOENT' });
    // Another live process holds it (the parent of this one stands in for it).
    await writeFile(lockName(path), `${process.ppid}\n`);
    await expect(AuditLog.open({ path })).rejects.toThrow(new RegExp(`process ${process.ppid}`));
    // A crashed writer: no such process any more.
    await writeFile(lockName(path), '2147483646\n');
    const again = await AuditLog.open({ path });
    again.append({ type: 'decision' });
    await again.close();
    expect(await verifyAudit([path])).toMatchObject({ ok: true, records: 1 });
  });

  it('counts appends after close as dropped and never throws', async () => {
    const file = join(await tempDir(), 'audit.log');
    const log = await AuditLog.open({ path: file });
    await log.close();
    expect(() => log.append({ type: 'late' })).not.toThrow();
    expect(log.dropped).toBe(1);
  });

  it('drops an event that cannot be serialised instead of failing the drain', async () => {
    const file = join(await tempDir(), 'audit.log');
    const log = await AuditLog.open({ path: file, now: fixedNow });
    log.append({ type: 'bad', n: 1n });
    await log.flush();
    log.append({ type: 'decision', i: 1 });
    await log.close();
    expect(log.dropped).toBe(1);
    const records = (await readLines(file)).map(parse);
    expect(records.map((r) => r.type)).toEqual(['gap', 'decision']);
    expect(await verifyAudit([file])).toMatchObject({ ok: true, records: 2 });
  });
});
