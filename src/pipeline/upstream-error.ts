/**
 * An upstream error (or any other non-2xx) on an adapter route while policies are loaded: the
 * SDKs raise it with its text, so that is checked like the answer's (error-text.ts). Read
 * within the response limit.
 */
import type { UpstreamResponse } from '../upstream/client.js';
import { errorBodyTexts, sendUpstreamError } from './actions.js';
import { readDecoded } from './decode.js';
import { checkTexts } from './error-text.js';
import type { Exchange } from './exchange.js';

export async function answerUpstreamError(x: Exchange, res: UpstreamResponse): Promise<void> {
  const { raw, text: decoded } = await readDecoded(
    res.body,
    res.headers['content-encoding'],
    x.deps.limits.responseBody,
  );
  x.times.upstreamEnd = performance.now();
  x.span.endUpstream(res.status, undefined, undefined);
  const error = errorBodyTexts(decoded);
  const checked = checkTexts(error.texts, (r) => x.check(r));
  const verdict = checked.verdict;
  if (verdict) {
    x.span.evaluation(verdict, x.policySet.version, undefined);
    x.rec.verdict = verdict;
    x.ours['x-coalmine-decision'] = verdict.decision;
  }
  x.times.clientFirst = performance.now();
  sendUpstreamError({
    out: x.out,
    upstream: res,
    adapter: x.adapter,
    raw,
    error,
    checked,
    ours: x.ours,
  });
}
