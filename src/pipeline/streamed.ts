/**
 * A streamed 2xx answer on an adapter route: relayed event by event through the gate (the
 * enforcing rules), then judged whole at its end for the flag and shadow rules and the
 * verdict the telemetry records.
 */
import { pipeline as pipeStreams } from 'node:stream';
import type { Readable } from 'node:stream';
import type { CompiledPolicy, PolicySet } from '../policy/compiled.js';
import { selectPolicies } from '../policy/engine.js';
import { gateRules } from '../policy/gate-rules.js';
import type { GateRule } from '../policy/gate-rules.js';
import type { UpstreamResponse } from '../upstream/client.js';
import { toClientHeaders } from '../upstream/headers.js';
import type { Framing } from '../adapters/framing.js';
import { Accumulator } from './accumulate.js';
import { decodeStream, encodingOf } from './decode.js';
import { describe } from './describe.js';
import { checkTexts } from './error-text.js';
import type { Exchange } from './exchange.js';
import { firstByte } from './exchange.js';
import { describeFault, isUpstreamFault, wireError } from './faults.js';
import { GatedEmitter } from './gated-emitter.js';
import { blockHead } from './actions.js';
import { DeferredHead } from './deferred-head.js';
import { relayStream } from './stream.js';
import { IdentityHeldWriter, quarantinedError, streamIdentity } from './identity-hold.js';

/**
 * Bytes a stream holds while waiting for the event that names its model (every provider sends
 * it first); past them it flows, and a quarantining model is ended in-band when it shows.
 */
const IDENTITY_WAIT_BYTES = 64 * 1024;

/** The gate rules of a selection of policies, computed once per loaded set and selection. */
const gateCache = new WeakMap<PolicySet, Map<string, GateRule[]>>();
function streamRules(set: PolicySet, selected: readonly CompiledPolicy[]): GateRule[] {
  let bySelection = gateCache.get(set);
  if (!bySelection) gateCache.set(set, (bySelection = new Map<string, GateRule[]>()));
  const key = selected.map((p) => p.name).join('\u0000');
  let rules = bySelection.get(key);
  if (!rules) bySelection.set(key, (rules = gateRules(selected)));
  return rules;
}

export async function answerStream(
  x: Exchange,
  res: UpstreamResponse,
  framing: Framing,
): Promise<void> {
  const { deps, rec, info, out } = x;
  rec.stream = true;
  const enc = encodingOf(res.headers['content-encoding']);
  const source: Readable = enc ? pipeStreams(res.body, decodeStream(enc), () => {}) : res.body;
  const acc = new Accumulator(deps.checkLimits.maxScanChars);
  const rules = streamRules(x.policySet, selectPolicies(x.policySet, x.upstream.name, info.model));
  // With enforcing rules the head waits for the first released byte: a block before it is
  // answered as a plain error, with its status and `x-coalmine-decision: block`. When the
  // model's identity can quarantine it, the writes also wait for the event naming the model.
  const identity = streamIdentity(x, acc);
  const head = rules.length || identity ? new DeferredHead(out) : out;
  head.head(res.status, toClientHeaders(res.headers, { decoded: !!enc, extra: x.ours }));
  const stream = identity ? new IdentityHeldWriter(head, identity, IDENTITY_WAIT_BYTES) : head;
  const gate = rules.length
    ? new GatedEmitter(
        {
          rules,
          request: info,
          window: deps.streamWindow,
          maxHeld: deps.checkLimits.maxScanChars,
        },
        x.adapter,
        (c) => acc.toolCalls(c),
        (chunk) => {
          firstByte(x);
          return stream.write(chunk);
        },
      )
    : undefined;
  const result = await relayStream({
    source,
    framing,
    adapter: x.adapter,
    out: stream,
    acc,
    limit: deps.limits.responseBody,
    signal: x.abort,
    abortUpstream: (reason) => x.abort.abort(reason),
    onFirstWrite: () => firstByte(x),
    onChunk: (s) => {
      if (rec.chunkSeconds.length < 1000) rec.chunkSeconds.push(s);
    },
    gate,
    checkError: x.policySet.policies.length
      ? (texts) => checkTexts(texts, (r) => x.check(r))
      : undefined,
    answerBlock: (err) => {
      if (!(head instanceof DeferredHead) || !head.open) return false;
      const body = x.adapter.errorBody(err);
      x.ours['x-coalmine-decision'] = 'block';
      rec.status = err.status;
      head.replace(err.status, blockHead(body, x.ours), body);
      return true;
    },
    identity,
    quarantine: (reason) => {
      const err = quarantinedError(x, x.upstream.name, reason);
      if (!(head instanceof DeferredHead) || !head.open) return { err, answered: false };
      const body = x.adapter.errorBody(wireError(err));
      rec.status = err.status;
      head.replace(err.status, blockHead(body, x.ours), body);
      return { err, answered: true };
    },
  });
  x.times.upstreamEnd = performance.now();
  x.span.endUpstream(res.status, acc.response, result.error?.code.toLowerCase());
  describe(rec, acc.response, deps.identity);
  // The gate enforced block/redact rules on the way; flag and shadow rules, and the verdict
  // the telemetry records, need one pass over the whole answer at the end. A block of the
  // gate, or of an in-band upstream error's message, decided the stream.
  const blockedBy = gate?.blocked ?? result.errorBlockedBy;
  const verdict =
    x.check(acc.response) ??
    (blockedBy
      ? {
          decision: 'block' as const,
          policyVersion: x.policySet.version,
          results: [blockedBy],
          blockedBy,
        }
      : undefined);
  if (verdict) {
    x.span.evaluation(verdict, x.policySet.version, acc.response.id);
    if (blockedBy) {
      verdict.decision = 'block';
      verdict.blockedBy ??= blockedBy;
    }
    rec.verdict = verdict;
  }
  rec.abortReason = result.abortReason;
  if (result.error) {
    rec.errorCode = result.error.code;
    if (result.error.code === 'INTERNAL')
      deps.log.write('error', 'internal_error', 'request failed', {
        request_id: x.requestId,
        error: describeFault(result.error),
      });
    else if (isUpstreamFault(result.error.code))
      rec.upstreamError = result.error.code.toLowerCase();
    if (result.abortReason === 'client_disconnect') rec.status = 499;
  }
}
