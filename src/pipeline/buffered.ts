/** A complete (non-streamed) 2xx answer on an adapter route: read, parse, check, answer. */
import { parseJson } from '../adapters/read.js';
import { CoalmineError } from '../errors.js';
import type { UpstreamResponse } from '../upstream/client.js';
import { sendBuffered } from './actions.js';
import { readDecoded } from './decode.js';
import { describe } from './describe.js';
import type { Exchange } from './exchange.js';
import { identityHold, quarantinedError } from './identity-hold.js';

export async function answerBuffered(x: Exchange, res: UpstreamResponse): Promise<void> {
  const { raw, text } = await readDecoded(
    res.body,
    res.headers['content-encoding'],
    x.deps.limits.responseBody,
  );
  x.times.upstreamEnd = performance.now();
  const body = parseJson(text.toString('utf8'));
  const normalised = x.adapter.parseResponse(body);
  if (!normalised)
    throw new CoalmineError(
      'UPSTREAM_MALFORMED_BODY',
      'upstream returned a malformed response body',
    );
  x.span.endUpstream(res.status, normalised, undefined);
  describe(x.rec, normalised, x.deps.identity);
  const hold = identityHold(x, x.rec.identity);
  if (hold) throw quarantinedError(x, x.upstream.name, hold);
  const verdict = x.check(normalised);
  if (verdict) {
    x.span.evaluation(verdict, x.policySet.version, normalised.id);
    x.rec.verdict = verdict;
    x.ours['x-coalmine-decision'] = verdict.decision;
    if (verdict.decision === 'block') x.rec.status = 400;
  }
  x.times.clientFirst = performance.now();
  sendBuffered({
    out: x.out,
    upstream: res,
    adapter: x.adapter,
    raw,
    body,
    normalised,
    verdict,
    ours: x.ours,
  });
}
