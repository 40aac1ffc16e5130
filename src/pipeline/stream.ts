/**
 * Relays an upstream stream to the client frame by frame: the framer cuts complete frames,
 * the adapter turns each into normalised events, and the frames' original bytes are
 * forwarded. A frame is written only once it is complete and parsed, so that an in-band
 * error can always follow cleanly: a broken, malformed or timed-out upstream stream ends
 * with the provider's error event and a clean end — never a reset, never a silent cut.
 */
import type { Readable } from 'node:stream';
import type { Framing } from '../adapters/framing.js';
import { createFramer } from '../adapters/framing.js';
import type { FrameBatch } from '../adapters/framing.js';
import type { Frame, StreamPosition, WireAdapter, WireError } from '../adapters/types.js';
import { CoalmineError, isCoalmineError } from '../errors.js';
import type { StreamAbortReason } from '../model/sink.js';
import type { Abort } from '../upstream/abort.js';
import type { Accumulator } from './accumulate.js';
import type { RuleResult } from '../model/verdict.js';
import { blockError } from './actions.js';
import type { CheckedTexts } from './error-text.js';
import type { GatedEmitter } from './gated-emitter.js';
import type { ResponseWriter } from './io.js';
import type { QuarantineEvent } from '../canary/quarantine.js';
import type { StreamIdentity } from './identity-hold.js';
import { wireError } from './faults.js';

const EMPTY = Buffer.alloc(0);
/** An in-band upstream error message is relayed up to this many characters. */
const MAX_ERROR_CHARS = 4096;

export interface RelayOptions {
  source: Readable;
  framing: Framing;
  adapter: WireAdapter;
  out: ResponseWriter;
  acc: Accumulator;
  /** Decoded bytes the stream may carry (`limits.response_body`); past it, RESPONSE_TOO_LARGE. */
  limit: number;
  /** Aborted on client disconnect or total timeout; its reason says which. */
  signal: Abort;
  /** Stops the upstream request (used when the proxy ends the stream itself). */
  abortUpstream(reason: CoalmineError): void;
  /** Called once, just before the first byte is written to the client. */
  onFirstWrite(): void;
  /** The time spent on one upstream chunk, from its arrival to the end of its writes. */
  onChunk?: (seconds: number) => void;
  /** Streaming enforcement; absent, frames are forwarded as they complete. */
  gate?: GatedEmitter | undefined;
  /**
   * Checks the message of an in-band upstream error before the client sees it (the SDKs raise
   * it). With it, the upstream's error frame is never relayed: the stream ends with Coalmine's
   * own in-band error carrying the checked (maybe redacted) message, or the block error.
   * Absent (no policies), the upstream's error frame is relayed as it came.
   */
  checkError?: ((texts: readonly string[]) => CheckedTexts) | undefined;
  /**
   * A block decided before any byte reached the client: answers it as a plain error and
   * returns true, or returns false (the head went out) for the in-band error.
   */
  answerBlock?: ((err: WireError) => boolean) | undefined;
  /** What the events so far say of the model's identity (see identity-hold.ts). */
  identity?: (() => StreamIdentity) | undefined;
  /**
   * The stream's model quarantines itself: returns the error, and whether it was answered as a
   * plain error (nothing had reached the client) or still needs the in-band one.
   */
  quarantine?: ((reason: QuarantineEvent) => { err: CoalmineError; answered: boolean }) | undefined;
}

export interface RelayResult {
  abortReason: StreamAbortReason | undefined;
  error: CoalmineError | undefined;
  /** The rule that blocked an in-band upstream error's message, if one did. */
  errorBlockedBy?: RuleResult | undefined;
}

function abortReasonOf(err: CoalmineError): StreamAbortReason {
  if (err.isTimeout) return 'timeout';
  if (err.code === 'RESPONSE_TOO_LARGE') return 'too_large';
  if (err.code === 'INTERNAL') return 'internal';
  return 'upstream_error';
}

function bodyError(e: unknown, signal: Abort): CoalmineError {
  if (signal.reason) return signal.reason;
  if (isCoalmineError(e)) return e;
  const code = (e as { code?: string } | undefined)?.code;
  if (code === 'UND_ERR_BODY_TIMEOUT')
    return new CoalmineError('UPSTREAM_IDLE_TIMEOUT', 'upstream stopped sending mid-stream', {
      cause: e,
    });
  return new CoalmineError('UPSTREAM_STREAM_BROKEN', 'upstream stream broke off', { cause: e });
}

export function relayStream(o: RelayOptions): Promise<RelayResult> {
  const framer = createFramer(o.framing);
  const parse = o.adapter.streamParser();
  let wrote = false;
  let finished = false;
  let gateFlowing = true;
  let received = 0;
  /** Without a gate: the last frame with data forwarded to the client. */
  let lastSent: Frame | undefined;
  const at = (): StreamPosition => ({ lastSent: o.gate ? o.gate.lastSent : lastSent });

  return new Promise((resolve) => {
    const finish = (r: RelayResult) => {
      if (finished) return;
      finished = true;
      o.source.removeAllListeners('data');
      resolve(r);
    };

    const failInBand = (err: CoalmineError) => {
      // The stream may already be over (a policy block ends it, then aborts the upstream).
      if (finished) return;
      if (o.signal.reason?.code === 'CLIENT_DISCONNECTED') {
        finish({ abortReason: 'client_disconnect', error: o.signal.reason });
        return;
      }
      if (!wrote) o.onFirstWrite();
      o.out.end(
        o.adapter.streamError(
          {
            status: err.status,
            message: err.message,
            type: err.code === 'INTERNAL' ? 'server_error' : 'upstream_error',
            code: err.code.toLowerCase(),
          },
          at(),
        ),
      );
      finish({ abortReason: abortReasonOf(err), error: err });
    };

    /** Ends the stream on a fault of our own: the client gets the in-band error, others go on. */
    const fault = (e: unknown) => {
      const err = new CoalmineError('INTERNAL', 'internal error while relaying the stream', {
        cause: e,
      });
      o.abortUpstream(err);
      try {
        failInBand(err);
      } catch {
        // Not even the error could be rendered: a reset is the only honest end left.
        o.out.abort();
        finish({ abortReason: 'internal', error: err });
      }
    };

    /**
     * Parses a batch; returns the bytes that may be forwarded now (none when a gate takes the
     * frames) and whether a frame was malformed.
     */
    const take = (batch: FrameBatch): { bytes: Buffer; bad: boolean; error?: string } => {
      let start = 0;
      /** The last frame with data of `batch.bytes[0, start)`, forwarded as is without a gate. */
      let last: Frame | undefined;
      const upTo = () => {
        if (o.gate) return EMPTY;
        if (last) lastSent = last;
        return batch.bytes.subarray(0, start);
      };
      for (const f of batch.frames) {
        const events = f.malformed ? undefined : parse(f);
        if (!events) return { bytes: upTo(), bad: true };
        for (const ev of events) if (!o.acc.add(ev)) return { bytes: upTo(), bad: true };
        const upstreamError = o.checkError && events.find((ev) => ev.type === 'error');
        if (upstreamError?.type === 'error')
          return { bytes: upTo(), bad: false, error: upstreamError.message };
        o.gate?.add(batch.bytes.subarray(start, f.end), f, events);
        if (o.gate?.malformed) return { bytes: EMPTY, bad: true };
        start = f.end;
        if (f.data !== undefined) last = f;
      }
      // The gate decides once per read, with every event of it in.
      if (o.gate && batch.frames.length && !o.gate.commit()) gateFlowing = false;
      if (o.gate) return { bytes: EMPTY, bad: false };
      if (last) lastSent = last;
      return { bytes: batch.bytes, bad: false };
    };

    const blocked = (): boolean => {
      const by = o.gate?.blocked;
      if (!by) return false;
      const err = blockError(by);
      o.abortUpstream(new CoalmineError('POLICY_BLOCKED', 'stream blocked by policy'));
      if (!wrote) o.onFirstWrite();
      if (!o.answerBlock?.(err)) o.out.end(o.adapter.streamError(err, at()));
      finish({ abortReason: 'policy_block', error: undefined });
      return true;
    };

    /** Ends a stream whose model turned out to quarantine itself; true if it did. */
    const quarantined = (): boolean => {
      const v = o.identity?.();
      if (v === undefined || typeof v !== 'object' || !o.quarantine) return false;
      const { err, answered } = o.quarantine(v.hold);
      o.abortUpstream(err);
      if (!wrote) o.onFirstWrite();
      if (!answered) o.out.end(o.adapter.streamError(wireError(err), at()));
      finish({ abortReason: 'quarantined', error: err });
      return true;
    };

    const forward = (bytes: Buffer): boolean => {
      if (!bytes.length) return true;
      if (!wrote) {
        wrote = true;
        o.onFirstWrite();
      }
      return o.out.write(bytes);
    };

    const malformed = () => {
      const err = new CoalmineError(
        'UPSTREAM_MALFORMED_BODY',
        'upstream sent a malformed stream event',
      );
      o.abortUpstream(err);
      failInBand(err);
    };

    /**
     * The upstream reported an error in-band: what the gate holds is final and goes out if it
     * passes, then the error — its message checked — ends the stream (see `checkError`).
     */
    const inBandError = (message: string) => {
      o.abortUpstream(
        new CoalmineError('UPSTREAM_STREAM_BROKEN', 'upstream reported an error in the stream'),
      );
      o.gate?.end();
      if (blocked()) return;
      if (o.gate?.malformed) return malformed();
      const checked = o.checkError!([message.slice(0, MAX_ERROR_CHARS)]);
      const by = checked.verdict?.decision === 'block' ? checked.verdict.blockedBy : undefined;
      if (!wrote) o.onFirstWrite();
      o.out.end(
        o.adapter.streamError(
          by
            ? blockError(by)
            : {
                status: 502,
                message: checked.texts[0] ?? '',
                type: 'upstream_error',
                code: 'upstream_error',
              },
          at(),
        ),
      );
      finish({
        abortReason: by ? 'policy_block' : 'upstream_error',
        error: undefined,
        errorBlockedBy: by,
      });
    };

    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > o.limit) {
        const err = new CoalmineError(
          'RESPONSE_TOO_LARGE',
          `upstream stream exceeds the ${o.limit}-byte limit`,
        );
        o.abortUpstream(err);
        return failInBand(err);
      }
      const t0 = performance.now();
      gateFlowing = true;
      const { bytes, bad, error } = take(framer.push(chunk));
      if (quarantined() || blocked()) return;
      const flowing = forward(bytes) && gateFlowing;
      o.onChunk?.((performance.now() - t0) / 1000);
      if (bad) return malformed();
      if (error !== undefined) return inBandError(error);
      if (!flowing) {
        o.source.pause();
        void o.out.drain().then(() => o.source.resume());
      }
    };

    const onEnd = () => {
      const { bytes, bad, error } = take(framer.end());
      if (quarantined() || blocked()) return;
      forward(bytes);
      if (bad) return malformed();
      if (error !== undefined) return inBandError(error);
      if (o.adapter.streamHasTerminator && !o.acc.done && !o.acc.upstreamError) {
        return failInBand(
          new CoalmineError(
            'UPSTREAM_STREAM_BROKEN',
            'upstream ended the stream before completing it',
          ),
        );
      }
      o.gate?.end();
      if (blocked()) return;
      if (o.gate?.malformed) return malformed();
      o.out.end();
      finish({ abortReason: undefined, error: undefined });
    };

    o.source.on('data', (chunk: Buffer) => {
      if (finished) return;
      try {
        onData(chunk);
      } catch (e) {
        fault(e);
      }
    });
    o.source.once('end', () => {
      if (finished) return;
      try {
        onEnd();
      } catch (e) {
        fault(e);
      }
    });

    o.source.once('error', (e) => failInBand(bodyError(e, o.signal)));
  });
}
