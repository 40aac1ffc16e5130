/**
 * Python's openai and anthropic clients through Coalmine (issue 17), streaming and not: a
 * block is the client's API error with a message naming policy and rule, a redaction shows the
 * redacted text, a quarantine is an error the client does not retry (its default retries on).
 * The clients run in a child process (test/e2e/clients/conformance.py) against a real proxy and
 * the simulator.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../../src/main.js';
import type { SimServer } from '../../src/sim/server.js';
import {
  BLOCK_PROMPT,
  BLOCKED,
  LEAKED,
  PINNED,
  REDACT_PROMPT,
  startConformance,
} from '../helpers/conformance.js';
import { pythonClients } from '../helpers/python-clients.js';

const SCRIPT = fileURLToPath(new URL('./clients/conformance.py', import.meta.url));

interface Seen {
  case: string;
  kind: 'block' | 'redact' | 'quarantine';
  error_class: string | null;
  api_error?: boolean;
  message: string | null;
  text: string | null;
  attempts: number;
}

const python = pythonClients();
let sim: SimServer;
let proxy: Running;
let seen: Seen[] = [];

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`python exited ${code}: ${err}`)),
    );
  });
}

describe.skipIf(!python)("Python's openai and anthropic clients", () => {
  beforeAll(async () => {
    ({ sim, proxy } = await startConformance(['openai', 'anthropic']));
    const out = await run(python!, [SCRIPT, proxy.url, PINNED, BLOCK_PROMPT, REDACT_PROMPT]);
    seen = out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Seen);
  }, 60_000);

  afterAll(async () => {
    await proxy?.shutdown();
    await sim?.close();
  });

  const CASES = [
    'openai chat',
    'openai chat, streaming',
    'openai responses',
    'openai responses, streaming',
    'anthropic messages',
    'anthropic messages, streaming',
  ];
  const get = (c: string, kind: Seen['kind']) => {
    const s = seen.find((x) => x.case === c && x.kind === kind);
    if (!s) throw new Error(`no result for ${c} / ${kind}`);
    return s;
  };

  it.each(CASES)('%s: a block is the API error, naming policy and rule', (c) => {
    const s = get(c, 'block');
    expect(s.api_error, JSON.stringify(s)).toBe(true);
    expect(s.message).toMatch(BLOCKED);
  });

  it.each(CASES)('%s: a redaction shows the redacted text', (c) => {
    const s = get(c, 'redact');
    expect(s.error_class, JSON.stringify(s)).toBeNull();
    expect(s.text).toContain('[REDACTED');
    expect(s.text).not.toMatch(LEAKED);
  });

  it.each(CASES)('%s: a quarantine is an API error, not retried', (c) => {
    const s = get(c, 'quarantine');
    expect(s.api_error, JSON.stringify(s)).toBe(true);
    expect(s.message).toMatch(/quarantin/);
    expect(s.attempts).toBe(1);
  });
});
