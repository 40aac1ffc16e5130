/**
 * The command table: every command's flags and help text, in one place. The parser
 * (args.ts) accepts exactly the flags listed here for a command, and `--help` prints its
 * `help`; a flag added to a command is added here or it is rejected.
 */
import type { ParseArgsConfig } from 'node:util';
import { providerIds } from '../adapters/providers.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandSpec {
  /** As typed: `serve`, `policy lint`, … */
  readonly name: string;
  /** One line for the overview. */
  readonly summary: string;
  /** The full usage text printed by `--help` and `coalmine help NAME`. */
  readonly help: string;
  /**
   * Text appended to `help` that lives with what it describes and is loaded only when asked
   * for (the simulator's directives: the CLI does not load the simulator otherwise).
   */
  readonly moreHelp?: () => Promise<string>;
  readonly options: Options;
  /** What positional arguments it takes: none, or one or more FILEs. */
  readonly positionals: 'none' | 'files';
}

/** Every command and subcommand accepts these. */
const COMMON: Options = {
  help: { type: 'boolean', short: 'h' },
  debug: { type: 'boolean' },
};

const COMMON_HELP = `  --debug                 print stack traces of runtime failures
  -h, --help              print this help`;

const spec = (s: Omit<CommandSpec, 'options'> & { options?: Options }): CommandSpec => ({
  ...s,
  options: { ...s.options, ...COMMON },
});

export const COMMANDS: readonly CommandSpec[] = [
  spec({
    name: 'serve',
    summary: 'run the proxy (the default command)',
    positionals: 'none',
    options: {
      config: { type: 'string' },
      listen: { type: 'string' },
      'admin-listen': { type: 'string' },
      upstream: { type: 'string' },
    },
    help: `usage: coalmine serve [--config FILE] [--listen HOST:PORT] [--admin-listen HOST:PORT] [--upstream URL]

Runs the proxy. With no configuration it serves in front of the built-in simulator.

options:
  --config FILE           configuration file (default: $COALMINE_CONFIG, else ./coalmine.yaml)
  --listen HOST:PORT      traffic listener (default 127.0.0.1:8790)
  --admin-listen HOST:PORT
                          /metrics, /healthz and /admin/* (default 127.0.0.1:8791; never the
                          traffic address)
  --upstream URL          proxy this one upstream (default: $COALMINE_UPSTREAM)
${COMMON_HELP}

environment:
  COALMINE_CONFIG         configuration file
  COALMINE_UPSTREAM       upstream base URL (replaces the configured upstreams)
  COALMINE_PROVIDER       that upstream's provider: ${providerIds().join(', ')}
  COALMINE_ADMIN_TOKEN    bearer token (≥ 16 characters) that opens /admin/*

exit: 0 after SIGTERM/SIGINT drain, 2 on a usage or configuration error, 1 on a runtime failure
`,
  }),
  spec({
    name: 'sim',
    summary: 'run the simulated upstream',
    positionals: 'none',
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      scenario: { type: 'string' },
    },
    help: `usage: coalmine sim [--port N] [--host HOST] [--scenario SPEC]

options:
  --port N                port, 0 for any free one (default 8792)
  --host HOST             address to bind (default 127.0.0.1)
  --scenario SPEC         behaviour for every request, e.g. slow=40,chunks=20
${COMMON_HELP}
`,
    moreHelp: async () => (await import('../sim/help.js')).simDetails(),
  }),
  spec({
    name: 'policy',
    summary: 'policy tooling: lint, test, schema, checks',
    positionals: 'none',
    help: `usage: coalmine policy <lint|test|schema|checks> …

subcommands:
  lint FILE…              validate policy, policy-test, canary and config files (file:line:col)
  test FILE…              run policy unit-test files
  schema                  print the JSON Schema of policy files
  checks                  print the check catalogue (markdown)

Run "coalmine policy SUBCOMMAND --help" for its options.
`,
  }),
  spec({
    name: 'policy lint',
    summary: 'validate policy, policy-test, canary and config files',
    positionals: 'files',
    help: `usage: coalmine policy lint FILE…

Validates policy, policy-test, canary and configuration files; every problem is printed as
file:line:col: message.

options:
${COMMON_HELP}

exit: 0 if every file is valid, 1 if any has errors, 2 on a usage error (a missing file, a
directory)
`,
  }),
  spec({
    name: 'policy test',
    summary: 'run policy unit-test files',
    positionals: 'files',
    help: `usage: coalmine policy test FILE…

Runs policy unit-test files and prints "N passed, N failed".

options:
${COMMON_HELP}

exit: 0 if all pass, 1 if any fails, 2 on a usage error
`,
  }),
  spec({
    name: 'policy schema',
    summary: 'print the JSON Schema of policy files',
    positionals: 'none',
    help: `usage: coalmine policy schema

Prints the JSON Schema of policy files (for editors).

options:
${COMMON_HELP}
`,
  }),
  spec({
    name: 'policy checks',
    summary: 'print the check catalogue (markdown)',
    positionals: 'none',
    help: `usage: coalmine policy checks

Prints the catalogue of checks and their parameters as a markdown table.

options:
${COMMON_HELP}
`,
  }),
  spec({
    name: 'canary',
    summary: 'canary tooling: run, baseline',
    positionals: 'none',
    help: `usage: coalmine canary <run|baseline> …

subcommands:
  run                     run canaries now, print a table; exit 1 if any fails
  baseline --out FILE     record (and sign) baselines of distribution and embedding canaries

Run "coalmine canary SUBCOMMAND --help" for its options.
`,
  }),
  spec({
    name: 'canary run',
    summary: 'run canaries now; exit 1 if any fails',
    positionals: 'none',
    options: {
      config: { type: 'string' },
      id: { type: 'string', multiple: true },
      json: { type: 'boolean' },
    },
    help: `usage: coalmine canary run [--config FILE] [--id ID]… [--json]

Runs the configured canaries once, now, through the full pipeline, and prints a table.

options:
  --config FILE           configuration file (default: $COALMINE_CONFIG, else ./coalmine.yaml)
  --id ID                 run only this canary (repeatable)
  --json                  print the results as JSON, in the admin API's format (snake_case keys,
                          RFC 3339 times)
${COMMON_HELP}

exit: 0 if all pass, 1 if any fails or cannot run, 2 on a usage or configuration error
`,
  }),
  spec({
    name: 'audit',
    summary: 'audit log tooling: verify',
    positionals: 'none',
    help: `usage: coalmine audit verify FILE… [--key KEY]

subcommands:
  verify FILE…            check an audit log's hash chain (audit.path and its rotated files)

Run "coalmine audit verify --help" for its options.
`,
  }),
  spec({
    name: 'audit verify',
    summary: "check an audit log's hash chain",
    positionals: 'files',
    options: {
      key: { type: 'string' },
      partial: { type: 'boolean' },
    },
    help: `usage: coalmine audit verify FILE… [--key KEY] [--partial]

Recomputes every record's hash and checks every link of the chain: a line deleted, inserted,
reordered or edited is found. Give the current file and its rotated files (FILE, FILE.1, …) in
any order; files of one chain are put in chain order (oldest first), other files are read in
the order given. Prints "N records verified", or the first bad file and line and why.

options:
  --key KEY               the audit.hmac_key the log was written with (default:
                          $COALMINE_AUDIT_KEY; without either, plain SHA-256 chains verify)
  --partial               the oldest files were rotated away: accept a chain that does not
                          start at record 0
${COMMON_HELP}

environment:
  COALMINE_AUDIT_KEY      the HMAC key, kept out of the process list

exit: 0 when every record verifies, 1 at the first bad record, 2 on a usage error
`,
  }),
  spec({
    name: 'canary baseline',
    summary: 'record (and sign) baselines of distribution, logprob and embedding canaries',
    positionals: 'none',
    options: {
      config: { type: 'string' },
      id: { type: 'string', multiple: true },
      out: { type: 'string' },
      samples: { type: 'string' },
    },
    help: `usage: coalmine canary baseline --out FILE [--config FILE] [--id ID]… [--samples N]

Samples distribution canaries (logprob canaries' top-k logprobs, embedding canaries' vectors)
and writes a baseline file,
signed with canary.hmac_key when one is configured. An existing file is updated only if its
signature verifies.

options:
  --out FILE              the baseline file to write (required)
  --config FILE           configuration file (default: $COALMINE_CONFIG, else ./coalmine.yaml)
  --id ID                 record only this canary (repeatable)
  --samples N             samples per distribution or logprob canary, at least 2 (default: the
                          canary's own: samples, or logprobs.baseline_samples)
${COMMON_HELP}

exit: 0 when written, 1 if sampling fails or the existing file does not verify, 2 on a usage
or configuration error
`,
  }),
];

export const OVERVIEW = (
  version: string,
) => `coalmine ${version} — runtime validation proxy for model outputs

usage: coalmine [COMMAND] [OPTIONS]

commands:
${COMMANDS.filter((c) => !['policy', 'canary', 'audit'].includes(c.name))
  .map((c) => `  ${c.name.padEnd(22)}${c.summary}`)
  .join('\n')}
  help [COMMAND]        print a command's help

  coalmine --version      print the version
  coalmine COMMAND --help print a command's options

Without a command, coalmine serves (flags are serve's).
`;

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
