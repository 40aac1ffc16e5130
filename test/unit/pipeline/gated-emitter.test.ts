import { describe, expect, it } from 'vitest';
import { openAiChat } from '../../../src/adapters/openai-chat/index.js';
import { Accumulator } from '../../../src/pipeline/accumulate.js';
import { GatedEmitter } from '../../../src/pipeline/gated-emitter.js';
import { gateRules } from '../../../src/policy/stream-gate.js';
import { REQUEST } from '../../helpers/check-input.js';
import { policySetFrom } from '../../helpers/policy.js';

const set = policySetFrom({
  'p.yaml': 'name: p\nrules:\n  - id: creds\n    check: secrets\n    action: redact\n',
});
const rules = gateRules(set.policies);
const head = { id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm' };
const toolFrame = (index: number, args: string, first = false) =>
  `data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta: { tool_calls: [{ index, ...(first ? { id: `call_${index}`, type: 'function', function: { name: 'f', arguments: args } } : { function: { arguments: args } }) }] }, finish_reason: null }] })}\n\n`;

function harness() {
  const acc = new Accumulator();
  const written: string[] = [];
  const parse = openAiChat.streamParser();
  const gate = new GatedEmitter(
    { rules, request: REQUEST, window: 256 },
    openAiChat,
    (c) => acc.response.choices[c]?.toolCalls ?? [],
    (b) => {
      written.push(b.toString());
      return true;
    },
  );
  const feed = (text: string) => {
    const frame = { event: undefined, data: text.slice(6, -2), end: text.length };
    const events = parse(frame) ?? [];
    for (const ev of events) acc.add(ev);
    gate.frame(Buffer.from(text), frame, events);
  };
  return { feed, written, gate };
}

describe('gated emitter: tool calls', () => {
  it('releases a call once the next one starts, and redacts a later call whole', () => {
    const h = harness();
    const first = [toolFrame(0, '', true), toolFrame(0, '{"q":"weather"}')];
    for (const f of first) h.feed(f);
    expect(h.written).toEqual([]);
    h.feed(toolFrame(1, '', true));
    expect(h.written).toEqual(first);
    h.feed(toolFrame(1, '{"token":"ghp_8fK2mQ9xLr4TzW7vNc1Yb6HjD3sPa0EuGi5o"}'));
    h.feed(
      `data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] })}\n\n`,
    );
    const all = h.written.join('');
    expect(all).not.toContain('ghp_');
    expect(all).toContain('[REDACTED:creds]');
  });
});
