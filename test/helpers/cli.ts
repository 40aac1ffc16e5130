import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface Spawned {
  child: ChildProcess;
  stderr(): string;
  stdout(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Resolves with the first stderr line matching `re`. */
  line(re: RegExp, ms?: number): Promise<string>;
}

export function runCli(
  args: string[],
  opts: { cwd: string; env?: Record<string, string>; nodeArgs?: string[] },
): Spawned {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: run "npm run build" (npm test does it)`);
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), CLI, ...args], {
    cwd: opts.cwd,
    env: { PATH: process.env['PATH'] ?? '', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    stderr: () => err,
    stdout: () => out,
    exited,
    line: (re, ms = 10_000) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no line matching ${re} in:\n${err}`)), ms);
        const check = () => {
          const hit = err.split('\n').find((l) => re.test(l));
          if (hit) {
            clearTimeout(t);
            child.stderr.off('data', check);
            resolve(hit);
          }
        };
        child.stderr.on('data', check);
        check();
      }),
  };
}
