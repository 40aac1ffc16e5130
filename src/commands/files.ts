/**
 * The FILE arguments of `policy lint` / `policy test`: each must be an existing regular file.
 * Anything else is a usage error (exit 2), not a lint finding: the command never ran on it.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from './user-error.js';

/** Resolves the arguments against `cwd`; throws a UserError for the first that is no file. */
export function fileArguments(command: string, files: readonly string[], cwd: string): string[] {
  return files.map((f) => {
    const path = resolve(cwd, f);
    let isFile: boolean;
    try {
      isFile = statSync(path).isFile();
    } catch {
      throw new UserError(
        'FILE_NOT_FOUND',
        `${command}: ${f}: no such file; check the path (globs are expanded by the shell)`,
      );
    }
    if (!isFile) {
      const dir = statSync(path).isDirectory();
      const example = `coalmine ${command} ${f === '.' ? '' : `${f.replace(/\/+$/, '')}/`}*.yaml`;
      throw new UserError(
        'FILE_NOT_REGULAR',
        dir
          ? `${command}: ${f}: is a directory; name the files in it, e.g. ${example}`
          : `${command}: ${f}: not a regular file; give policy, policy-test, canary or config files`,
      );
    }
    return path;
  });
}
