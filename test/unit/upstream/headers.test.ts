import { describe, expect, it } from 'vitest';
import {
  toClientHeaders,
  toUpstreamHeaders,
  upstreamAcceptEncoding,
} from '../../../src/upstream/headers.js';

describe('header hygiene', () => {
  it('drops hop-by-hop headers and those named in Connection, sets its own', () => {
    const out = toUpstreamHeaders(
      {
        host: 'proxy:8790',
        connection: 'keep-alive, x-secret-hop',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        te: 'trailers',
        upgrade: 'h2c',
        'proxy-authorization': 'Basic x',
        'x-secret-hop': '1',
        'content-length': '10',
        'content-type': 'application/json',
        authorization: 'Bearer sk-client',
        'x-request-id': 'client-id',
        'openai-organization': 'org-1',
      },
      { requestId: 'rid', auth: undefined, authHeaders: ['authorization', 'x-api-key'] },
    );
    expect(out).toEqual({
      'content-type': 'application/json',
      authorization: 'Bearer sk-client',
      'openai-organization': 'org-1',
      'accept-encoding': 'identity',
      'x-request-id': 'rid',
    });
  });

  it('replaces client credentials with the configured key', () => {
    const out = toUpstreamHeaders(
      { authorization: 'Bearer sk-client', 'x-api-key': 'client' },
      {
        requestId: 'r',
        auth: { authorization: 'Bearer sk-proxy' },
        authHeaders: ['authorization', 'x-api-key'],
      },
    );
    expect(out['authorization']).toBe('Bearer sk-proxy');
    expect(out['x-api-key']).toBeUndefined();
  });

  const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const OURS = '00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01';
  it.each([
    [
      "no tracing SDK: the client's trace context passes",
      undefined,
      { traceparent: TP, tracestate: 'a=1' },
    ],
    [
      "an SDK span: ours replaces the client's, state kept",
      { traceparent: OURS, tracestate: 'a=1' },
      { traceparent: OURS, tracestate: 'a=1' },
    ],
    ['an SDK span, no state', { traceparent: OURS }, { traceparent: OURS }],
  ])('trace context: %s', (_n, trace, expected) => {
    const out = toUpstreamHeaders(
      { traceparent: TP, tracestate: 'a=1' },
      { requestId: 'r', auth: undefined, authHeaders: [], trace },
    );
    expect({ traceparent: out['traceparent'], tracestate: out['tracestate'] }).toEqual({
      tracestate: undefined,
      ...expected,
    });
  });

  it.each([
    [undefined, undefined],
    ['gzip, deflate, br, zstd', 'gzip, br, deflate'],
    ['zstd', undefined],
    ['gzip;q=0, br', 'br'],
    ['*', 'gzip, br, deflate'],
  ])('accept-encoding %s → %s', (client, upstream) => {
    expect(upstreamAcceptEncoding(client)).toBe(upstream);
  });

  it('cleans response headers and drops content-encoding when the body is decoded', () => {
    const up = {
      'content-type': 'text/event-stream',
      'content-encoding': 'gzip',
      'transfer-encoding': 'chunked',
      connection: 'close',
      'content-length': '5',
      'x-ratelimit-remaining': '9',
    };
    expect(toClientHeaders(up, { decoded: true, extra: { 'x-request-id': 'r' } })).toEqual({
      'content-type': 'text/event-stream',
      'x-ratelimit-remaining': '9',
      'x-request-id': 'r',
    });
    expect(toClientHeaders(up, { decoded: false, extra: {} })['content-encoding']).toBe('gzip');
  });
});
