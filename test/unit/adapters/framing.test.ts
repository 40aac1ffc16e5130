import { createParser } from 'eventsource-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFramer } from '../../../src/adapters/framing.js';
import { chunked, fixture } from '../../helpers/fixtures.js';
import { cutAt, cuts, frameAll } from '../../helpers/framing.js';

describe('SSE framer', () => {
  it.each([
    [
      'LF',
      'data: a\n\ndata: b\n\n',
      [
        { event: undefined, data: 'a' },
        { event: undefined, data: 'b' },
      ],
    ],
    [
      'CRLF',
      'data: a\r\n\r\ndata: b\r\n\r\n',
      [
        { event: undefined, data: 'a' },
        { event: undefined, data: 'b' },
      ],
    ],
    ['named events', 'event: ping\ndata: {}\n\n', [{ event: 'ping', data: '{}' }]],
    ['multi-line data', 'data: a\ndata: b\n\n', [{ event: undefined, data: 'a\nb' }]],
    ['no space after colon', 'data:x\n\n', [{ event: undefined, data: 'x' }]],
    ['comment-only frame', ': keep-alive\n\n', [{ event: undefined, data: undefined }]],
    [
      'unterminated last frame',
      'data: a\n\ndata: b',
      [
        { event: undefined, data: 'a' },
        { event: undefined, data: 'b' },
      ],
    ],
  ])('%s', (_name, text, expected) => {
    for (const sizes of [[1000], [1], [2, 3], [7]]) {
      const { frames, bytes } = frameAll('sse', chunked(Buffer.from(text), sizes));
      expect(frames).toEqual(expected);
      expect(bytes.toString()).toBe(text);
    }
  });

  it('never splits a multi-byte character and returns the input bytes exactly', () => {
    const src = fixture('openai-chat/stream-basic.sse.txt');
    for (const sizes of [[1], [3, 5, 7], [64], [4096]]) {
      const { frames, bytes } = frameAll('sse', chunked(src, sizes));
      expect(bytes.equals(src)).toBe(true);
      expect(frames.map((f) => f.data).join('')).toContain('"content":" 🚀"');
    }
  });

  it('hands back the original chunk without copying when it ends on a boundary', () => {
    const f = createFramer('sse');
    const chunk = Buffer.from('data: a\n\ndata: b\n\n');
    expect(f.push(chunk).bytes).toBe(chunk);
  });

  it('holds a partial frame until its boundary arrives', () => {
    const f = createFramer('sse');
    expect(f.push(Buffer.from('data: a\n\ndata: b')).bytes.toString()).toBe('data: a\n\n');
    const b = f.push(Buffer.from('c\n\n'));
    expect(b.bytes.toString()).toBe('data: bc\n\n');
    expect(b.frames[0]?.end).toBe(b.bytes.length);
  });
});

describe('NDJSON framer', () => {
  it.each([
    ['lines', '{"a":1}\n{"b":2}\n', ['{"a":1}', '{"b":2}']],
    ['CRLF and blank lines', '{"a":1}\r\n\r\n{"b":2}\r\n', ['{"a":1}', '{"b":2}']],
    ['unterminated last line', '{"a":1}\n{"b":2}', ['{"a":1}', '{"b":2}']],
  ])('%s', (_n, text, expected) => {
    for (const sizes of [[1], [4], [100]]) {
      const { frames, bytes } = frameAll('ndjson', chunked(Buffer.from(text), sizes));
      expect(frames.map((f) => f.data)).toEqual(expected);
      expect(bytes.toString()).toBe(text);
    }
  });
});

const sse = (data: string | undefined, event?: string) => ({ event, data });
const refused = (data: string | undefined, event?: string) => ({
  event,
  data,
  malformed: true as const,
});

/** Every chunking that matters for line endings: whole, byte by byte, and uneven cuts. */
const CHUNKINGS = [[100000], [1], [2], [3, 1], [5, 2, 7]];

describe('SSE framer: WHATWG line rules', () => {
  it.each([
    ['CR line endings', 'data: a\r\rdata: b\r\r', [sse('a'), sse('b')]],
    ['mixed endings', 'data: a\r\n\rdata: b\n\r\n', [sse('a'), sse('b')]],
    ['CR ends a comment', ':x\rdata: {"a":1}\n\n', [sse('{"a":1}')]],
    ['CR ends a data line', 'data: a\rdata: b\n\n', [sse('a\nb')]],
    ['CRLF is one line ending', 'data: a\r\n\r\n', [sse('a')]],
    ['LF CR is two', 'data: a\n\rdata: b\n\n', [sse('a'), sse('b')]],
    ['a leading byte-order mark', '\uFEFFdata: a\n\n', [sse('a')]],
    // WHATWG reads a later mark as part of a field name, the SDKs drop it: refused.
    ['only one byte-order mark', '\uFEFF\uFEFFdata: a\n\n', [refused(undefined)]],
    ['a byte-order mark later', 'data: a\n\n\uFEFFdata: b\n\n', [sse('a'), refused(undefined)]],
    ['data without a colon', 'data\n\n', [sse('')]],
    ['data without a colon, twice', 'data\rdata\r\r', [sse('\n')]],
    ['empty data', 'data:\n\n', [sse('')]],
    ['one leading space dropped', 'data:  a \n\n', [sse(' a ')]],
    ['event name', 'event:x\rdata: a\r\r', [sse('a', 'x')]],
    ['empty event name', 'event: x\nevent\ndata: a\n\n', [sse('a')]],
    ['other fields ignored', 'id: 1\nretry: 5\nfoo: bar\ndata: a\n\n', [sse('a')]],
    ['field names are exact', 'data : a\nDATA: b\ndatax: c\n\n', [sse(undefined)]],
    ['a colon in the value', 'data: a: b\n\n', [sse('a: b')]],
    ['comment-only frames', ': ping\r\r: ping\n\n', [sse(undefined), sse(undefined)]],
    [
      'blank lines between events',
      'data: a\n\n\n\ndata: b\n\n',
      [sse('a'), sse(undefined), sse(undefined), sse('b')],
    ],
    ['multi-byte text', 'data: ü🚀\r\n\r\n', [sse('ü🚀')]],
    ['unterminated last line', 'event: e\ndata: a', [sse('a', 'e')]],
    ['a CR at the very end', 'data: a\r', [sse('a')]],
  ])('%s', (_name, text, expected) => {
    for (const sizes of CHUNKINGS) {
      const { frames, bytes } = frameAll('sse', chunked(Buffer.from(text), sizes));
      expect(frames, `chunks of ${sizes.join(',')}`).toEqual(expected);
      expect(bytes.toString()).toBe(text);
    }
  });

  it('a CRLF split across chunks ends one line', () => {
    const f = createFramer('sse');
    const a = f.push(Buffer.from('data: a\r\n\r'));
    expect(a.frames.map((x) => x.data)).toEqual(['a']);
    expect(a.bytes.toString()).toBe('data: a\r\n\r');
    const b = f.push(Buffer.from('\ndata: b\r'));
    expect(b.frames).toEqual([]);
    const c = f.push(Buffer.from('\n\r\n'));
    expect(c.frames.map((x) => x.data)).toEqual(['b']);
    expect(c.bytes.toString()).toBe('\ndata: b\r\n\r\n');
    expect(f.end().frames).toEqual([]);
  });

  it('frame ends are offsets in the batch bytes', () => {
    const f = createFramer('sse');
    f.push(Buffer.from('data: a'));
    f.push(Buffer.from('bc\n'));
    const b = f.push(Buffer.from('\ndata: d\r\rdata: e'));
    expect(b.bytes.toString()).toBe('data: abc\n\ndata: d\r\r');
    expect(b.frames.map((x) => [x.data, x.end])).toEqual([
      ['abc', 11],
      ['d', 20],
    ]);
  });
});

describe('NDJSON framer: line rules', () => {
  it.each([
    ['whitespace-only lines are blank', '{"a":1}\n  \t\r\n\n{"b":2}\n', ['{"a":1}', '{"b":2}']],
    ['a lone CR does not end a line', '{"a":1}\r{"b":2}\n', ['{"a":1}\r{"b":2}']],
    ['CRLF split', '{"a":1}\r\n', ['{"a":1}']],
    ['multi-byte text', '{"t":"ü🚀"}\n', ['{"t":"ü🚀"}']],
  ])('%s', (_n, text, expected) => {
    for (const sizes of CHUNKINGS) {
      const { frames, bytes } = frameAll('ndjson', chunked(Buffer.from(text), sizes));
      expect(frames.map((f) => f.data)).toEqual(expected);
      expect(bytes.toString()).toBe(text);
    }
  });
});

const ending = fc.constantFrom('\n', '\r', '\r\n');
const value = fc.string({
  unit: fc.constantFrom('a', 'b', ' ', ':', 'é', '🚀', '{', '"', '\uFEFF'),
  maxLength: 8,
});
const sseEvent = fc.record({
  event: fc.option(
    fc.string({ unit: fc.constantFrom('x', 'y', '-', 'é'), minLength: 1, maxLength: 4 }),
    { nil: undefined },
  ),
  data: fc.array(value, { minLength: 1, maxLength: 3 }),
  comment: fc.boolean(),
  id: fc.boolean(),
  noSpace: fc.boolean(),
});

describe('framers: any chunking, any line ending', () => {
  it('SSE: chunked framing equals whole framing, bytes are kept, events are recovered', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(sseEvent, fc.array(ending, { minLength: 8, maxLength: 8 })), {
          maxLength: 6,
        }),
        cuts,
        (events, cs) => {
          let text = '';
          let prev = '';
          for (const [e, eol] of events) {
            let k = 0;
            const line = (l: string) => {
              let end = eol[k++ % eol.length]!;
              // A CR, then an empty line ended by LF, is one CRLF: a writer must avoid that.
              if (prev === '\r' && l === '' && end === '\n') end = '\r\n';
              text += l + end;
              prev = end;
            };
            if (e.comment) line(': note');
            if (e.event !== undefined) line(`event: ${e.event}`);
            if (e.id) line('id: 42');
            for (const d of e.data)
              line(e.noSpace && !d.startsWith(' ') ? `data:${d}` : `data: ${d}`);
            line('');
          }
          const input = Buffer.from(text);
          const whole = frameAll('sse', [input]);
          const parts = frameAll('sse', cutAt(input, cs));
          expect(parts.frames).toEqual(whole.frames);
          expect(parts.bytes.equals(input)).toBe(true);
          expect(whole.frames.filter((f) => f.data !== undefined)).toEqual(
            events.map(([e]) => ({ event: e.event, data: e.data.join('\n') })),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('NDJSON: chunked framing equals whole framing, bytes are kept, lines are recovered', () => {
    const doc = fc
      .string({
        unit: fc.constantFrom('{', '}', '"', 'a', ' ', 'é', '🚀'),
        minLength: 1,
        maxLength: 10,
      })
      .filter((d) => d.trim() !== '');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(doc, fc.constantFrom('\n', '\r\n', '\n\n', '\r\n \n')), { maxLength: 8 }),
        cuts,
        (lines, cs) => {
          const input = Buffer.from(lines.map(([d, eol]) => d + eol).join(''));
          const whole = frameAll('ndjson', [input]);
          const parts = frameAll('ndjson', cutAt(input, cs));
          expect(parts.frames).toEqual(whole.frames);
          expect(parts.bytes.equals(input)).toBe(true);
          expect(whole.frames.map((f) => f.data)).toEqual(lines.map(([d]) => d));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('SSE framer against eventsource-parser', () => {
  /** What an SSE client (the SDKs use such a parser) dispatches for the whole stream. */
  function reference(input: Buffer) {
    const out: { event: string | undefined; data: string }[] = [];
    const p = createParser({ onEvent: (e) => out.push({ event: e.event, data: e.data }) });
    // The decoder drops one leading byte-order mark (this parser looks for it as bytes).
    p.feed(new TextDecoder().decode(input));
    return out;
  }

  const token = fc.constantFrom(
    'data',
    'data:',
    'data: ',
    'event:',
    'event: ',
    'event',
    ':',
    ' ',
    'x',
    'é',
    '🚀',
    'id: 7',
    'retry: 9',
    'foo: 1',
    'data : y',
    '\uFEFF',
    '\r',
    '\n',
    '\r\n',
    '\r\r',
    '\n\n',
    '\xff',
  );

  it('dispatches the same data and event names for random byte streams', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(token, { maxLength: 40 }), cuts, (bom, tokens, cs) => {
        const text = (bom ? '\uFEFF' : '') + tokens.join('') + '\n\n';
        // '\xff' stands for a byte that is not UTF-8.
        const input = Buffer.concat(
          text
            .split('\xff')
            .flatMap((t, i) => (i ? [Buffer.from([0xff]), Buffer.from(t)] : [Buffer.from(t)])),
        );
        const all = frameAll('sse', cutAt(input, cs)).frames;
        // A refused frame fails the stream closed: what went before it must agree.
        const bad = all.findIndex((f) => f.malformed);
        const ours = (bad < 0 ? all : all.slice(0, bad)).filter((f) => f.data !== undefined);
        const want = reference(input);
        expect(ours).toEqual(bad < 0 ? want : want.slice(0, ours.length));
      }),
      { numRuns: 500 },
    );
  });

  it.each([':x\rdata: {"a":1}\n\n', 'data: a\r\rdata: b\r\n\r\n', '\uFEFFevent: e\rdata\r\r'])(
    '%j',
    (text) => {
      // A CR last in the stream may await its LF in the parser: end with LF.
      const input = Buffer.from(`${text}\n`);
      const ours = frameAll('sse', chunked(input, [1])).frames.filter((f) => f.data !== undefined);
      expect(ours).toEqual(reference(input));
    },
  );
});
