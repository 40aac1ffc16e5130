/**
 * Watches policy files for changes (editors often replace a file rather than write it, so the
 * directories are watched) and calls back once per burst of events.
 */
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { isDynamicPattern } from 'tinyglobby';

/** The static directory a pattern starts from (`policies/**\/*.yaml` → `policies`). */
function baseDir(pattern: string, cwd: string): { dir: string; recursive: boolean } {
  if (!isDynamicPattern(pattern)) return { dir: dirname(resolve(cwd, pattern)), recursive: false };
  const parts = pattern.split(/[\\/]/);
  const fixed: string[] = [];
  for (const p of parts) {
    if (isDynamicPattern(p)) break;
    fixed.push(p);
  }
  return { dir: resolve(cwd, fixed.join(sep) || '.'), recursive: pattern.includes('**') };
}

export function watchPolicies(
  patterns: readonly string[],
  cwd: string,
  onChange: () => void,
  debounceMs = 200,
): () => void {
  const dirs = new Map<string, boolean>();
  for (const p of patterns) {
    const { dir, recursive } = baseDir(p, cwd);
    dirs.set(dir, (dirs.get(dir) ?? false) || recursive);
  }
  let timer: NodeJS.Timeout | undefined;
  const fire = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };
  const watchers: FSWatcher[] = [];
  for (const [dir, recursive] of dirs) {
    try {
      const w = watch(dir, { recursive, persistent: false }, fire);
      w.on('error', () => {});
      watchers.push(w);
    } catch {
      // A directory that does not exist yet cannot be watched; SIGHUP and /admin/reload still work.
    }
  }
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
