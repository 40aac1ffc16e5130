/**
 * Stream shapes the SDKs assemble differently from a naive reading: a choice or tool call
 * whose index is missing, null or a string is one of its own to the SDK (it files pieces by
 * the index as given), so pieces around it join into a text Coalmine never saw whole; such a
 * frame fails closed. And ids an upstream sends are checked like names.
 */
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostileUpstream } from '../helpers/hostile-upstream.js';
import { hostileUpstream } from '../helpers/hostile-upstream.js';
import { policyProxies } from '../helpers/proxy.js';

const KEY = 'AKIAQYLPMN5HHHFPZAM2';
let body = '';
let type = 'text/event-stream';
let upstream: HostileUpstream;
let proxies: Awaited<ReturnType<typeof policyProxies>>;

beforeAll(async () => {
  upstream = await hostileUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': type });
    res.end(body);
  });
  proxies = await policyProxies(
    upstream.url,
    'name: strict\nrules:\n  - { id: creds, check: secrets, action: block }\n',
  );
});

afterAll(async () => {
  await proxies.shutdown();
  await upstream.close();
});

const frame = (choices: unknown[]) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices })}\n\n`;

/** What `finalChatCompletion()` and the raw chunks hand the app, or the error it raised. */
async function chatSees(base: string): Promise<string> {
  const c = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'sk', maxRetries: 0 });
  const s = c.chat.completions.stream({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
  let seen = '';
  s.on('chunk', (x) => (seen += JSON.stringify(x)));
  try {
    seen += JSON.stringify(await s.finalChatCompletion());
  } catch (e) {
    seen += ` error: ${String(e)}`;
  }
  return seen;
}

const odd = [
  ['missing', {}],
  ['null', { index: null }],
  ['a string', { index: '0' }],
] as const;

describe.each(odd)('a chat stream piece whose index is %s fails closed', (_n, index) => {
  it.each([
    [
      'choice',
      [
        frame([{ index: 0, delta: { role: 'assistant', content: 'AKIAQYLPMN' } }]),
        frame([{ ...index, delta: { content: 'xx yy' } }]),
        frame([{ index: 0, delta: { content: '5HHHFPZAM2' }, finish_reason: 'stop' }]),
      ],
    ],
    [
      'tool call',
      [
        frame([
          {
            index: 0,
            delta: {
              tool_calls: [
                {
                  index: 0,
                  id: 'a',
                  type: 'function',
                  function: { name: 'f', arguments: '{"k":"AKIAQYLPMN' },
                },
              ],
            },
          },
        ]),
        frame([
          { index: 0, delta: { tool_calls: [{ ...index, function: { arguments: 'xx yy' } }] } },
        ]),
        frame([
          {
            index: 0,
            delta: { tool_calls: [{ index: 0, function: { arguments: '5HHHFPZAM2"}' } }] },
            finish_reason: 'tool_calls',
          },
        ]),
      ],
    ],
  ])('%s', async (_what, frames) => {
    body = frames.join('') + 'data: [DONE]\n\n';
    type = 'text/event-stream';
    for (const p of [proxies.redacting, proxies.blocking]) {
      const seen = await chatSees(p.url);
      expect(seen).not.toContain(KEY);
      expect(seen).toMatch(/error: .*malformed/);
    }
  });
});

describe('Ollama tool-call ids', () => {
  it('are checked: redacted, or blocked', async () => {
    type = 'application/x-ndjson';
    body = `${JSON.stringify({
      model: 'l',
      created_at: 't',
      message: {
        role: 'assistant',
        content: '',
        tool_calls: [{ id: KEY, function: { name: 'f', arguments: {} } }],
      },
      done: true,
      done_reason: 'stop',
    })}\n`;
    for (const [p, redacted] of [
      [proxies.redacting, true],
      [proxies.blocking, false],
    ] as const) {
      const client = new Ollama({ host: `${p.url}/ollama` });
      let seen = '';
      try {
        for await (const part of await client.chat({
          model: 'l',
          messages: [{ role: 'user', content: 'hi' }],
          stream: true,
        }))
          seen += JSON.stringify(part);
      } catch (e) {
        seen += ` error: ${String(e)}`;
      }
      expect(seen).not.toContain(KEY);
      expect(seen).toMatch(redacted ? /REDACTED/ : /error: .*creds/);
    }
  });
});
