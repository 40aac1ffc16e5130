/**
 * A failure the user caused and can fix: a bad flag, a missing file, an address in use.
 * The CLI prints it as one line on stderr (what, where, how to fix) and exits 2; never a
 * stack trace. Imports nothing, so the composition root can throw it too.
 */
export type UserErrorCode =
  | 'CLI_UNKNOWN_COMMAND'
  | 'CLI_UNKNOWN_OPTION'
  | 'CLI_BAD_VALUE'
  | 'CLI_MISSING_ARGUMENT'
  | 'CLI_UNEXPECTED_ARGUMENT'
  | 'FILE_NOT_FOUND'
  | 'FILE_NOT_REGULAR'
  | 'LISTEN_FAILED'
  | 'AUDIT_OPEN_FAILED'
  | 'STATE_BACKEND_UNAVAILABLE';

export class UserError extends Error {
  readonly code: UserErrorCode;
  /** The process exit code: always 2 (usage or configuration). */
  readonly exitCode = 2;

  constructor(code: UserErrorCode, message: string) {
    super(message);
    this.name = 'UserError';
    this.code = code;
  }
}

/** Socket errors that mean "this address cannot be used", with how to fix each. */
const LISTEN_HINTS: Record<string, string> = {
  EADDRINUSE: 'address already in use (is another coalmine running?)',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'no such local address',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'unknown host',
};

/**
 * Turns a listen failure into a UserError naming the setting to change, or returns the
 * error unchanged when it is not one a user can fix by choosing another address.
 */
export function listenError(
  e: unknown,
  where: { setting: string; host: string; port: number },
): Error {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const hint = code ? LISTEN_HINTS[code] : undefined;
  if (!hint) return e instanceof Error ? e : new Error(String(e));
  const host = where.host.includes(':') ? `[${where.host}]` : where.host;
  return new UserError(
    'LISTEN_FAILED',
    `cannot listen on ${host}:${where.port}: ${hint}; choose another with ${where.setting}`,
  );
}
