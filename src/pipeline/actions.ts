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
import { parseJson } from '../adapters/read.js';
import type { CheckedTexts } from './error-text.js';
import { jsonStrings, withStrings } from './error-text.js';

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

/** The head of a block answer: the provider's error body, never retried. */
export function blockHead(body: string, ours: Record<string, string>): Record<string, string> {
  return {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'x-should-retry': 'false',
    ...ours,
  };
}

export function sendBuffered(r: BufferedReply): void {
  const decision = r.verdict?.decision ?? 'pass';
  if (decision === 'block' && r.verdict) {
    const body = r.adapter.errorBody(blockError(r.verdict.blockedBy));
    r.out.head(400, blockHead(body, r.ours));
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

/**
 * The texts of an upstream error body that policies check (see error-text.ts): every string
 * of a JSON body, keys included, or the whole body text when it is not JSON (or has too many).
 */
export function errorBodyTexts(decoded: Buffer): ErrorTexts {
  const text = decoded.toString('utf8');
  const body = parseJson(text);
  const strings = jsonStrings(body);
  return strings ? { texts: strings, body, json: true } : { texts: [text], body, json: false };
}

export interface ErrorTexts {
  texts: string[];
  body: unknown;
  json: boolean;
}

export interface ErrorReply {
  out: ResponseWriter;
  upstream: UpstreamResponse;
  adapter: WireAdapter;
  /** The upstream error body as received (maybe compressed). */
  raw: Buffer;
  /** What `errorBodyTexts` read of it, and those texts as the client may see them. */
  error: ErrorTexts;
  checked: CheckedTexts;
  ours: Record<string, string>;
}

/**
 * An upstream error status (3xx–5xx) on an adapter route, after its texts were checked. The
 * status is kept: block replaces the body with the provider's error naming the rule; redact
 * rewrites each string (or the whole non-JSON body) in place; anything else relays the bytes.
 */
export function sendUpstreamError(r: ErrorReply): void {
  const verdict = r.checked.verdict;
  const decision = verdict?.decision ?? 'pass';
  const status = r.upstream.status;
  const send = (body: Buffer, contentType: string | undefined) => {
    const headers = toClientHeaders(r.upstream.headers, { decoded: true, extra: r.ours });
    if (contentType) headers['content-type'] = contentType;
    headers['content-length'] = String(body.length);
    r.out.head(status, headers);
    r.out.end(body);
  };
  if (decision === 'block' && verdict) {
    const err = { ...blockError(verdict.blockedBy), status };
    send(Buffer.from(r.adapter.errorBody(err)), 'application/json');
    return;
  }
  if (decision === 'redact') {
    const texts = r.checked.texts;
    const body = r.error.json ? JSON.stringify(withStrings(r.error.body, texts)) : texts[0]!;
    send(Buffer.from(body), r.error.json ? 'application/json' : undefined);
    return;
  }
  r.out.head(status, {
    ...toClientHeaders(r.upstream.headers, { decoded: false, extra: r.ours }),
    'content-length': String(r.raw.length),
  });
  r.out.end(r.raw);
}
