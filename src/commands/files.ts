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
    if (!isFile)
      throw new UserError(
        'FILE_NOT_REGULAR',
        `${command}: ${f}: not a file${statSync(path).isDirectory() ? ' but a directory' : ''}; name the files, e.g. coalmine ${command} ${f === '.' ? '' : `${f.replace(/\/+$/, '')}/`}*.yaml`,
      );
    return path;
  });
}
