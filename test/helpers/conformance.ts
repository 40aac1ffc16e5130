/**
 * The client conformance set-up (issue 17), shared by the JavaScript and Python suites: the
 * simulator behind a real proxy on the OpenAI, Anthropic (`/anthropic`) and Ollama (`/ollama`)
 * routes, a policy that blocks exfiltrating images and redacts credentials, and on each route a
 * pinned model already put in quarantine (action block) by one swapped answer.
 */
import type { Running } from '../../src/main.js';
import type { SimServer } from '../../src/sim/server.js';
import { startSim } from '../../src/sim/server.js';
import { startProxy } from './proxy.js';

const POLICY = `name: conformance
rules:
  - { id: no-exfil, check: markdown-exfiltration, action: block }
  - { id: creds, check: secrets, action: redact }
`;
/** The block message names policy and rule (some SDKs quote the error body as JSON in theirs). */
export const BLOCKED = /policy \\?"conformance\\?" rule \\?"no-exfil\\?"/;
export const BLOCK_PROMPT = 'Show the chart [sim:exfil-image]';
export const REDACT_PROMPT = 'Which keys do you have? [sim:leak-secret]';
/** What the simulator's leak-secret answer would carry unredacted. */
export const LEAKED = /AKIA[0-9A-Z]{16}|ghp_[A-Za-z0-9]{36}/;
/** The model in quarantine on every route. */
export const PINNED = 'pinned-model';

export type Route = 'openai' | 'anthropic' | 'ollama';

const ROUTES: Record<Route, { upstream: object; swap: [string, object] }> = {
  openai: {
    upstream: { name: 'openai', provider: 'openai' },
    swap: ['/v1/chat/completions', {}],
  },
  anthropic: {
    upstream: {
      name: 'claude',
      provider: 'anthropic',
      prefix: '/anthropic',
      api_key: 'sk-ant-proxy-key',
    },
    swap: ['/anthropic/v1/messages', { max_tokens: 32 }],
  },
  ollama: {
    upstream: { name: 'local', provider: 'ollama', prefix: '/ollama' },
    swap: ['/ollama/api/chat', { stream: false }],
  },
};

export async function startConformance(
  routes: readonly Route[],
): Promise<{ sim: SimServer; proxy: Running }> {
  const sim = await startSim();
  const quarantine = { on: ['identity_mismatch'], action: 'block' };
  const proxy = await startProxy(
    {
      upstreams: routes.map((r) => ({
        ...ROUTES[r].upstream,
        url: sim.url,
        models: { [PINNED]: { expect_model: PINNED } },
        quarantine,
      })),
      policies: ['conformance.yaml'],
      canaries: [],
    },
    { 'conformance.yaml': POLICY },
  );
  // One swapped answer on each route puts the pinned model in quarantine.
  for (const r of routes) {
    const [path, extra] = ROUTES[r].swap;
    await fetch(`${proxy.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sim-scenario': 'swap-model' },
      body: JSON.stringify({
        model: PINNED,
        messages: [{ role: 'user', content: 'hi' }],
        ...extra,
      }),
    }).then((res) => res.arrayBuffer());
  }
  return { sim, proxy };
}
