import { access, rename, rm } from 'node:fs/promises';

/** `FILE.n`: the n-th most recent rotated file (1 = the newest). */
export function rotatedName(path: string, n: number): string {
  return `${path}.${n}`;
}

/**
 * Shifts `FILE.(keep-1)` → `FILE.keep` … `FILE` → `FILE.1`, deleting what falls off the end.
 * With `keep` 0 the current file is deleted. Missing files are skipped.
 */
export async function rotateFiles(path: string, keep: number): Promise<void> {
  if (keep <= 0) {
    await rm(path, { force: true });
    return;
  }
  await rm(rotatedName(path, keep), { force: true });
  for (let n = keep - 1; n >= 1; n--)
    await renameIfExists(rotatedName(path, n), rotatedName(path, n + 1));
  await renameIfExists(path, rotatedName(path, 1));
}

/** The files present for `path` with up to `keep` rotations, in chain order (oldest first). */
export async function chainFiles(path: string, keep: number): Promise<string[]> {
  const candidates: string[] = [];
  for (let n = keep; n >= 1; n--) candidates.push(rotatedName(path, n));
  candidates.push(path);
  const present = await Promise.all(
    candidates.map((f) =>
      access(f).then(
        () => true,
        () => false,
      ),
    ),
  );
  return candidates.filter((_, i) => present[i]);
}

async function renameIfExists(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
