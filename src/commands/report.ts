/**
 * How a failed command is reported: what the user caused (UserError, ConfigError) is one
 * line per problem on stderr and exit 2; anything else is a runtime failure, one line and
 * exit 1, with the stack trace only when debugging was asked for.
 */
import { ConfigError, formatIssue } from '../errors.js';
import type { SourceIssue } from '../errors.js';
import { UserError } from './user-error.js';

export interface Failure {
  /** What to write to stderr, newline-terminated. */
  text: string;
  exitCode: 1 | 2;
}

/**
 * Issues located in a file are `file:line:col: message` (editors jump to them); those from a
 * flag (`--listen`) or an environment variable (`COALMINE_UPSTREAM`) have no position.
 */
export function issueLine(i: SourceIssue): string {
  return /^(-|[A-Z][A-Z0-9_]*$)/.test(i.file)
    ? `coalmine: ${i.file}: ${i.message}`
    : formatIssue(i);
}

export function failure(e: unknown, opts: { debug: boolean }): Failure {
  if (e instanceof UserError) return { text: `coalmine: ${e.message}\n`, exitCode: 2 };
  if (e instanceof ConfigError)
    return { text: e.issues.map((i) => `${issueLine(i)}\n`).join(''), exitCode: 2 };
  const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
  const stack = opts.debug && e instanceof Error && e.stack ? `\n${e.stack}` : '';
  const hint = opts.debug ? '' : ' (run with --debug for the stack trace)';
  return { text: `coalmine: ${message}${hint}${stack}\n`, exitCode: 1 };
}
