import { describe, expect, it } from 'vitest';
import { createFramer } from '../../../src/adapters/framing.js';
import type { Framing } from '../../../src/adapters/framing.js';
import { chunked, fixture } from '../../helpers/fixtures.js';

function frameAll(kind: Framing, chunks: Buffer[]) {
  const f = createFramer(kind);
  const frames: { event: string | undefined; data: string | undefined }[] = [];
  const bytes: Buffer[] = [];
  for (const c of chunks) {
    const b = f.push(c);
    bytes.push(b.bytes);
    frames.push(...b.frames.map(({ event, data }) => ({ event, data })));
  }
  const tail = f.end();
  bytes.push(tail.bytes);
  frames.push(...tail.frames.map(({ event, data }) => ({ event, data })));
  return { frames, bytes: Buffer.concat(bytes) };
}

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
