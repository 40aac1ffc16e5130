/**
 * One writer per audit chain: two processes appending to one file would fork it (both write
 * seq n with the same prev). `.FILE.lock` beside it (hidden: `FILE*` globs given to
 * `coalmine audit verify` must not pick it up) holds the writer's pid; a lock whose process is gone
 * (a crash, a killed container) is taken over.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AuditError } from './errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, owned by someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock file of an audit file. */
export function lockName(path: string): string {
  return join(dirname(path), `.${basename(path)}.lock`);
}

/** Takes the lock; resolves with its release. Throws AUDIT_LOCKED while another process holds it. */
export async function lockChain(path: string): Promise<() => Promise<void>> {
  const lock = lockName(path);
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(lock, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => rm(lock, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
    }
    const pid = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
      throw new AuditError(
        'AUDIT_LOCKED',
        `${path} is being written by process ${pid} (${lock}); one process per audit file`,
      );
    if (pid === process.pid)
      throw new AuditError('AUDIT_LOCKED', `${path} is already open in this process`);
    await rm(lock, { force: true });
  }
}
