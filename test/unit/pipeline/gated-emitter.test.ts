import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openAiChat } from '../../../src/adapters/openai-chat/index.js';
import { openAiResponses } from '../../../src/adapters/openai-responses/index.js';
import { Accumulator } from '../../../src/pipeline/accumulate.js';
import { GatedEmitter } from '../../../src/pipeline/gated-emitter.js';
import { gateRules } from '../../../src/policy/gate-rules.js';
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
  it('holds calls until their choice ends, and redacts a later call whole', () => {
    const h = harness();
    const first = [toolFrame(0, '', true), toolFrame(0, '{"q":"weather"}')];
    for (const f of first) h.feed(f);
    expect(h.written).toEqual([]);
    h.feed(toolFrame(1, '', true));
    expect(h.written).toEqual([]);
    h.feed(toolFrame(1, '{"token":"ghp_8fK2mQ9xLr4TzW7vNc1Yb6HjD3sPa0EuGi5o"}'));
    h.feed(
      `data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] })}\n\n`,
    );
    const all = h.written.join('');
    expect(all.startsWith(first.join(''))).toBe(true);
    expect(all).not.toContain('ghp_');
    expect(all).toContain('[REDACTED:creds]');
  });
});

describe('gated emitter: late pieces and held choices', () => {
  it("fails closed when more of a call's arguments come after the next call started", () => {
    const h = harness();
    h.feed(toolFrame(0, '', true));
    h.feed(toolFrame(0, '{"q":"ghp_8fK2mQ9xLr4TzW7vNc1Y'));
    h.feed(toolFrame(1, '', true));
    // Call 0 is complete (the next began) and may have gone out; a later piece of it cannot
    // be checked with what went before.
    h.feed(toolFrame(0, 'b6HjD3sPa0EuGi5o"}'));
    expect(h.gate.malformed).toBe(true);
    expect(h.written.join('')).not.toContain('b6HjD3sPa0EuGi5o');
  });

  const held = gateRules(
    policySetFrom({
      'p.yaml': `name: p
rules:
  - id: creds
    check: secrets
    action: redact
  - id: ticket
    check: regex
    params: { pattern: "TICKET-[0-9]{6}" }
    action: redact
`,
      'q.yaml': `name: q
rules:
  - id: too-long
    check: length
    params: { max_chars: 1000000 }
    action: block
`,
    }).policies,
  );
  const streamed = held.filter((r) => r.rule !== 'too-long');

  /** The text the client sees, and how much of it it saw before the choice ended. */
  function through(rules: typeof held, text: string, sizes: readonly number[]) {
    const acc = new Accumulator();
    const seen = new Accumulator();
    const parse = openAiChat.streamParser();
    const reparse = openAiChat.streamParser();
    const gate = new GatedEmitter(
      { rules, request: REQUEST, window: 256 },
      openAiChat,
      (c) => acc.response.choices[c]?.toolCalls ?? [],
      (b) => {
        for (const f of b.toString().split('\n\n').filter(Boolean))
          for (const ev of reparse({ event: undefined, data: f.slice(6), end: 0 }) ?? [])
            seen.add(ev);
        return true;
      },
    );
    const feed = (delta: object, finish: string | null = null) => {
      const text = `data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      const frame = { event: undefined, data: text.slice(6, -2), end: text.length };
      const events = parse(frame) ?? [];
      for (const ev of events) acc.add(ev);
      gate.frame(Buffer.from(text), frame, events);
    };
    for (let i = 0, k = 0; i < text.length; i += sizes[k++ % sizes.length]!)
      feed({ content: text.slice(i, i + sizes[k % sizes.length]!) });
    const early = seen.response.choices[0]?.text.length ?? 0;
    feed({}, 'stop');
    gate.end();
    return { text: seen.response.choices[0]?.text ?? '', early };
  }

  it('a choice held until it ends is redacted as the same choice streamed', () => {
    const piece = fc.constantFrom(
      'AKIAQ2RZ7MXWV4KTP3LN',
      'TICKET-123456',
      ' ',
      'word',
      '\n',
      'aws',
      'AKIA',
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }),
        (pieces, sizes) => {
          const text = pieces.join(' ');
          const a = through(held, text, sizes);
          const b = through(streamed, text, sizes);
          expect(a.early).toBe(0);
          expect(a.text).toBe(b.text);
          expect(a.text).not.toMatch(/TICKET-|AKIAQ2/);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('gated emitter: snapshots past the kept text', () => {
  const ev = (type: string, extra: object) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, output_index: 0, content_index: 0, ...extra })}\n\n`;
  function run(maxHeld: number) {
    const acc = new Accumulator();
    const written: string[] = [];
    const parse = openAiResponses.streamParser();
    const gate = new GatedEmitter(
      { rules, request: REQUEST, window: 256, maxHeld },
      openAiResponses,
      (c) => acc.toolCalls(c),
      (b) => {
        written.push(b.toString());
        return true;
      },
    );
    const key = 'ghp_8fK2mQ9xLr4TzW7vNc1Yb6HjD3sPa0EuGi5o';
    const text = `${'word '.repeat(400)}${key} end`;
    const frames = [
      ...text.match(/.{1,50}/gs)!.map((d) => ev('response.output_text.delta', { delta: d })),
      ev('response.output_text.done', { text }),
    ];
    for (const f of frames) {
      const [e, d] = f.split('\n');
      const frame = { event: e!.slice(7), data: d!.slice(6), end: f.length };
      const events = parse(frame) ?? [];
      for (const x of events) acc.add(x);
      gate.frame(Buffer.from(f), frame, events);
    }
    gate.end();
    return { gate, out: written.join(''), key };
  }

  it('re-renders a snapshot with what was sent when the text was kept', () => {
    const { gate, out, key } = run(1_000_000);
    expect(gate.malformed).toBe(false);
    expect(out).not.toContain(key);
    expect(out).toContain('response.output_text.done');
  });

  it('fails closed when the sent text was too long to keep', () => {
    const { gate, out, key } = run(500);
    expect(gate.malformed).toBe(true);
    expect(out).not.toContain(key);
    expect(out).not.toContain('response.output_text.done');
  });
});

describe('gated emitter: audio transcripts', () => {
  const KEY = 'AKIAQYLPMN5HHHFPZAM2';
  const frameOf = (delta: object, finish: string | null = null) =>
    `data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

  it.each([
    ['after its first four characters', 4],
    ['in the middle', 10],
    ['before its last four characters', KEY.length - 4],
  ])(
    'a key split across two transcript deltas (%s) is redacted, never released in part',
    (_n, cut) => {
      const h = harness();
      h.feed(frameOf({ audio: { id: 'audio_1', transcript: `the key ${KEY.slice(0, cut)}` } }));
      // The first piece ends in a prefix of the key: held, not released.
      expect(h.written.join('')).not.toContain(KEY.slice(0, cut));
      h.feed(frameOf({ audio: { transcript: `${KEY.slice(cut)} works`, data: 'AAAA' } }));
      h.feed(frameOf({}, 'stop'));
      const all = h.written.join('');
      expect(all).not.toContain(KEY.slice(0, cut));
      expect(all).not.toContain(KEY.slice(cut));
      const transcript = h.written
        .flatMap((w) => w.split('\n\n').filter(Boolean))
        .map(
          (f) =>
            (
              JSON.parse(f.slice(6)) as {
                choices: { delta: { audio?: { transcript?: string } } }[];
              }
            ).choices[0]?.delta.audio?.transcript ?? '',
        )
        .join('');
      expect(transcript).toBe('the key [REDACTED:creds] works');
      // The audio data goes out as it came.
      expect(all).toContain('"data":"AAAA"');
    },
  );

  it('a transcript with nothing to redact goes out byte for byte', () => {
    const h = harness();
    const frames = [
      frameOf({ audio: { id: 'audio_1', transcript: 'hello ' } }),
      frameOf({ audio: { transcript: 'there' } }),
      frameOf({}, 'stop'),
    ];
    for (const f of frames) h.feed(f);
    expect(h.written.join('')).toBe(frames.join(''));
  });
});

describe('gated emitter: snapshots', () => {
  it('fails closed on a snapshot from a format that declares none (nothing kept to render it)', () => {
    const acc = new Accumulator();
    const written: string[] = [];
    const gate = new GatedEmitter(
      { rules, request: REQUEST, window: 256 },
      openAiChat,
      () => [],
      (b) => (written.push(b.toString()), true),
    );
    const KEY = 'AKIAQYLPMN5HHHFPZAM2';
    const text = `data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta: { content: `key ${KEY} ok` } }] })}\n\n`;
    const frame = { event: undefined, data: text.slice(6, -2), end: text.length };
    const events = [
      { type: 'text' as const, choice: 0, text: `key ${KEY} ok` },
      { type: 'finish' as const, choice: 0, reason: 'stop' },
    ];
    for (const ev of events) acc.add(ev);
    gate.frame(Buffer.from(text), frame, events);
    expect(gate.malformed).toBe(false);
    gate.frame(Buffer.from(text), frame, [{ type: 'snapshot', choice: 0 }]);
    expect(gate.malformed).toBe(true);
    expect(written.join('')).not.toContain(KEY);
  });
});
