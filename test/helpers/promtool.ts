import { spawnSync } from 'node:child_process';

/**
 * promtool, or undefined. A test that needs it skips loudly on a developer machine without
 * it, and fails under CI=true: CI installs Prometheus (`.ci/run`) and must prove everything.
 */
export function promtool(): string | undefined {
  const found = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  if (found.status === 0) return 'promtool';
  if (process.env['CI'] === 'true')
    throw new Error('promtool is required under CI=true (apt-get install prometheus)');
  console.warn(
    '\n*** SKIPPING promtool tests: promtool is not installed (apt-get install prometheus) ***\n',
  );
  return undefined;
}

export function runPromtool(args: string[], input?: string) {
  const r = spawnSync('promtool', args, { encoding: 'utf8', input, timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}
