/**
 * Carrying out a verdict on a complete (non-streamed) response: block answers with the
 * provider's error body, redact re-serialises the body with the spans replaced, anything
 * else relays the upstream's bytes untouched.
 */
import type { WireAdapter, WireError } from '../adapters/types.js';
import type { RuleResult, Verdict } from '../model/verdict.js';
import { blockMessage } from '../policy/engine.js';
import { redactChoices } from '../policy/redact.js';
import type { NormalisedResponse } from '../model/exchange.js';
import type { UpstreamResponse } from '../upstream/client.js';
import { toClientHeaders } from '../upstream/headers.js';
import type { ResponseWriter } from './io.js';

export function blockError(by: RuleResult | undefined): WireError {
  return {
    status: 400,
    message: by ? blockMessage(by) : 'Coalmine blocked this response',
    type: 'policy_violation',
    code: 'coalmine_policy_violation',
  };
}

export interface BufferedReply {
  out: ResponseWriter;
  upstream: UpstreamResponse;
  adapter: WireAdapter;
  /** The upstream body as received (maybe compressed). */
  raw: Buffer;
  /** The decoded, parsed body and its normalised form. */
  body: unknown;
  normalised: NormalisedResponse;
  verdict: Verdict | undefined;
  /** Coalmine's own response headers (request id, decision, policy version). */
  ours: Record<string, string>;
}

export function sendBuffered(r: BufferedReply): void {
  const decision = r.verdict?.decision ?? 'pass';
  if (decision === 'block' && r.verdict) {
    const body = r.adapter.errorBody(blockError(r.verdict.blockedBy));
    r.out.head(400, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'x-should-retry': 'false',
      ...r.ours,
    });
    r.out.end(body);
    return;
  }
  if (decision === 'redact' && r.verdict) {
    const edits = redactChoices(r.normalised.choices, r.verdict.results);
    const body = Buffer.from(JSON.stringify(r.adapter.rewriteResponse(r.body, edits)));
    r.out.head(r.upstream.status, {
      ...toClientHeaders(r.upstream.headers, { decoded: true, extra: r.ours }),
      'content-length': String(body.length),
    });
    r.out.end(body);
    return;
  }
  r.out.head(r.upstream.status, {
    ...toClientHeaders(r.upstream.headers, { decoded: false, extra: r.ours }),
    'content-length': String(r.raw.length),
  });
  r.out.end(r.raw);
}
