/**
 * Nothing from a model that quarantines itself reaches a client (upstream `quarantine.action:
 * block` with an identity trigger). Quarantine is entered from the telemetry record when the
 * response is over; the answer in which the change is seen is refused right away: buffered,
 * before it is sent; streamed, before its first byte (the stream waits for the event naming
 * the model), or with the in-band error when the model only shows after bytes went out.
 */
import type { QuarantineEvent } from '../canary/quarantine.js';
import { CoalmineError } from '../errors.js';
import type { Accumulator } from './accumulate.js';
import type { Exchange } from './exchange.js';
import type { ResponseWriter } from './io.js';
import { WriterWrapper } from './writer-wrapper.js';

/** The error live traffic to a quarantined model gets (423 `model_quarantined`). */
export function quarantinedError(
  x: Pick<Exchange, 'ours'>,
  upstream: string,
  reason: QuarantineEvent,
): CoalmineError {
  x.ours['x-coalmine-decision'] = 'quarantined';
  x.ours['x-coalmine-quarantined'] = reason;
  return new CoalmineError(
    'MODEL_QUARANTINED',
    `this model on upstream "${upstream}" is quarantined (${reason.replace('_', ' ')}) until an operator releases it`,
  );
}

/** Why a live answer that showed `identity` must be refused, if it must. */
export function identityHold(
  x: Pick<Exchange, 'deps' | 'rec' | 'upstream'>,
  identity: { mismatch: boolean; fingerprintChanged: boolean } | undefined,
): QuarantineEvent | undefined {
  if (!identity || x.rec.source !== 'live') return undefined;
  return x.deps.quarantine?.holds(x.upstream.name, identity);
}

/** What a stream's events so far say: wait for the model, let it flow, or refuse it. */
export type StreamIdentity = 'wait' | 'pass' | { hold: QuarantineEvent };

/**
 * The identity verdict of a live stream from its accumulated events, decided once the model is
 * known; undefined when identity cannot hold this stream back (then nothing waits).
 */
export function streamIdentity(x: Exchange, acc: Accumulator): (() => StreamIdentity) | undefined {
  const { deps, rec, upstream, info } = x;
  if (rec.source !== 'live' || !deps.identity || !deps.quarantine?.watches(upstream.name))
    return undefined;
  const identity = deps.identity;
  let decided: StreamIdentity | undefined;
  return () => {
    if (decided) return decided;
    const r = acc.response;
    if (r.model === undefined) return 'wait';
    const outcome = identity.check({
      upstream: upstream.name,
      requested: info.model,
      model: r.model,
      fingerprint: r.fingerprint,
    });
    const reason = identityHold(x, outcome);
    decided = reason ? { hold: reason } : 'pass';
    return decided;
  };
}

/**
 * Holds a stream's writes until its identity is decided: released in order once it passes
 * (or once `maxBytes` are held without the model showing: the stream then flows, checked at
 * every later event), dropped when it is refused. The relay ends a refused stream itself.
 */
export class IdentityHeldWriter extends WriterWrapper {
  private held: (Buffer | string)[] | undefined = [];
  private heldBytes = 0;

  constructor(
    out: ResponseWriter,
    private readonly verdict: () => StreamIdentity,
    private readonly maxBytes: number,
  ) {
    super(out);
  }

  private release(): boolean {
    const held = this.held ?? [];
    this.held = undefined;
    let ok = true;
    for (const c of held) ok = this.out.write(c);
    return ok;
  }

  override write(chunk: Buffer | string): boolean {
    if (!this.held) return this.out.write(chunk);
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    const v = this.verdict();
    if (v === 'pass' || (v === 'wait' && this.heldBytes > this.maxBytes)) return this.release();
    return true;
  }

  override end(chunk?: Buffer | string): void {
    if (this.held) {
      if (typeof this.verdict() === 'object') {
        this.held = [];
        this.out.end(chunk);
        return;
      }
      this.release();
    }
    this.out.end(chunk);
  }
}
