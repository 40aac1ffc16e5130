/**
 * Framing and streamed enforcement cost time linear in the input, whatever its shape: each
 * case runs at size N and 4N (best of three runs) and the time may grow at most 10-fold —
 * quadratic work grows 16-fold. The cases are the shapes that used to be quadratic: one huge
 * line in many chunks, many redactions, a choice held until it ends, a match that keeps
 * growing, many tool calls.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createFramer } from '../../src/adapters/framing.js';
import type { Framing } from '../../src/adapters/framing.js';
import { openAiChat } from '../../src/adapters/openai-chat/index.js';
import { Accumulator } from '../../src/pipeline/accumulate.js';
import { GatedEmitter } from '../../src/pipeline/gated-emitter.js';
import { loadPolicySet } from '../../src/policy/loader.js';
import { gateRules } from '../../src/policy/gate-rules.js';
import type { GateRule } from '../../src/policy/gate-rules.js';
import { REQUEST } from '../helpers/check-input.js';
import { expectLinear } from '../helpers/linear.js';
import { policySetFrom } from '../helpers/policy.js';

function chunks(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

function framing(kind: Framing, text: (n: number) => string, frames: (n: number) => number) {
  return (n: number) => {
    const bytes = Buffer.from(text(n));
    const input = chunks(bytes, 128);
    return () => {
      const f = createFramer(kind);
      let count = 0;
      let out = 0;
      for (const c of input) {
        const b = f.push(c);
        count += b.frames.length;
        out += b.bytes.length;
      }
      const b = f.end();
      expect(count + b.frames.length).toBe(frames(n));
      expect(out + b.bytes.length).toBe(bytes.length);
    };
  };
}

const defaultRules = (() => {
  const r = loadPolicySet({
    patterns: ['policies/default.yaml'],
    baseDir: fileURLToPath(new URL('../..', import.meta.url)),
  });
  if (!r.ok) throw new Error('the default pack does not load');
  return gateRules(r.set.policies);
})();

/** A cheap check with triggers: the cost of a redaction is mostly the redaction's own. */
const wordRules = gateRules(
  policySetFrom({
    'p.yaml':
      'name: p\nrules:\n  - id: word\n    check: contains\n    params: { words: [zzq] }\n    action: redact\n',
  }).policies,
);

/** A rule without spans that may block holds every choice until it ends. */
const holdAllRules = gateRules(
  policySetFrom({
    'p.yaml': `name: p
rules:
  - id: too-long
    check: length
    params: { max_chars: 100000000 }
    action: block
  - id: ticket
    check: regex
    params: { pattern: "TICKET-[0-9]{6}" }
    action: redact
`,
  }).policies,
);

/** The secrets check alone: most of the time goes to redaction, not to other checks. */
const secretRules = gateRules(
  policySetFrom({
    'p.yaml': 'name: p\nrules:\n  - id: creds\n    check: secrets\n    action: redact\n',
  }).policies,
);

const head = { id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm' };
const delta = (d: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta: d, finish_reason: finish }] })}\n\n`;

/** Content events of 5 characters. */
function textFrames(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 5) out.push(delta({ content: text.slice(i, i + 5) }));
  out.push(delta({}, 'stop'));
  return out;
}

/** Runs chat frames through parsing and the gate; returns what the client got. */
function gated(rules: readonly GateRule[], frames: readonly string[]): string {
  const acc = new Accumulator();
  const out: string[] = [];
  const gate = new GatedEmitter(
    { rules, request: { ...REQUEST, stream: true }, window: 256 },
    openAiChat,
    (c) => acc.response.choices[c]?.toolCalls ?? [],
    (b) => {
      out.push(b.toString());
      return true;
    },
  );
  const parse = openAiChat.streamParser();
  for (const f of frames) {
    const frame = { event: undefined, data: f.slice(6, -2), end: f.length };
    const events = parse(frame) ?? [];
    for (const ev of events) acc.add(ev);
    gate.frame(Buffer.from(f), frame, events);
  }
  gate.end();
  expect(gate.blocked).toBeUndefined();
  return out.join('');
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** About n characters, one AWS-style key per line (and a ticket number, with `tickets`). */
function secrets(n: number, tickets = false): { text: string; keys: number } {
  let seed = 7;
  const lines: string[] = [];
  for (let len = 0, i = 0; len < n; i++) {
    let key = 'AKIA';
    for (let k = 0; k < 16; k++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      key += B32[seed >>> 26];
    }
    const line = tickets ? `${key} TICKET-${String(i).padStart(6, '0')}\n` : `${key}\n`;
    lines.push(line);
    len += line.length;
  }
  return { text: lines.join(''), keys: lines.length };
}

describe('linear time', () => {
  it('SSE framing: one line in many chunks', () => {
    const line = (n: number) => `data: ${'x'.repeat(n)}\n\n`;
    expectLinear(
      framing('sse', line, () => 1),
      1 << 18,
    );
  });

  it('NDJSON framing: one line in many chunks', () => {
    const line = (n: number) => `"${'x'.repeat(n)}"\n`;
    expectLinear(
      framing('ndjson', line, () => 1),
      1 << 18,
    );
  });

  it('SSE framing: many events, CR line endings', () => {
    const events = (n: number) => 'data: {"i":12345}\r\r'.repeat(n);
    expectLinear(
      framing('sse', events, (n) => n),
      10_000,
    );
  });

  it('streamed redaction: many redactions (80,000+ characters)', () => {
    const make = (n: number) => {
      const { text, keys } = secrets(n);
      const frames = textFrames(text);
      return () => {
        const out = gated(secretRules, frames);
        expect(out.split('[REDACTED:creds]').length - 1).toBe(keys);
        expect(out).not.toContain('AKIA');
      };
    };
    expectLinear(make, 20_000);
  });

  it('streamed redaction: a redaction every 4 characters', () => {
    const make = (n: number) => {
      const frames = textFrames('zzq '.repeat(n / 4));
      return () => {
        expect(gated(wordRules, frames).split('[REDACTED:word]').length - 1).toBe(n / 4);
      };
    };
    expectLinear(make, 8_000);
  });

  it('a choice held until it ends, with redactions', () => {
    const make = (n: number) => {
      const frames = textFrames(secrets(n, true).text);
      return () => {
        const out = gated(holdAllRules, frames);
        expect(out).toContain('[REDACTED:ticket]');
        expect(out).not.toContain('TICKET-');
      };
    };
    expectLinear(make, 5_000);
  });

  it('a match that keeps growing (a run of zero-width spaces)', () => {
    const make = (n: number) => {
      const frames = textFrames(`a${'\u200b'.repeat(n)}b`);
      return () => {
        const out = gated(defaultRules, frames);
        expect(out).not.toContain('\u200b');
      };
    };
    expectLinear(make, 4_000);
  });

  it('many tool calls', () => {
    const make = (n: number) => {
      const frames: string[] = [];
      for (let i = 0; i < n; i++) {
        const call = { index: i, id: `c${i}`, type: 'function', function: { name: 'f' } };
        frames.push(delta({ tool_calls: [{ ...call, function: { name: 'f', arguments: '' } }] }));
        frames.push(delta({ tool_calls: [{ index: i, function: { arguments: '{"a":1}' } }] }));
      }
      frames.push(delta({}, 'tool_calls'));
      return () => {
        expect(gated(secretRules, frames).split('data: ').length - 1).toBe(2 * n + 1);
      };
    };
    expectLinear(make, 500);
  });
});
