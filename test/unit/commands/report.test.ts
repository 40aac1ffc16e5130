import { describe, expect, it } from 'vitest';
import { failure } from '../../../src/commands/report.js';
import { UserError } from '../../../src/commands/user-error.js';
import { ConfigError } from '../../../src/errors.js';

const at = (file: string, message: string) => ({ file, line: 3, col: 7, message });

describe('failure reports', () => {
  it.each([
    [
      'a usage error',
      new UserError('CLI_UNKNOWN_OPTION', 'serve: unknown option --x'),
      false,
      2,
      'coalmine: serve: unknown option --x\n',
    ],
    [
      'a config error in a file',
      new ConfigError([at('/c/coalmine.yaml', 'listen: invalid')]),
      false,
      2,
      '/c/coalmine.yaml:3:7: listen: invalid\n',
    ],
    [
      'a config error from a flag',
      new ConfigError([at('--listen', 'invalid listen address')]),
      false,
      2,
      'coalmine: --listen: invalid listen address\n',
    ],
    [
      'a config error from the environment',
      new ConfigError([at('COALMINE_UPSTREAM', 'url must be an absolute http(s) URL')]),
      false,
      2,
      'coalmine: COALMINE_UPSTREAM: url must be an absolute http(s) URL\n',
    ],
    [
      'a runtime failure',
      new Error('boom\nsecond line'),
      false,
      1,
      'coalmine: boom (run with --debug for the stack trace)\n',
    ],
    [
      'a thrown string',
      'boom',
      false,
      1,
      'coalmine: boom (run with --debug for the stack trace)\n',
    ],
  ])('%s', (_name, e, debug, exitCode, text) => {
    expect(failure(e, { debug })).toEqual({ text, exitCode });
  });

  it('prints the stack of a runtime failure with --debug, and never of a user error', () => {
    expect(failure(new Error('boom'), { debug: true }).text).toMatch(
      /^coalmine: boom\nError: boom\n\s+at /,
    );
    expect(failure(new UserError('CLI_BAD_VALUE', 'x'), { debug: true }).text).toBe(
      'coalmine: x\n',
    );
  });
});
