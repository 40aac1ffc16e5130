/**
 * Command-line parsing against the command table (spec.ts): strict, so an unknown flag, a
 * flag without its value or an unexpected argument is a UserError naming the command and
 * pointing at its `--help`, never node:util's TypeError with a stack.
 */
import { parseArgs } from 'node:util';
import type { CommandSpec } from './spec.js';
import { COMMANDS, findCommand, OVERVIEW } from './spec.js';
import { UserError } from './user-error.js';

export type Values = Record<string, string | boolean | string[] | undefined>;

export type Parsed =
  | { kind: 'version' }
  | { kind: 'help'; text: string; more?: (() => Promise<string>) | undefined }
  | { kind: 'run'; command: CommandSpec; values: Values; positionals: string[] };

const GROUPS = ['policy', 'canary', 'audit'];
const TOP = COMMANDS.filter((c) => !c.name.includes(' ')).map((c) => c.name);
const isHelp = (a: string) => a === '--help' || a === '-h';
/** Flags before a `--` (after it everything is an argument). */
const flagsOf = (args: readonly string[]) => {
  const end = args.indexOf('--');
  return end < 0 ? args : args.slice(0, end);
};

function subcommandsOf(group: string): string {
  return COMMANDS.filter((c) => c.name.startsWith(`${group} `))
    .map((c) => c.name.slice(group.length + 1))
    .join(', ');
}

/** Resolves `help [COMMAND [SUBCOMMAND]]` to the help text it asks for. */
function helpFor(words: readonly string[], version: string): Parsed {
  if (words.length === 0) return { kind: 'help', text: OVERVIEW(version) };
  const name = words.join(' ');
  const found = findCommand(name);
  if (found) return { kind: 'help', text: found.help, more: found.moreHelp };
  throw new UserError(
    'CLI_UNKNOWN_COMMAND',
    `help: unknown command "${name}"; commands: ${TOP.join(', ')} (see coalmine --help)`,
  );
}

/** Splits argv into the command it names and that command's arguments. */
function commandOf(argv: readonly string[]): { spec: CommandSpec; args: string[] } {
  const [first, second] = argv;
  if (first === undefined || first.startsWith('-'))
    return { spec: findCommand('serve')!, args: [...argv] };
  if (GROUPS.includes(first) && second !== undefined && !second.startsWith('-')) {
    const spec = findCommand(`${first} ${second}`);
    if (!spec)
      throw new UserError(
        'CLI_UNKNOWN_COMMAND',
        `${first}: unknown subcommand "${second}"; use one of ${subcommandsOf(first)} (see coalmine ${first} --help)`,
      );
    return { spec, args: argv.slice(2) };
  }
  const spec = findCommand(first);
  if (!spec)
    throw new UserError(
      'CLI_UNKNOWN_COMMAND',
      `unknown command "${first}"; commands: ${TOP.join(', ')}, help (see coalmine --help)`,
    );
  if (GROUPS.includes(first) && !flagsOf(argv.slice(1)).some(isHelp))
    throw new UserError(
      'CLI_MISSING_ARGUMENT',
      `${first}: missing subcommand; use one of ${subcommandsOf(first)} (see coalmine ${first} --help)`,
    );
  return { spec, args: argv.slice(1) };
}

const quoted = (message: string) => /'([^']+)'/.exec(message)?.[1] ?? '';

/** node:util's parse errors, said in one line with the command and where to look. */
function parseError(spec: CommandSpec, e: unknown): UserError {
  const code = (e as { code?: string }).code;
  const message = e instanceof Error ? e.message : String(e);
  const see = `see coalmine ${spec.name} --help`;
  const known = Object.keys(spec.options)
    .filter((o) => o !== 'help' && o !== 'debug')
    .map((o) => `--${o}`);
  const accepted = known.length ? `it accepts ${known.join(', ')}` : 'it takes no options';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UserError(
        'CLI_UNKNOWN_OPTION',
        `${spec.name}: unknown option ${quoted(message)}; ${accepted} (${see})`,
      );
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const flag = quoted(message).split(' ')[0] ?? '';
      const takes = /does not take an argument/.test(message);
      return new UserError(
        takes ? 'CLI_BAD_VALUE' : 'CLI_MISSING_ARGUMENT',
        takes
          ? `${spec.name}: option ${flag} takes no value (${see})`
          : `${spec.name}: option ${flag} needs a value (${see})`,
      );
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UserError(
        'CLI_UNEXPECTED_ARGUMENT',
        `${spec.name}: unexpected argument "${quoted(message)}"; it takes none (${see})`,
      );
    default:
      return new UserError('CLI_BAD_VALUE', `${spec.name}: ${message.split('\n')[0]} (${see})`);
  }
}

/** Parses argv (without `node` and the script); throws UserError on anything it rejects. */
export function parseCommandLine(argv: readonly string[], version: string): Parsed {
  const [first] = argv;
  if (first === '--version' || first === '-V') {
    if (argv.length > 1)
      throw new UserError('CLI_UNEXPECTED_ARGUMENT', '--version takes no arguments');
    return { kind: 'version' };
  }
  if (first === 'help') return helpFor(argv.slice(1), version);
  if (first !== undefined && isHelp(first) && argv.length === 1)
    return { kind: 'help', text: OVERVIEW(version) };

  const { spec, args } = commandOf(argv);
  if (flagsOf(args).some(isHelp)) return { kind: 'help', text: spec.help, more: spec.moreHelp };
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({
      args,
      options: spec.options,
      strict: true,
      allowPositionals: spec.positionals === 'files',
    }) as { values: Values; positionals: string[] };
  } catch (e) {
    throw parseError(spec, e);
  }
  if (spec.positionals === 'files' && parsed.positionals.length === 0)
    throw new UserError(
      'CLI_MISSING_ARGUMENT',
      `${spec.name}: no FILE given; e.g. coalmine ${spec.name} policies/*.yaml (see coalmine ${spec.name} --help)`,
    );
  return { kind: 'run', command: spec, ...parsed };
}

/** An integer flag value within bounds, or a UserError saying what is expected. */
export function intFlag(
  command: string,
  flag: string,
  value: string,
  range: { min: number; max: number },
): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < range.min || n > range.max)
    throw new UserError(
      'CLI_BAD_VALUE',
      `${command}: ${flag} must be an integer from ${range.min} to ${range.max}, not ${JSON.stringify(value)}`,
    );
  return n;
}
