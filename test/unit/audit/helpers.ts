import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../../src/audit/log.js';
import type { AuditLogOptions } from '../../../src/audit/log.js';

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'coalmine-audit-'));
}

/** A fixed clock: deterministic `time` fields. */
export const fixedNow = (): Date => new Date('2026-01-02T03:04:05.000Z');

/** Writes `n` events through a real AuditLog and closes it. */
export async function writeEvents(opts: AuditLogOptions, n: number, start = 0): Promise<void> {
  const log = await AuditLog.open({ now: fixedNow, ...opts });
  for (let i = start; i < start + n; i++) log.append({ type: 'decision', i, verdict: 'pass' });
  await log.close();
}

export async function readLines(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  return text.split('\n').filter((l) => l !== '');
}

export async function writeLines(file: string, lines: string[]): Promise<void> {
  await writeFile(file, lines.map((l) => `${l}\n`).join(''));
}
