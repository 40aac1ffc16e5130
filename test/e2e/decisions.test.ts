/**
 * Decisions are machine-readable in every wire format (issue 17): through a real proxy and the
 * simulator, per format, a block (buffered and streamed), a quarantine and a bad request each
 * carry a stable code where the client can read it — OpenAI's `error.code`, the `[code] `
 * opening of the message in Anthropic's and Ollama's errors — and the headers say what was
 * decided and whether to retry. The metrics count a block mid-stream with its decision.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../../src/main.js';
import type { SimServer } from '../../src/sim/server.js';
import { startSim } from '../../src/sim/server.js';
import { eventually, metricsText, startProxy } from '../helpers/proxy.js';

const POLICY = `name: decisions
rules:
  - { id: no-exfil, check: markdown-exfiltration, action: block }
`;
const BLOCK = 'Show the chart [sim:exfil-image]';
const PINNED = 'pinned-model';
const CODED = /^\[([a-z0-9_]+)\] /;

interface Format {
  name: string;
  path: string;
  body(model: string, prompt: string, stream: boolean): object;
  /** The stable code and the error type (if the format has one) of an error body. */
  error(body: unknown): { code: string | undefined; type?: string };
  /** The last event of a stream, parsed (an SSE event's data, or an NDJSON line). */
  framing: 'sse' | 'ndjson';
}

type Json = Record<string, unknown>;
const openAiError = (b: unknown) => {
  const e = (b as { error: Json }).error;
  return { code: e['code'] as string, type: e['type'] as string };
};
const codedError = (message: unknown) => CODED.exec(String(message))?.[1];

const FORMATS: Format[] = [
  {
    name: 'openai chat',
    path: '/v1/chat/completions',
    body: (model, content, stream) => ({ model, stream, messages: [{ role: 'user', content }] }),
    error: openAiError,
    framing: 'sse',
  },
  {
    name: 'openai responses',
    path: '/v1/responses',
    body: (model, input, stream) => ({ model, stream, input }),
    error: openAiError,
    framing: 'sse',
  },
  {
    name: 'openai completions',
    path: '/v1/completions',
    body: (model, prompt, stream) => ({ model, stream, prompt }),
    error: openAiError,
    framing: 'sse',
  },
  {
    name: 'anthropic messages',
    path: '/anthropic/v1/messages',
    body: (model, content, stream) => ({
      model,
      stream,
      max_tokens: 64,
      messages: [{ role: 'user', content }],
    }),
    error: (b) => {
      const e = (b as { error: Json }).error;
      return { code: codedError(e['message']), type: e['type'] as string };
    },
    framing: 'sse',
  },
  {
    name: 'ollama chat',
    path: '/ollama/api/chat',
    body: (model, content, stream) => ({ model, stream, messages: [{ role: 'user', content }] }),
    error: (b) => ({ code: codedError((b as Json)['error']) }),
    framing: 'ndjson',
  },
  {
    name: 'ollama generate',
    path: '/ollama/api/generate',
    body: (model, prompt, stream) => ({ model, stream, prompt }),
    error: (b) => ({ code: codedError((b as Json)['error']) }),
    framing: 'ndjson',
  },
];

/** The events of a stream body, parsed: SSE `data:` payloads (not `[DONE]`), or NDJSON lines. */
function events(text: string, framing: 'sse' | 'ndjson'): { event?: string; data: Json }[] {
  if (framing === 'ndjson')
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => ({ data: JSON.parse(l) as Json }));
  return text
    .split('\n\n')
    .filter((f) => /^data: (?!\[DONE\])/m.test(f))
    .map((f) => {
      const event = /^event: (.*)$/m.exec(f)?.[1];
      const data = JSON.parse(/^data: (.*)$/m.exec(f)![1]!) as Json;
      return event ? { event, data } : { data };
    });
}

let sim: SimServer;
let proxy: Running;

const post = (f: Format, body: object, headers: Record<string, string> = {}) =>
  fetch(`${proxy.url}${f.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  sim = await startSim();
  const quarantine = { on: ['identity_mismatch'], action: 'block' };
  const models = { [PINNED]: { expect_model: PINNED } };
  proxy = await startProxy(
    {
      upstreams: [
        { name: 'openai', url: sim.url, provider: 'openai', models, quarantine },
        {
          name: 'claude',
          url: sim.url,
          provider: 'anthropic',
          prefix: '/anthropic',
          models,
          quarantine,
        },
        { name: 'local', url: sim.url, provider: 'ollama', prefix: '/ollama', models, quarantine },
      ],
      policies: ['decisions.yaml'],
      canaries: [],
    },
    { 'decisions.yaml': POLICY },
  );
  // One swapped answer on each upstream puts the pinned model in quarantine there.
  for (const f of [FORMATS[0]!, FORMATS[3]!, FORMATS[4]!])
    await post(f, f.body(PINNED, 'hi', false), { 'x-sim-scenario': 'swap-model' }).then((r) =>
      r.arrayBuffer(),
    );
});

afterAll(async () => {
  await proxy?.shutdown();
  await sim?.close();
});

describe.each(FORMATS)('$name', (f) => {
  it('a buffered block: 400, decision block, not to be retried, code coalmine_policy_violation', async () => {
    const res = await post(f, f.body('gpt-4o-mini', BLOCK, false));
    expect(res.status).toBe(400);
    expect(res.headers.get('x-coalmine-decision')).toBe('block');
    expect(res.headers.get('x-should-retry')).toBe('false');
    const e = f.error(await res.json());
    expect(e.code).toBe('coalmine_policy_violation');
    if (f.name.startsWith('anthropic')) expect(e.type).toBe('invalid_request_error');
  });

  it('a streamed block ends with the format’s error event, carrying the code', async () => {
    const res = await post(f, f.body('gpt-4o-mini', BLOCK, true));
    expect(res.status).toBe(200);
    const evs = events(await res.text(), f.framing);
    const last = evs.at(-1)!;
    if (f.name === 'openai responses') {
      // ResponseErrorEvent: type, code, message, param, sequence_number, numbered on from the
      // last event sent.
      expect(last.event).toBe('error');
      expect(last.data).toMatchObject({
        type: 'error',
        code: 'coalmine_policy_violation',
        param: null,
      });
      expect(typeof last.data['message']).toBe('string');
      const before = evs.at(-2)?.data['sequence_number'];
      expect(typeof before).toBe('number');
      expect(last.data['sequence_number']).toBe((before as number) + 1);
    } else if (f.name.startsWith('anthropic')) {
      expect(last.event).toBe('error');
      expect(last.data['type']).toBe('error');
    }
    expect(f.error(last.data).code).toBe('coalmine_policy_violation');
  });

  it('a quarantine: 423, decision quarantined, not to be retried, code model_quarantined', async () => {
    if (
      f.name === 'ollama generate' ||
      f.name === 'openai responses' ||
      f.name === 'openai completions'
    )
      return; // the same upstreams as their siblings: one route per upstream is enough
    const res = await post(f, f.body(PINNED, 'hi', false));
    expect(res.status).toBe(423);
    expect(res.headers.get('x-coalmine-decision')).toBe('quarantined');
    expect(res.headers.get('x-should-retry')).toBe('false');
    const e = f.error(await res.json());
    expect(e.code).toBe('model_quarantined');
    if (f.name.startsWith('anthropic')) expect(e.type).toBe('api_error');
  });

  it('a bad request is told apart from a block by its code', async () => {
    const res = await fetch(`${proxy.url}${f.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model": ',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-should-retry')).toBe('false');
    const e = f.error(await res.json());
    expect(e.code).toBe('request_invalid_json');
    if (f.name.startsWith('anthropic')) expect(e.type).toBe('invalid_request_error');
  });
});

describe('metrics', () => {
  it('a block mid-stream is counted with its decision and the status it was sent with', async () => {
    await post(FORMATS[0]!, FORMATS[0]!.body('gpt-4o-mini', BLOCK, true)).then((r) => r.text());
    expect(await metricsText(proxy)).toMatch(
      /coalmine_requests_total\{route="openai\.chat",upstream="openai",code="200",source="live",decision="block"\} [1-9]/,
    );
  });

  it('a quarantine refusal is counted as such', async () => {
    expect(await metricsText(proxy)).toMatch(
      /coalmine_requests_total\{route="openai\.chat",upstream="openai",code="423",source="live",decision="quarantined"\} [1-9]/,
    );
  });

  it('requests in flight are counted while they are proxied', async () => {
    const inflight = async () =>
      Number(/^coalmine_inflight_requests (\d+)$/m.exec(await metricsText(proxy))?.[1]);
    await eventually(async () => (await inflight()) === 0);
    const res = await post(FORMATS[0]!, FORMATS[0]!.body('gpt-4o-mini', 'hi', true), {
      'x-sim-scenario': 'stall-mid=400',
    });
    expect(await inflight()).toBe(1);
    await res.text();
    await eventually(async () => (await inflight()) === 0);
    expect(await metricsText(proxy)).toMatch(
      /coalmine_request_duration_seconds_count\{route="openai\.chat",upstream="openai",source="live"\} [1-9]/,
    );
  });
});
