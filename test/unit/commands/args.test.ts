import { describe, expect, it } from 'vitest';
import { intFlag, parseCommandLine } from '../../../src/commands/args.js';
import { COMMANDS } from '../../../src/commands/spec.js';
import { UserError } from '../../../src/commands/user-error.js';

const parse = (argv: string[]) => parseCommandLine(argv, '9.9.9');

function rejection(argv: string[]): UserError {
  try {
    parse(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error(`expected ${argv.join(' ')} to be rejected`);
}

describe('the command line', () => {
  it.each(COMMANDS.map((c) => [c.name]))(
    '"%s --help" and "help" with its name print its own help',
    (name) => {
      const spec = COMMANDS.find((c) => c.name === name)!;
      const own = spec.help;
      const help = { kind: 'help', text: own, more: spec.moreHelp };
      expect(parse([...name.split(' '), '--help'])).toEqual(help);
      expect(parse([...name.split(' '), '-h'])).toEqual(help);
      expect(parse(['help', ...name.split(' ')])).toEqual(help);
      expect(own).toMatch(new RegExp(`^usage: coalmine ${name}`));
    },
  );

  it.each([
    [['--version'], { kind: 'version' }],
    [[], { kind: 'run', name: 'serve', positionals: [] }],
    [['--listen', '127.0.0.1:0'], { kind: 'run', name: 'serve', positionals: [] }],
    [
      ['policy', 'lint', 'a.yaml', 'b.yaml'],
      { kind: 'run', name: 'policy lint', positionals: ['a.yaml', 'b.yaml'] },
    ],
    [
      ['canary', 'run', '--id', 'a', '--id', 'b', '--json'],
      { kind: 'run', name: 'canary run', positionals: [] },
    ],
  ])('accepts %j', (argv, expected) => {
    const p = parse(argv);
    if (p.kind === 'run')
      expect({ kind: p.kind, name: p.command.name, positionals: p.positionals }).toEqual(expected);
    else expect(p).toEqual(expected);
  });

  it.each([
    [['frob'], 'CLI_UNKNOWN_COMMAND', /unknown command "frob"/],
    [['help', 'frob'], 'CLI_UNKNOWN_COMMAND', /help: unknown command "frob"/],
    [
      ['policy'],
      'CLI_MISSING_ARGUMENT',
      /policy: missing subcommand; use one of lint, test, schema, checks/,
    ],
    [
      ['canary', 'frob'],
      'CLI_UNKNOWN_COMMAND',
      /canary: unknown subcommand "frob"; use one of run, baseline/,
    ],
    [
      ['canary', 'run', '--samples', '5'],
      'CLI_UNKNOWN_OPTION',
      /canary run: unknown option --samples; it accepts --config, --id, --json/,
    ],
    [['serve', '--colour'], 'CLI_UNKNOWN_OPTION', /serve: unknown option --colour/],
    [['--colour'], 'CLI_UNKNOWN_OPTION', /serve: unknown option --colour/],
    [['serve', '--config'], 'CLI_MISSING_ARGUMENT', /serve: option --config needs a value/],
    [['canary', 'run', '--json=yes'], 'CLI_BAD_VALUE', /canary run: option --json takes no value/],
    [['serve', 'extra'], 'CLI_UNEXPECTED_ARGUMENT', /serve: unexpected argument "extra"/],
    [
      ['policy', 'schema', 'x'],
      'CLI_UNEXPECTED_ARGUMENT',
      /policy schema: unexpected argument "x"/,
    ],
    [['policy', 'lint'], 'CLI_MISSING_ARGUMENT', /policy lint: no FILE given/],
    [
      ['policy', 'test', '--fast', 'x.yaml'],
      'CLI_UNKNOWN_OPTION',
      /policy test: unknown option --fast; it takes no options/,
    ],
    [['--version', 'x'], 'CLI_UNEXPECTED_ARGUMENT', /--version takes no arguments/],
  ])('rejects %j', (argv, code, message) => {
    const e = rejection(argv);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('\n');
  });

  it.each([
    ['8792', 8792],
    ['0', 0],
    ['abc', undefined],
    ['-1', undefined],
    ['70000', undefined],
    ['1.5', undefined],
    ['', undefined],
  ])('--port %j', (value, expected) => {
    const f = () => intFlag('sim', '--port', value, { min: 0, max: 65535 });
    if (expected === undefined) expect(f).toThrow(/sim: --port must be an integer from 0 to 65535/);
    else expect(f()).toBe(expected);
  });
});
