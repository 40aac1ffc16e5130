/**
 * Canaries the operator's own policies would stop: a canary whose expected answer a loaded
 * policy blocks can only ever report `blocked`, never judge its model. `policy lint` warns of
 * them, and so does `serve` at start.
 */
import { findAdapter } from '../adapters/registry.js';
import type { PolicySet } from '../policy/compiled.js';
import type { EngineLimits } from '../policy/engine.js';
import { evaluate } from '../policy/engine.js';
import type { Canary } from './loader.js';

const LIMITS: EngineLimits = { maxScanChars: 1_048_576, budgetMs: 1000 };

/** One warning per canary answer (`equals`, `one_of`) that the policies would block. */
export function blockedCanaryAnswers(canaries: readonly Canary[], set: PolicySet): string[] {
  const warnings: string[] = [];
  for (const c of canaries) {
    const answers = c.expect.flatMap((e) => e.answers ?? []);
    const adapter = answers.length ? findAdapter('POST', c.path) : undefined;
    if (!adapter) continue;
    const request = adapter.parseRequest({ ...c.request, model: c.model });
    for (const text of answers) {
      const v = evaluate(
        set,
        {
          upstream: c.upstream,
          request,
          response: {
            id: undefined,
            model: c.model,
            fingerprint: undefined,
            usage: undefined,
            choices: [{ index: 0, text, toolCalls: [], finishReason: 'stop' }],
          },
        },
        LIMITS,
      );
      const by = v.decision === 'block' ? v.blockedBy : undefined;
      if (by)
        warnings.push(
          `canary "${c.id}" (${c.file}): its expected answer ${JSON.stringify(text.slice(0, 80))} would be blocked by policy "${by.policy}" rule "${by.rule}"; the canary could only report "blocked"`,
        );
    }
  }
  return warnings;
}
