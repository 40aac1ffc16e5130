/**
 * A fault in one request never takes down others: an adapter or a check that throws ends that
 * request with the provider's error (in-band when streaming), logged with its request id,
 * while concurrent requests complete untouched and the process keeps serving.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openAiChat } from '../../src/adapters/openai-chat/index.js';
import type { Running } from '../../src/main.js';
import type { LogFields, Logger } from '../../src/model/log.js';
import { checks } from '../../src/policy/checks/registry.js';
import type { HostileUpstream } from '../helpers/hostile-upstream.js';
import {
  chatCompletion,
  chatEvent,
  hostileUpstream,
  send,
  SSE_HEADERS,
} from '../helpers/hostile-upstream.js';
import { startProxy } from '../helpers/proxy.js';

const errors: { msg: string; fields: LogFields | undefined }[] = [];
const log: Logger = {
  enabled: () => true,
  write: (_level, event, msg, fields) => {
    if (event === 'internal_error') errors.push({ msg, fields });
  },
};

const POISON = 'POISON-PILL';
let up: HostileUpstream;
let proxy: Running;

beforeAll(async () => {
  // The model echoes the user's message, streamed in a few events or as one JSON body.
  up = await hostileUpstream(async (_req, res, body) => {
    const req = JSON.parse(body.toString()) as {
      stream?: boolean;
      messages: { content: string }[];
    };
    const text = req.messages[0]!.content;
    if (!req.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(chatCompletion(text));
      return;
    }
    res.writeHead(200, SSE_HEADERS);
    for (const w of text.split(' ')) {
      await send(res, chatEvent(`${w} `));
      await new Promise((r) => setTimeout(r, 5));
    }
    await send(res, chatEvent('', { finish: 'stop' }));
    res.end('data: [DONE]\n\n');
  });
  proxy = await startProxy(
    {
      upstreams: [{ name: 'h', url: up.url }],
      policies: ['strict.yaml'],
    },
    {
      'strict.yaml': [
        'name: strict',
        'on_error: closed',
        'rules:',
        '  - { id: keys, check: secrets, action: block }',
        '  - { id: words, check: contains, params: { words: [forbidden] }, action: redact }',
      ].join('\n'),
    },
    log,
  );
});
afterAll(async () => {
  await proxy.shutdown();
  await up.close();
});
afterEach(() => {
  vi.restoreAllMocks();
  errors.length = 0;
});

function ask(text: string, stream: boolean, id: string) {
  return fetch(`${proxy.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': id },
    body: JSON.stringify({ model: 'm', stream, messages: [{ role: 'user', content: text }] }),
  }).then(async (r) => ({ status: r.status, text: await r.text() }));
}

/** A poisoned request among healthy ones, buffered and streamed. */
async function mixed(): Promise<{ poisoned: { status: number; text: string }[] }> {
  const healthy = Array.from({ length: 8 }, (_, i) =>
    ask(`hello there number ${i}`, i % 2 === 0, `ok-${i}`),
  );
  const poisoned = await Promise.all([
    ask(`a ${POISON} b`, false, 'bad-buffered'),
    ask(`a ${POISON} b c d`, true, 'bad-streamed'),
  ]);
  for (const [i, r] of (await Promise.all(healthy)).entries()) {
    expect(r.status).toBe(200);
    expect(r.text).toContain(`number`);
    expect(r.text).toContain(`${i}`);
  }
  return { poisoned };
}

describe('a fault in one request never takes down others', () => {
  it.each([
    ['parseResponse', 'buffered'],
    ['streamParser', 'streamed'],
  ] as const)('a throwing adapter (%s) fails only its own request', async (method, _kind) => {
    if (method === 'parseResponse') {
      const real = openAiChat.parseResponse.bind(openAiChat);
      vi.spyOn(openAiChat, 'parseResponse').mockImplementation((body) => {
        if (JSON.stringify(body).includes(POISON)) throw new TypeError('adapter bug');
        return real(body);
      });
    } else {
      const real = openAiChat.streamParser.bind(openAiChat);
      vi.spyOn(openAiChat, 'streamParser').mockImplementation(() => {
        const parse = real();
        return (frame) => {
          if (frame.data?.includes(POISON)) throw new TypeError('adapter bug');
          return parse(frame);
        };
      });
    }
    const { poisoned } = await mixed();
    const bad = method === 'parseResponse' ? poisoned[0]! : poisoned[1]!;
    if (method === 'parseResponse') {
      expect(bad.status).toBe(500);
      expect(JSON.parse(bad.text)).toMatchObject({ error: { code: 'internal' } });
    } else {
      expect(bad.status).toBe(200);
      expect(bad.text).toContain('"code":"internal"');
      expect(bad.text).not.toContain('[DONE]');
    }
    expect(bad.text).not.toContain(POISON);
    const id = method === 'parseResponse' ? 'bad-buffered' : 'bad-streamed';
    expect(errors.find((e) => e.fields?.['request_id'] === id)?.fields?.['error']).toMatch(
      /TypeError/,
    );
    expect(JSON.stringify(errors)).not.toContain(POISON);
  });

  it('a throwing check is an error under on_error (closed: blocked), others pass', async () => {
    const def = checks.find((c) => c.id === 'secrets')!;
    const real = def.create.bind(def);
    // Policies compile at load: reload so the rule gets the faulty instance.
    vi.spyOn(def, 'create').mockImplementation((params) => {
      const inner = real(params);
      return {
        ...inner,
        evaluate: (input) => {
          if (input.text.includes(POISON)) throw new RangeError('check bug');
          return inner.evaluate(input);
        },
      };
    });
    expect((await proxy.reloadPolicies()).ok).toBe(true);
    const { poisoned } = await mixed();
    expect(poisoned[0]!.status).toBe(400);
    expect(poisoned[0]!.text).toContain('failed to evaluate');
    expect(poisoned[0]!.text).not.toContain(POISON);
    // Streamed, the text before the fault was released (it matched nothing); the stream ends
    // with the in-band error instead of its terminator.
    expect(poisoned[1]!.text).toContain('failed to evaluate');
    expect(poisoned[1]!.text).not.toContain('[DONE]');
    vi.restoreAllMocks();
    expect((await proxy.reloadPolicies()).ok).toBe(true);
  });

  it('a throwing frame rewrite (a redaction) ends that stream in-band', async () => {
    const real = openAiChat.rewriteFrame.bind(openAiChat);
    vi.spyOn(openAiChat, 'rewriteFrame').mockImplementation((frame, choice, edit) => {
      if (edit.text?.includes('[REDACTED')) throw new Error('rewrite bug');
      return real(frame, choice, edit);
    });
    const [bad, good] = await Promise.all([
      ask('this is forbidden text here', true, 'bad-rewrite'),
      ask('this is fine text here', true, 'good-rewrite'),
    ]);
    expect(bad.text).toContain('"code":"internal"');
    expect(bad.text).not.toContain('forbidden');
    expect(good.text).toContain('fine');
    expect(good.text).toContain('[DONE]');
  });
});
