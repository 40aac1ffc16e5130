import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where `.ci/run` installs Python's openai and anthropic clients (a virtualenv in the clone). */
export const CLIENTS_VENV = fileURLToPath(new URL('../../.venv-clients', import.meta.url));

/**
 * A Python interpreter that can import `openai` and `anthropic`, or undefined: from
 * COALMINE_PYTHON, else the virtualenv `.ci/run` makes. A test that needs it skips loudly on a
 * developer machine without it, and fails under CI=true, where `.ci/run` installs it.
 */
export function pythonClients(): string | undefined {
  const candidates = [process.env['COALMINE_PYTHON'], `${CLIENTS_VENV}/bin/python`].filter(
    (p): p is string => !!p && existsSync(p),
  );
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import openai, anthropic'], { encoding: 'utf8' });
    if (r.status === 0) return python;
  }
  const how = `python3 -m venv .venv-clients && .venv-clients/bin/pip install openai anthropic`;
  if (process.env['CI'] === 'true')
    throw new Error(`Python's openai and anthropic clients are required under CI=true (${how})`);
  console.warn(
    `\n*** SKIPPING Python client tests: no Python with openai and anthropic (${how}) ***\n`,
  );
  return undefined;
}
