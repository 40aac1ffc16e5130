/**
 * Policy regexes run on attacker-controlled model output, so a pattern that can backtrack
 * catastrophically could hang the proxy. Patterns are analysed at load with recheck
 * (https://makenowjust-labs.github.io/recheck/) and rejected unless proven linear.
 */
import { checkSync } from 'recheck';

/** Why `pattern` is unacceptable, or undefined when it is a valid, linear-time pattern. */
export function safeRegexIssue(pattern: string, flags: string): string | undefined {
  try {
    new RegExp(pattern, flags);
  } catch (e) {
    return `invalid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
  const r = checkSync(pattern, flags, { timeout: 2000 });
  if (r.status === 'safe') return undefined;
  if (r.status === 'vulnerable') {
    const kind =
      r.complexity.type === 'polynomial'
        ? `polynomial (degree ${r.complexity.degree})`
        : 'exponential';
    return `pattern can take ${kind} time on hostile output (catastrophic backtracking); rewrite it without nested or overlapping quantifiers`;
  }
  return 'pattern could not be proven safe from catastrophic backtracking in time; simplify it';
}
