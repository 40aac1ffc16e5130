import { describe, expect, it } from 'vitest';
import { parseChatResponse } from '../../../src/adapters/openai-chat/response.js';
import {
  chatLogprobsMatch,
  completionLogprobsMatch,
} from '../../../src/adapters/openai-chat/logprobs.js';
import { answer } from '../../../src/sim/answer.js';
import type { SimPrompt } from '../../../src/sim/answer.js';
import { simOpenAiChat } from '../../../src/sim/formats/openai-chat.js';
import { simOpenAiCompletions } from '../../../src/sim/formats/openai-completions.js';
import { simLogprobs, simTokens } from '../../../src/sim/logprobs.js';
import { NO_SCENARIO } from '../../../src/sim/scenario.js';

const RED = 'Which planet is known as the Red Planet? One word.';
const prompt = (over: Partial<SimPrompt> = {}): SimPrompt => ({
  model: 'm',
  prompt: RED,
  said: RED,
  allText: RED,
  choices: 1,
  tools: [],
  temperature: 0,
  seed: undefined,
  ...over,
});

describe('simulated log probabilities', () => {
  it.each([
    'Mars',
    'The capital of France is Paris.',
    '{"name": "Alice", "age": 30}',
    'naïve — ünïcode 🐤 ok',
  ])('tokens spell %j exactly', (text) => {
    expect(simTokens(text).join('')).toBe(text);
    const lp = simLogprobs({ model: 'm', prompt: 'p', text, topK: 5, fineTuned: false });
    expect(lp.map((t) => t.token).join('')).toBe(text);
    for (const t of lp) {
      expect(t.top).toHaveLength(5);
      expect(t.top[0]!.token).toBe(t.token);
      expect(new Set(t.top.map((x) => x.token)).size).toBe(5);
      expect(t.logprob).toBeLessThan(0);
    }
  });

  it('calls differ by noise only (≤ 0.005 nats); fine-tuned moves alternatives, never the top token', () => {
    const a = simLogprobs({
      model: 'm',
      prompt: RED,
      text: 'Mars is red',
      topK: 5,
      fineTuned: false,
    });
    const b = simLogprobs({
      model: 'm',
      prompt: RED,
      text: 'Mars is red',
      topK: 5,
      fineTuned: false,
    });
    const f = simLogprobs({
      model: 'm',
      prompt: RED,
      text: 'Mars is red',
      topK: 5,
      fineTuned: true,
    });
    const by = (t: { top: { token: string; logprob: number }[] }) =>
      new Map(t.top.map((x) => [x.token, x.logprob]));
    let moved = 0;
    a.forEach((t, i) => {
      const [ma, mb, mf] = [by(t), by(b[i]!), by(f[i]!)];
      expect(f[i]!.top[0]!.token).toBe(t.token);
      for (const [tok, lp] of ma) {
        expect(Math.abs(lp - mb.get(tok)!)).toBeLessThan(0.005);
        const shifted = mf.get(tok);
        if (shifted !== undefined && Math.abs(shifted - lp) > 0.02) moved++;
      }
    });
    expect(moved).toBeGreaterThan(a.length * 2);
  });

  it('chat (buffered and streamed) and completions carry them only when asked, as the proxy accepts them', () => {
    const plain = answer(prompt(), NO_SCENARIO);
    expect(plain.logprobs).toBeUndefined();
    expect(JSON.parse(simOpenAiChat.json(plain)).choices[0].logprobs).toBeNull();

    const chatReq = simOpenAiChat.parse({
      model: 'm',
      messages: [{ role: 'user', content: 'Capital of France?' }],
      logprobs: true,
      top_logprobs: 3,
    });
    expect(chatReq.logprobs).toBe(3);
    const a = answer(chatReq, NO_SCENARIO);
    const body = JSON.parse(simOpenAiChat.json(a));
    expect(body.choices[0].logprobs.content[0].top_logprobs).toHaveLength(3);
    expect(parseChatResponse(body)).toBeDefined();
    const frames = simOpenAiChat.frames(a, { chunks: 0, includeUsage: false, noDone: false });
    let streamed = '';
    for (const f of frames.slice(0, -1)) {
      const c = (
        JSON.parse(f.slice(6)) as {
          choices: { logprobs: unknown; delta: { content?: string } }[];
        }
      ).choices[0]!;
      expect(chatLogprobsMatch(c.logprobs, c.delta.content ?? '', '')).toBe(true);
      streamed += c.delta.content ?? '';
    }
    expect(streamed).toBe(a.texts[0]);

    const cReq = simOpenAiCompletions.parse({
      model: 'm',
      prompt: 'The capital of France is',
      logprobs: 2,
    });
    const ca = answer(cReq, NO_SCENARIO);
    type Cmpl = { choices: { text: string; logprobs: { top_logprobs: object[] } }[] };
    const cb = (JSON.parse(simOpenAiCompletions.json(ca)) as Cmpl).choices[0]!;
    expect(completionLogprobsMatch(cb.logprobs, cb.text)).toBe(true);
    expect(Object.keys(cb.logprobs.top_logprobs[0]!)).toHaveLength(2);
    for (const f of simOpenAiCompletions.frames(ca, {
      chunks: 0,
      includeUsage: false,
      noDone: true,
    })) {
      const c = (JSON.parse(f.slice(6)) as Cmpl).choices[0]!;
      expect(completionLogprobsMatch(c.logprobs, c.text)).toBe(true);
    }
  });
});
