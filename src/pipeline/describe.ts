/** What the telemetry records of a response: identity, usage, finish reasons, output size. */
import type { IdentityTracker } from '../canary/identity.js';
import type { NormalisedResponse } from '../model/exchange.js';
import type { RequestRecord } from '../model/sink.js';
import { looksLikeRefusal } from '../policy/checks/refusal.js';

export function describe(
  rec: RequestRecord,
  r: NormalisedResponse,
  identity: IdentityTracker | undefined,
): void {
  if (identity && rec.upstream !== 'none') {
    const o = identity.observe({
      upstream: rec.upstream,
      requested: rec.requestModel,
      model: r.model,
      fingerprint: r.fingerprint,
    });
    rec.identity = o;
  }
  rec.responseModel = r.model;
  rec.responseFingerprint = r.fingerprint;
  rec.usage = r.usage;
  let chars = 0;
  let refused = false;
  for (const c of r.choices) {
    if (!c) continue;
    if (c.finishReason) rec.finishReasons.push(c.finishReason);
    chars += c.text.length + (c.refusal?.length ?? 0);
    for (const t of c.toolCalls) chars += t.arguments.length;
    // Refusals feed the live drift signals only: canary probes (refusal probes!) skip the scan.
    refused ||=
      c.finishReason === 'refusal' ||
      !!c.refusal ||
      (rec.source === 'live' && looksLikeRefusal(c.text));
  }
  rec.output = { chars, refused };
}
