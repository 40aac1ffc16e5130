/**
 * Issue 15, item 5: the hot path's operation counts, kept from growing back (not timings).
 * Through the proxy with the default pack, a stream costs one JSON parse per event and no
 * re-serialisation of the events it releases unchanged; a buffered answer, one parse and no
 * serialisation. A change that parses a frame twice, or re-encodes frames it does not
 * alter, fails here.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHAT, chatBody, testApp } from '../helpers/app.js';
import { FakeUpstream } from '../helpers/fake-upstream.js';
import { defaultPackSet } from '../helpers/policy.js';

const pack = defaultPackSet();
const EVENTS = 200;
const head = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm' };
const frame = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const words = ['The ', 'canary ', 'sings ', 'while ', 'the ', 'miners ', 'work. '];

function streamBody(): string {
  let s = frame({ role: 'assistant', content: '' });
  for (let i = 0; i < EVENTS; i++) s += frame({ content: words[i % words.length]! });
  return s + frame({}, 'stop') + 'data: [DONE]\n\n';
}

/** Counts JSON.parse / JSON.stringify calls while `run` goes. */
async function counting(run: () => Promise<unknown>) {
  const parse = vi.spyOn(JSON, 'parse');
  const stringify = vi.spyOn(JSON, 'stringify');
  await run();
  const n = { parse: parse.mock.calls.length, stringify: stringify.mock.calls.length };
  vi.restoreAllMocks();
  return n;
}

afterEach(() => vi.restoreAllMocks());

describe('hot-path operation counts (default pack)', () => {
  it('a stream: one JSON parse per event, nothing re-serialised', async () => {
    const body = streamBody();
    const up = new FakeUpstream(() => ({
      headers: { 'content-type': 'text/event-stream' },
      // Several events per read, as a busy server writes them.
      chunks: body.match(/[\s\S]{1,4096}/g)!,
    }));
    const { post } = testApp({ upstream: up, policies: pack });
    let out = '';
    const n = await counting(async () => {
      out = await (await post(CHAT, chatBody({ stream: true }))).text();
    });
    expect(out).toBe(body);
    const frames = EVENTS + 3;
    // One parse per event ([DONE] is not JSON), one for the request body at most.
    expect(n.parse).toBeLessThanOrEqual(frames + 1);
    expect(n.stringify).toBeLessThanOrEqual(2);
  });

  it('a buffered answer: one parse of the body, nothing re-serialised', async () => {
    const answer = JSON.stringify({
      id: 'c',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: words.join('') },
          finish_reason: 'stop',
        },
      ],
    });
    const up = new FakeUpstream(() => ({ chunks: [answer] }));
    const { post } = testApp({ upstream: up, policies: pack });
    let out = '';
    const n = await counting(async () => {
      out = await (await post(CHAT, chatBody())).text();
    });
    expect(out).toBe(answer);
    expect(n.parse).toBeLessThanOrEqual(2);
    expect(n.stringify).toBeLessThanOrEqual(2);
  });
});
