#!/usr/bin/env node
/** The `coalmine` executable: argument parsing, exit codes, signals. */
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import type { Values } from './commands/args.js';
import { intFlag, parseCommandLine } from './commands/args.js';
import { failure } from './commands/report.js';
import { listenError } from './commands/user-error.js';
import { jsonLogger } from './log.js';

// Each command loads what only it uses: `main.js` (the server and everything it wires) is
// imported by `serve` and `canary` alone.
const { version: VERSION } = createRequire(import.meta.url)('../package.json') as {
  version: string;
};

/**
 * Keeps V8's young generation at its initial size while `serve` starts, and gives it back its
 * default growth once the proxy listens. Startup allocates tens of MB of short-lived objects
 * (module sources, config and policy parsing, zod schemas); with the default growth factor the
 * young generation doubles to 8 MB semi-spaces on the way and stays that size in an idle process
 * until V8's memory reducer shrinks it, about 30 s later: ~6 MB resident for nothing. Under load it
 * grows as it always did (the factor is back to 2, V8's default). `--semi-space-growth-factor` is
 * read each time the new space grows, so setting it at run time takes effect; a process started
 * with its own semi-space flags is left alone. Measured with scripts/rss-idle.js: 3 s after start,
 * this alone takes ~8 MB off the idle RSS (73 -> 65 MB).
 */
function holdYoungGeneration(): () => void {
  const given = [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].join(' ');
  if (given.includes('semi-space')) return () => {};
  setFlagsFromString('--semi-space-growth-factor=1');
  return () => setFlagsFromString('--semi-space-growth-factor=2');
}

const io = {
  out: (s: string) => process.stdout.write(s),
  err: (s: string) => process.stderr.write(s),
  cwd: process.cwd(),
  env: process.env,
};

const str = (v: Values[string]) => (typeof v === 'string' ? v : undefined);

async function serveCommand(values: Values): Promise<number> {
  const releaseYoungGeneration = holdYoungGeneration();
  // When not preloaded with --import, start trace export before the app (no-op if off).
  const otel = await import('./instrumentation.js');
  const { serve } = await import('./main.js');
  // SIGHUP reloads policies. Taken over before the server starts: from "coalmine listening"
  // to the end of `serve` there is a window in which Node's default action (exit) would
  // still apply; one that comes while the policies are first loaded has nothing to reload.
  const onHangup = { reload: () => {} };
  process.on('SIGHUP', () => onHangup.reload());
  const running = await serve({
    cwd: process.cwd(),
    env: process.env,
    configFile: str(values['config']),
    listen: str(values['listen']),
    adminListen: str(values['admin-listen']),
    upstream: str(values['upstream']),
  });
  releaseYoungGeneration();
  const stop = () =>
    void running
      .shutdown()
      .then(() => otel.otelShutdown())
      .catch(() => {})
      .then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  onHangup.reload = () => void running.reloadPolicies();
  return -1;
}

async function simCommand(values: Values): Promise<number> {
  const port = intFlag('sim', '--port', str(values['port']) ?? '8792', { min: 0, max: 65535 });
  const host = str(values['host']) ?? '127.0.0.1';
  // The simulator, like the policy and canary tooling, is loaded by its command only.
  const { startSim } = await import('./sim/server.js');
  const sim = await startSim({ port, host }).catch((e: unknown) => {
    throw listenError(e, { host, port, setting: '--port N (or --host HOST)' });
  });
  const scenario = str(values['scenario']);
  if (scenario) sim.setScenario(scenario);
  const log = jsonLogger('info');
  log.write('info', 'sim_listening', 'simulator listening', { url: sim.url });
  const stop = () => void sim.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return -1;
}

async function run(name: string, values: Values, files: string[]): Promise<number> {
  switch (name) {
    case 'serve':
      return serveCommand(values);
    case 'sim':
      return simCommand(values);
    case 'policy lint':
      return (await import('./commands/policy.js')).lint(files, io);
    case 'policy test':
      return (await import('./commands/policy.js')).test(files, io);
    case 'policy schema':
      return (await import('./commands/policy.js')).schema(io);
    case 'policy checks':
      return (await import('./commands/policy.js')).checks(io);
    case 'audit verify':
      return (await import('./commands/audit.js')).verify(
        files,
        { key: str(values['key']), partial: values['partial'] === true },
        io,
      );
    case 'canary run':
    case 'canary baseline': {
      const canary = await import('./commands/canary.js');
      const { createCore } = await import('./core.js');
      const common = {
        configFile: str(values['config']),
        ids: (values['id'] as string[] | undefined) ?? [],
        json: values['json'] === true,
      };
      if (name === 'canary run') return canary.run(common, io, createCore);
      const samples = str(values['samples']);
      return canary.baseline(
        {
          ...common,
          out: str(values['out']),
          samples:
            samples === undefined
              ? undefined
              : intFlag(name, '--samples', samples, { min: 2, max: 100_000 }),
        },
        io,
        createCore,
      );
    }
    default:
      throw new Error(`command "${name}" has no implementation`);
  }
}

/** `--debug`, or `log.level: debug` in the configuration the command would read. */
async function debugWanted(values: Values): Promise<boolean> {
  if (values['debug'] === true) return true;
  try {
    const { loadConfig } = await import('./config/load.js');
    const { providerIds } = await import('./adapters/providers.js');
    const { config } = loadConfig({
      cwd: process.cwd(),
      env: process.env,
      configFile: str(values['config']),
      schema: { providers: providerIds() },
    });
    return config.log.level === 'debug';
  } catch {
    return false;
  }
}

async function main(argv: string[]): Promise<number> {
  let values: Values = {};
  try {
    const parsed = parseCommandLine(argv, VERSION);
    if (parsed.kind === 'version') {
      process.stdout.write(`${VERSION}\n`);
      return 0;
    }
    if (parsed.kind === 'help') {
      process.stdout.write(parsed.text + (parsed.more ? await parsed.more() : ''));
      return 0;
    }
    values = parsed.values;
    // A crash of a running server or simulator is reported like any runtime failure: one
    // line and exit 1, the stack only when debugging.
    process.once('uncaughtException', (e) => {
      void debugWanted(parsed.values).then((debug) => {
        const f = failure(e, { debug });
        process.stderr.write(f.text);
        process.exit(f.exitCode);
      });
    });
    return await run(parsed.command.name, parsed.values, parsed.positionals);
  } catch (e) {
    const f = failure(e, { debug: await debugWanted(values) });
    process.stderr.write(f.text);
    return f.exitCode;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (e: unknown) => {
    // Not reached: main reports its own failures. Kept so that nothing ends as an unhandled
    // rejection with Node's stack dump.
    process.stderr.write(`coalmine: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
