/**
 * `coalmine sim --help`: usage, the scenario directives (from the same table the parser
 * reads, so the two cannot disagree) and the simulator's routes.
 */
import { DIRECTIVES, directiveUsage } from './scenario.js';

/** The scenario directives, one per line: `  name=ARG   effect`. */
export function scenarioHelp(): string {
  const width = Math.max(...DIRECTIVES.map((d) => directiveUsage(d).length)) + 2;
  return DIRECTIVES.map((d) => `  ${directiveUsage(d).padEnd(width)}${d.effect}\n`).join('');
}

/**
 * What `coalmine sim --help` says after the CLI's usage and options: the wire formats, how
 * scenarios are given, the directives, examples.
 */
export function simDetails(): string {
  return `
The built-in simulated upstream: OpenAI chat/completions, completions, responses and
embeddings, Anthropic messages, Ollama chat and generate (streaming and not), plus
GET /v1/models and GET /api/tags. Default: 127.0.0.1:8792.

A scenario SPEC is a comma-separated list of directives, given per request with an
x-sim-scenario header or a [sim:SPEC] tag in the last user message, or for every request
with --scenario SPEC or POST /_sim/config {"scenario": "SPEC"}. An unknown directive is
answered with HTTP 400 in the wire format's error shape.

directives:
${scenarioHelp()}
examples:
  [sim:say] Hello there         answered with exactly "Hello there"
  [sim:slow=40,chunks=20] Hi    streamed in 20 events, 40 ms apart
  coalmine sim --scenario impostor

GET /_sim/stats reports requests seen and requests whose client went away.
`;
}
