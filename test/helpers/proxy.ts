import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Running } from '../../src/main.js';
import { serve } from '../../src/main.js';
import type { Logger } from '../../src/model/log.js';
import { noopLogger } from '../../src/model/log.js';
import { DEFAULT_PACK_YAML } from './policy.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** A real `coalmine serve` in this process, on ephemeral loopback ports, with a temp config. */
export async function startProxy(
  config: Record<string, unknown>,
  files: Record<string, string> = {},
  log: Logger = noopLogger,
): Promise<Running & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'coalmine-e2e-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const file = join(dir, 'coalmine.yaml');
  writeFileSync(
    file,
    stringify({
      listen: '127.0.0.1:0',
      admin: { listen: '127.0.0.1:0', token: ADMIN_TOKEN },
      ...config,
    }),
  );
  return { ...(await serve({ cwd: dir, env: {}, configFile: file, log })), dir };
}

export async function metricsText(running: Running): Promise<string> {
  return (await fetch(`${running.adminUrl}/metrics`)).text();
}

/** Waits until `check` holds, polling; fails after `ms`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  ms = 3000,
): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function adminFetch(
  running: Running,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  return fetch(`${running.adminUrl}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(init.headers as Record<string, string>),
    },
  });
}

/**
 * Two real proxies in front of one upstream, every provider routed to it (OpenAI at `/`,
 * Anthropic at `/anthropic`, Ollama at `/ollama`): `redacting` runs the shipped default pack,
 * `blocking` the given blocking policy.
 */
export async function policyProxies(
  upstreamUrl: string,
  blockingPolicy: string,
): Promise<{ redacting: Running; blocking: Running; shutdown(): Promise<void> }> {
  const config = (policy: string) => ({
    upstreams: [
      { name: 'openai', url: upstreamUrl, provider: 'openai' },
      { name: 'claude', url: upstreamUrl, provider: 'anthropic', prefix: '/anthropic' },
      { name: 'local', url: upstreamUrl, provider: 'ollama', prefix: '/ollama' },
    ],
    policies: [policy],
    canaries: [],
  });
  const redacting = await startProxy(config('default.yaml'), { 'default.yaml': DEFAULT_PACK_YAML });
  const blocking = await startProxy(config('strict.yaml'), { 'strict.yaml': blockingPolicy });
  return {
    redacting,
    blocking,
    shutdown: async () => {
      await redacting.shutdown();
      await blocking.shutdown();
    },
  };
}
