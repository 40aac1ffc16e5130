/**
 * Differential tests: Coalmine's framers against the stream readers of the SDKs our users run
 * (issue 13). The contract: every event an SDK hands the application, Coalmine's framer saw too,
 * in the same order, with the same event name and the same data. (Coalmine may see more: events
 * an SDK drops — unnamed ones for Anthropic, anything after `[DONE]` or `done` — and the
 * unterminated tail of a stream.) Bytes and chunking are random; the SDKs are driven through
 * their own code (a `Response` whose body yields the very chunks the framer gets), never a copy.
 *
 * - `openai` (6.x): `Stream.fromSSEResponse` and `_iterSSEMessages` (httpx-style `LineDecoder`,
 *   lines decoded one by one with a shared `TextDecoder`).
 * - `@anthropic-ai/sdk` (1.x): `Stream.fromSSEResponse` and `Stream.rawEvents` (one streaming
 *   `TextDecoder` with `ignoreBOM`, then a U+FEFF is dropped from the start of every line).
 * - `ollama` (0.6): the client's NDJSON reader (not exported: driven through `Ollama#chat` with
 *   a fake `fetch`).
 *
 * Where the SDKs depart from WHATWG (and so from Coalmine), the random streams steer clear and
 * the "known divergences" tables pin both sides, so that a change on either side shows up here:
 * 1. Both SSE SDKs drop a U+FEFF at the start of *every* line, not only the stream's first. A
 *    later line `\uFEFFdata: {…}` is a data line to them but an unknown field to WHATWG (a line
 *    that is only U+FEFF ends the event for them, not for WHATWG). No one reading serves both
 *    kinds of client, so Coalmine marks the event malformed and the stream fails closed.
 * 2. Both dispatch an event that has an `event:` line but no `data:` line (data `""`); WHATWG
 *    does not. openai's `Stream` then throws (`JSON.parse("")`); Anthropic's skips it.
 * 3. Both report `event:` with an empty value as the name `""`, where Coalmine reports none. The
 *    Anthropic `Stream` yields such an event (it skips only a null name); Coalmine still sees its
 *    data (the Anthropic adapter goes by the data's `type`).
 * 4. ollama strips a byte-order mark at the start of the stream; Coalmine's NDJSON framer keeps
 *    it, the line is not JSON, and Coalmine fails closed (cuts the stream).
 * 5. ollama skips a line that is not JSON (with a console warning); Coalmine fails closed.
 */
import Anthropic from '@anthropic-ai/sdk';
import { Stream as AnthropicStream } from '@anthropic-ai/sdk/core/streaming';
import fc from 'fast-check';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { Stream as OpenAIStream, _iterSSEMessages } from 'openai/core/streaming';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chunked } from '../../helpers/fixtures.js';
import { cutAt, cuts, frameAll } from '../../helpers/framing.js';
import type { SeenFrame } from '../../helpers/framing.js';

const RUNS = 200;

/** A fetch `Response` whose body yields exactly these chunks (copies: the SDKs keep them). */
function responseOf(chunks: readonly Buffer[], type = 'text/event-stream'): Response {
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const x of chunks) if (x.length) c.enqueue(new Uint8Array(x));
      c.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': type } });
}

/** What an SDK stream yields before it ends, and whether it ended by throwing. */
interface Seen<T> {
  items: T[];
  throws: boolean;
}

async function drain<T>(it: AsyncIterable<T>): Promise<Seen<T>> {
  const items: T[] = [];
  try {
    for await (const x of it) items.push(x);
    return { items, throws: false };
  } catch {
    return { items, throws: true };
  }
}

function parse(data: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(data) as unknown };
  } catch {
    return { ok: false };
  }
}

const field = (v: unknown, k: string): unknown =>
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;

/** Chunkings for the table cases: whole, byte by byte, uneven, and cut right after every CR. */
function chunkings(buf: Buffer): Buffer[][] {
  const afterCr: Buffer[] = [];
  let prev = 0;
  for (let i = 0; i < buf.length; i++)
    if (buf[i] === 0x0d) {
      afterCr.push(buf.subarray(prev, i + 1));
      prev = i + 1;
    }
  afterCr.push(buf.subarray(prev));
  return [[buf], chunked(buf, [1]), chunked(buf, [2]), chunked(buf, [3, 1]), afterCr];
}

/* ------------------------------------------------------------------------------------------ */
/* What each SDK hands the application, derived from Coalmine's frames by the SDK's own rules.  */
/* These are the SDKs' filters (read from their source), not their parsers: the framing under  */
/* test is still the SDK's.                                                                     */
/* ------------------------------------------------------------------------------------------ */

/** openai `Stream.fromSSEResponse(…, synthesizeEventData = true)`: `{ event, data }` items. */
function openaiFilter(
  frames: readonly SeenFrame[],
): Seen<{ event: string | undefined; data: unknown }> {
  const items: { event: string | undefined; data: unknown }[] = [];
  for (const f of frames) {
    // Dispatched when it has data or a name (divergence 2).
    if (f.data === undefined && f.event === undefined) continue;
    const data = f.data ?? '';
    // After `[DONE]` (as a prefix) everything is ignored.
    if (data.startsWith('[DONE]')) return { items, throws: false };
    const p = parse(data);
    if (!p.ok) return { items, throws: true };
    // An in-band `{"error": …}` throws, except on Assistants `thread.*` events.
    if (!f.event?.startsWith('thread.') && field(p.value, 'error')) return { items, throws: true };
    items.push({ event: f.event, data: p.value });
  }
  return { items, throws: false };
}

/** Anthropic `Stream.fromSSEResponse`: the parsed data of named events but `ping`; `error` throws. */
function anthropicFilter(frames: readonly SeenFrame[]): Seen<unknown> {
  const items: unknown[] = [];
  for (const f of frames) {
    // Unnamed events are skipped (the generator writes no empty `event:`: divergence 3).
    if (f.event === undefined || f.event === 'ping') continue;
    if (f.event === 'error') return { items, throws: true };
    if (!f.data) continue;
    const p = parse(f.data);
    if (!p.ok) return { items, throws: true };
    items.push(p.value);
  }
  return { items, throws: false };
}

/** ollama's reader: JSON lines (others skipped), up to `done`; `error` throws, so does no `done`. */
function ollamaFilter(frames: readonly SeenFrame[]): Seen<unknown> {
  const items: unknown[] = [];
  for (const f of frames) {
    const p = parse(f.data ?? '');
    if (!p.ok) continue; // divergence 5
    if (field(p.value, 'error') !== undefined) return { items, throws: true };
    items.push(p.value);
    if (field(p.value, 'done') || field(p.value, 'status') === 'success')
      return { items, throws: false };
  }
  return { items, throws: true };
}

/* ------------------------------------------------------------------------------------------ */
/* Drivers: the SDKs' own stream readers over a Response of the given chunks.                   */
/* ------------------------------------------------------------------------------------------ */

const openaiRaw = (chunks: readonly Buffer[]) =>
  drain(_iterSSEMessages(responseOf(chunks), new AbortController()));
const anthropicRaw = (chunks: readonly Buffer[]) =>
  drain(AnthropicStream.rawEvents(responseOf(chunks)));

async function openaiStream(chunks: readonly Buffer[]) {
  const s = OpenAIStream.fromSSEResponse<{ event: string | null; data: unknown }>(
    responseOf(chunks),
    new AbortController(),
    undefined,
    true,
  );
  const seen = await drain(s);
  return { ...seen, items: seen.items.map((x) => ({ event: x.event || undefined, data: x.data })) };
}

const anthropicStream = (chunks: readonly Buffer[]) =>
  drain(AnthropicStream.fromSSEResponse<unknown>(responseOf(chunks), new AbortController()));

const fakeFetch = (chunks: readonly Buffer[], type: string) =>
  (async () => Promise.resolve(responseOf(chunks, type))) as typeof fetch;

/** The full clients, as an application calls them, for the table cases. */
async function openaiClient(chunks: readonly Buffer[]): Promise<Seen<unknown>> {
  const client = new OpenAI({
    apiKey: 'k',
    baseURL: 'http://openai.test/v1',
    maxRetries: 0,
    fetch: fakeFetch(chunks, 'text/event-stream'),
  });
  const s = await client.chat.completions.create({ model: 'm', messages: [], stream: true });
  return drain(s as AsyncIterable<unknown>);
}

async function anthropicClient(chunks: readonly Buffer[]): Promise<Seen<unknown>> {
  const client = new Anthropic({
    apiKey: 'k',
    baseURL: 'http://anthropic.test',
    maxRetries: 0,
    fetch: fakeFetch(chunks, 'text/event-stream'),
  });
  const s = await client.messages.create({
    model: 'm',
    max_tokens: 1,
    messages: [],
    stream: true,
  });
  return drain(s as AsyncIterable<unknown>);
}

async function ollamaClient(chunks: readonly Buffer[]): Promise<Seen<unknown>> {
  const client = new Ollama({
    host: 'http://ollama.test',
    fetch: fakeFetch(chunks, 'application/x-ndjson'),
  });
  const s = await client.chat({ model: 'm', messages: [], stream: true });
  return drain(s as AsyncIterable<unknown>);
}

/* ------------------------------------------------------------------------------------------ */
/* Generators.                                                                                  */
/* ------------------------------------------------------------------------------------------ */

/** JSON text with the characters that matter on the wire (escaped or not by JSON.stringify). */
const jsonText = fc.string({
  unit: fc.constantFrom('a', ' ', ':', 'é', '🚀', '\r', '\n', '\uFEFF', '\u2028', '"', '\\', '{'),
  maxLength: 6,
});
const leaf = fc.oneof(jsonText, fc.integer(), fc.boolean(), fc.constant(null));
/** Keys include `error`, whose (truthy) presence the SDKs turn into a throw. */
const jsonKey = fc.constantFrom('a', 'type', 'text', 'delta', 'error', 'é 🚀', ' ');
const jsonObject = fc.dictionary(
  jsonKey,
  fc.oneof(
    leaf,
    fc.array(leaf, { maxLength: 3 }),
    fc.dictionary(jsonKey, leaf, { maxKeys: 2, noNullPrototype: true }),
  ),
  { maxKeys: 4, noNullPrototype: true },
);

/** Lines the SDKs and Coalmine must ignore inside an event. */
const extraLine = fc.constantFrom(
  ':x',
  ':',
  ': ping',
  'id: 7',
  'id',
  'retry: 100',
  'foo: bar',
  'foo',
  'data : x',
  'DATA: x',
  'event : x',
  ' data: x',
);

type Doc = Record<string, unknown> | '[DONE]';

interface SseEvent {
  /** The `event:` value; undefined: no `event:` line. */
  name: string | undefined;
  /** The data; undefined: no `data:` line. */
  doc: Doc | undefined;
  /** Pretty-printing of the JSON, whose newlines become separate `data:` lines unless joined. */
  indent: number | string | undefined;
  joins: boolean[];
  noSpace: boolean;
  extras: { line: string; at: number }[];
  blankAfter: boolean;
}

function sseEvent(names: readonly (string | undefined)[], done: boolean) {
  return fc.record({
    name: fc.constantFrom(...names),
    doc: fc.oneof<fc.Arbitrary<Doc | undefined>[]>(
      jsonObject,
      jsonObject,
      jsonObject,
      jsonObject,
      fc.constant(undefined),
      ...(done ? [fc.constant<Doc>('[DONE]')] : []),
    ),
    indent: fc.constantFrom(undefined, undefined, 1, 2, '\t'),
    joins: fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
    noSpace: fc.boolean(),
    extras: fc.array(fc.record({ line: extraLine, at: fc.nat() }), { maxLength: 3 }),
    blankAfter: fc.boolean(),
  });
}

function dataLines(e: SseEvent): string[] {
  if (e.doc === undefined) return [];
  if (e.doc === '[DONE]') return ['data: [DONE]'];
  // JSON.stringify puts newlines only between tokens: splitting there keeps the JSON valid once
  // the SDK joins the lines with LF. Some newlines are joined back into one line with a space.
  const parts = JSON.stringify(e.doc, null, e.indent).split('\n');
  const lines: string[] = [];
  parts.forEach((p, i) => {
    if (i > 0 && e.joins[i % e.joins.length]) lines[lines.length - 1] += ` ${p}`;
    else lines.push(p);
  });
  return lines.map((l) => (e.noSpace ? `data:${l}` : `data: ${l}`));
}

/** The lines of one event, its blank line included. */
function eventLines(e: SseEvent): string[] {
  const lines = dataLines(e);
  if (e.name !== undefined) lines.unshift(e.noSpace ? `event:${e.name}` : `event: ${e.name}`);
  for (const x of e.extras) lines.splice(x.at % (lines.length + 1), 0, x.line);
  lines.push('');
  if (e.blankAfter) lines.push('');
  return lines;
}

/** Joins lines with line endings taken in turn from `eols`. */
function joinLines(lines: readonly string[], eols: readonly string[]): string {
  let text = '';
  let prev = '';
  lines.forEach((l, k) => {
    let end = eols[k % eols.length]!;
    // A CR, then an empty line ended by LF, is one CRLF: a writer must avoid that.
    if (prev === '\r' && l === '' && end === '\n') end = '\r\n';
    text += l + end;
    prev = end;
  });
  return text;
}

/** An unterminated tail: WHATWG and the SDKs discard it; Coalmine's `end` still reports it. */
const sseTail = fc.constantFrom(
  '',
  'data: {"tail":1}',
  'event: e\ndata: {"tail":1}\n',
  'event: e\rdata: {"tail":1}\r',
  ':x',
);

function sseStream(names: readonly (string | undefined)[], done: boolean) {
  return fc.record({
    bom: fc.boolean(),
    events: fc.array(sseEvent(names, done), { maxLength: 6 }),
    eols: fc.array(fc.constantFrom('\n', '\r', '\r\n'), { minLength: 1, maxLength: 16 }),
    tail: sseTail,
    cuts,
  });
}

function renderSse(s: { bom: boolean; events: SseEvent[]; eols: string[]; tail: string }): Buffer {
  const text = joinLines(s.events.flatMap(eventLines), s.eols);
  return Buffer.from((s.bom ? '\uFEFF' : '') + text + s.tail);
}

/** Coalmine must see the generated events themselves (a check on the generator as much). */
function expectGenerated(frames: readonly SeenFrame[], events: readonly SseEvent[]) {
  const seen = frames
    .filter((f) => f.data !== undefined)
    .map((f) => ({ event: f.event, data: f.data === '[DONE]' ? f.data : parse(f.data!) }));
  const want = events
    .filter((e) => e.doc !== undefined)
    .map((e) => ({
      event: e.name || undefined,
      data: e.doc === '[DONE]' ? e.doc : { ok: true, value: e.doc },
    }));
  expect(seen).toEqual(want);
}

/* ------------------------------------------------------------------------------------------ */
/* Properties.                                                                                  */
/* ------------------------------------------------------------------------------------------ */

beforeEach(() => {
  // The SDKs log what they cannot parse before they throw or skip it.
  vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('SSE framer against the SDKs: random JSON event streams', () => {
  it('openai Stream yields exactly the events Coalmine frames (event names, data)', async () => {
    const names = [undefined, '', 'message', 'completion', 'thread.run.step.delta', 'error', 'é-x'];
    await fc.assert(
      fc.asyncProperty(sseStream(names, true), async (s) => {
        const input = renderSse(s);
        const chunks = cutAt(input, s.cuts);
        const ours = frameAll('sse', chunks);
        expect(ours.bytes.equals(input)).toBe(true);
        const closed = ours.frames.slice(0, ours.closed);
        expectGenerated(closed, s.events);
        expect(await openaiStream(chunks)).toEqual(openaiFilter(closed));
      }),
      { numRuns: RUNS },
    );
  });

  it('Anthropic Stream yields exactly the events Coalmine frames (data)', async () => {
    // No empty `event:` value here: divergence 3.
    const names = [undefined, 'message_start', 'content_block_delta', 'ping', 'error', 'é-x'];
    await fc.assert(
      fc.asyncProperty(sseStream(names, false), async (s) => {
        const input = renderSse(s);
        const chunks = cutAt(input, s.cuts);
        const ours = frameAll('sse', chunks);
        const closed = ours.frames.slice(0, ours.closed);
        expectGenerated(closed, s.events);
        expect(await anthropicStream(chunks)).toEqual(anthropicFilter(closed));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('SSE framer against the SDKs: random byte soup, raw events', () => {
  const BOM = Buffer.from('\uFEFF');
  const token = fc.constantFrom(
    ...[
      'data',
      'data:',
      'data: ',
      'event:',
      'event: ',
      'event',
      ':',
      ' ',
      'x',
      '{}',
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
    ].map((t) => Buffer.from(t)),
    // Not UTF-8: a stray byte, a cut-off sequence, a half byte-order mark, a surrogate.
    Buffer.from([0xff]),
    Buffer.from([0xe2, 0x82]),
    Buffer.from([0xef, 0xbb]),
    Buffer.from([0xed, 0xa0, 0x80]),
  );

  /** The stream: tokens, but no U+FEFF first on a line after the first (divergence 1). */
  function soup(bom: boolean, tokens: readonly Buffer[]): Buffer {
    const out: Buffer[] = bom ? [BOM] : [];
    let lineStart = false;
    for (const t of tokens) {
      if (lineStart && t.equals(BOM)) continue;
      out.push(t);
      const last = t[t.length - 1];
      lineStart = last === 0x0a || last === 0x0d;
    }
    return Buffer.concat(out);
  }

  /** What the SDKs' SSE decoders dispatch, from Coalmine's frames (divergences 2 and 3). */
  const dispatched = (frames: readonly SeenFrame[]) =>
    frames
      .filter((f) => f.data !== undefined || f.event !== undefined)
      .map((f) => ({ event: f.event, data: f.data ?? '' }));

  const raw = (seen: Seen<{ event: string | null; data: string }>) => ({
    throws: seen.throws,
    items: seen.items.map((e) => ({ event: e.event || undefined, data: e.data })),
  });

  it.each([
    ['openai _iterSSEMessages', openaiRaw],
    ['Anthropic Stream.rawEvents', anthropicRaw],
  ] as const)('%s dispatches what Coalmine frames', async (_name, sdk) => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(token, { maxLength: 40 }),
        cuts,
        async (bom, tokens, cs) => {
          const chunks = cutAt(soup(bom, tokens), cs);
          const ours = frameAll('sse', chunks);
          expect(raw(await sdk(chunks))).toEqual({
            throws: false,
            items: dispatched(ours.frames.slice(0, ours.closed)),
          });
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('NDJSON framer against the ollama client', () => {
  const line = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        doc: jsonObject,
        done: fc.nat({ max: 5 }).map((n) => n === 0),
        pad: fc.constantFrom('', ' ', '\t', ' \r'),
      }),
    },
    // Blank lines, and lines that are not JSON (a lone CR does not end an NDJSON line).
    { weight: 2, arbitrary: fc.constantFrom('', ' ', '\t', '\r', ' \r') },
    { weight: 1, arbitrary: fc.constantFrom('{"a":1}\r{"b":2}', 'x', '{"a":') },
  );

  it('yields exactly the documents Coalmine frames, up to `done`', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n')), { maxLength: 8 }),
        fc.boolean(),
        cuts,
        async (lines, unterminated, cs) => {
          const text = lines
            .map(([l, eol], i) => {
              const body =
                typeof l === 'string'
                  ? l
                  : l.pad + JSON.stringify({ ...l.doc, done: l.done }) + l.pad;
              return unterminated && i === lines.length - 1 ? body : body + eol;
            })
            .join('');
          const chunks = cutAt(Buffer.from(text), cs);
          const ours = frameAll('ndjson', chunks);
          expect(await ollamaClient(chunks)).toEqual(ollamaFilter(ours.frames));
        },
      ),
      { numRuns: RUNS },
    );
  });
});

/* ------------------------------------------------------------------------------------------ */
/* Table cases: the known tricks, through the full clients as an application calls them.       */
/* ------------------------------------------------------------------------------------------ */

describe('SSE tricks through the full clients', () => {
  const A = { type: 'a', n: 1 };
  const B = { type: 'b', t: 'é🚀' };
  it.each([
    ['a comment ended by CR', ':x\revent: e\rdata: {"type":"a","n":1}\r\r', [A]],
    ['BOM, then data', '\uFEFFevent: e\ndata: {"type":"a","n":1}\n\n', [A]],
    [
      'CR-only line endings',
      'event: e\rdata: {"type":"a","n":1}\r\revent: e\rdata: {"type":"b","t":"é🚀"}\r\r',
      [A, B],
    ],
    ['data: without a space', 'event:e\ndata:{"type":"a","n":1}\n\n', [A]],
    ['CRLF (split after every CR)', 'event: e\r\ndata: {"type":"a","n":1}\r\n\r\n', [A]],
    [
      'multi-line data, mixed endings',
      'event: e\r\ndata: {"type":"a",\rdata:"n":1}\n\r\nevent: e\ndata: {"type":"b",\n: c\ndata: "t":"é🚀"}\r\r',
      [A, B],
    ],
    [
      'id, retry, unknown fields, comments',
      'id: 1\nevent: e\nretry: 5\nfoo: bar\n: c\ndata: {"type":"a","n":1}\nid\n\n',
      [A],
    ],
    ['a CR as the very last byte', 'event: e\ndata: {"type":"a","n":1}\n\r', [A]],
    [
      'an unterminated last event is dropped',
      'event: e\ndata: {"type":"a","n":1}\n\nevent: e\ndata: {}',
      [A],
    ],
  ])('%s', async (_name, text, want) => {
    const input = Buffer.from(text);
    for (const chunks of chunkings(input)) {
      const ours = frameAll('sse', chunks);
      expect(ours.frames.slice(0, ours.closed).map((f) => JSON.parse(f.data!) as unknown)).toEqual(
        want,
      );
      expect(await openaiClient(chunks)).toEqual({ items: want, throws: false });
      expect(await anthropicClient(chunks)).toEqual({ items: want, throws: false });
    }
  });
});

/* ------------------------------------------------------------------------------------------ */
/* Known divergences: what the SDK does, what Coalmine does. A failure here means one changed. */
/* ------------------------------------------------------------------------------------------ */

describe('known divergences between the SDKs and WHATWG / Coalmine', () => {
  const ev = (event: string | undefined, data: string | undefined) => ({ event, data });
  const bad = (event: string | undefined, data: string | undefined) => ({
    event,
    data,
    malformed: true as const,
  });
  it.each([
    [
      '1: U+FEFF first on a later line is dropped by the SDKs (an unchecked event)',
      'event: e\ndata: {"a":1}\n\n\uFEFFevent: e\ndata: {"b":2}\n\n\uFEFFdata: {"c":3}\n\n',
      [ev('e', '{"a":1}'), ev('e', '{"b":2}'), ev(undefined, '{"c":3}')],
      [ev('e', '{"a":1}'), bad(undefined, '{"b":2}'), bad(undefined, undefined)],
    ],
    [
      '1: a line that is only U+FEFF ends the event for the SDKs',
      'event: e\ndata: {"a":1}\n\uFEFF\ndata: {"b":2}\n\n',
      [ev('e', '{"a":1}'), ev(undefined, '{"b":2}')],
      [bad('e', '{"a":1}\n{"b":2}')],
    ],
    [
      '2: an event with a name and no data is dispatched by the SDKs',
      'event: e\n\n',
      [ev('e', '')],
      [ev('e', undefined)],
    ],
    [
      '3: an empty event name is "" to the SDKs, none to Coalmine',
      'event:\ndata: {"a":1}\n\n',
      [ev('', '{"a":1}')],
      [ev(undefined, '{"a":1}')],
    ],
  ])('%s', async (_name, text, sdk, coalmine) => {
    for (const chunks of chunkings(Buffer.from(text))) {
      const ours = frameAll('sse', chunks);
      expect(ours.frames.slice(0, ours.closed)).toEqual(coalmine);
      for (const read of [openaiRaw, anthropicRaw]) {
        const got = await read(chunks);
        expect(got.items.map((e) => ev(e.event ?? undefined, e.data))).toEqual(sdk);
      }
    }
  });

  it('1: the applications would get an event Coalmine saw no data in: it is refused', async () => {
    const text =
      'event: message_start\ndata: {"type":"message_start"}\n\n' +
      'event: content_block_delta\n\uFEFFdata: {"type":"content_block_delta","t":"x"}\n\n' +
      '\uFEFFdata: {"choices":[{"delta":{"content":"x"}}]}\n\n';
    const chunks = [Buffer.from(text)];
    expect(frameAll('sse', chunks).frames.map((f) => f.malformed ?? false)).toEqual([
      false,
      true,
      true,
    ]);
    expect((await anthropicClient(chunks)).items).toEqual([
      { type: 'message_start' },
      { type: 'content_block_delta', t: 'x' },
    ]);
    expect((await openaiClient(chunks)).items).toEqual([
      { type: 'message_start' },
      { type: 'content_block_delta', t: 'x' },
      { choices: [{ delta: { content: 'x' } }] },
    ]);
  });

  it('2: openai throws on a named event without data, Anthropic skips it', async () => {
    const chunks = [Buffer.from('event: e\n\nevent: e\ndata: {"a":1}\n\n')];
    expect(await openaiClient(chunks)).toEqual({ items: [], throws: true });
    expect(await anthropicClient(chunks)).toEqual({ items: [{ a: 1 }], throws: false });
  });

  it('3: Anthropic yields an event named ""', async () => {
    const chunks = [Buffer.from('event:\ndata: {"a":1}\n\n')];
    expect(await anthropicClient(chunks)).toEqual({ items: [{ a: 1 }], throws: false });
  });

  it('4: ollama strips a leading byte-order mark; Coalmine keeps it (and fails closed)', async () => {
    const chunks = chunked(Buffer.from('\uFEFF{"a":1,"done":true}\n'), [1]);
    expect(await ollamaClient(chunks)).toEqual({ items: [{ a: 1, done: true }], throws: false });
    expect(frameAll('ndjson', chunks).frames).toEqual([ev(undefined, '\uFEFF{"a":1,"done":true}')]);
  });

  it('5: ollama skips a line that is not JSON (a lone CR does not end a line)', async () => {
    const chunks = [Buffer.from('{"a":1}\r{"b":2}\n{"done":true}\n')];
    expect(await ollamaClient(chunks)).toEqual({ items: [{ done: true }], throws: false });
    expect(frameAll('ndjson', chunks).frames.map((f) => f.data)).toEqual([
      '{"a":1}\r{"b":2}',
      '{"done":true}',
    ]);
  });
});
