/**
 * Every log event Coalmine writes: its stable name, level, when it is written, its fields and
 * how repeats are limited, in one place. The README's event table is generated from it (`npm
 * run docs`), a test holds every event name written in `src/` to it, and the e2e log test holds
 * every field of every line to the event's documented fields.
 *
 * Every line also has `time` (RFC 3339, UTC), `level`, `event` and `msg`. No field carries a
 * prompt, an output, a rule's detail or a credential; upstream-controlled strings (a reported
 * model or fingerprint) are cut to 120 characters; `model` is the bounded label of the
 * metrics (a configured or canaried model, else `other`), never the raw requested name.
 */
import type { LogLevel } from '../model/log.js';

export interface LogEventSpec {
  /** The levels it is written at (several when it depends, see `when`). */
  levels: readonly LogLevel[];
  when: string;
  /** Field name → meaning. */
  fields: Readonly<Record<string, string>>;
  /**
   * Repeats of one event with the same values of these fields are limited (see `RATE_LIMIT`);
   * absent: never limited (lines bounded by configuration or by operator actions).
   */
  limitBy?: readonly string[];
}

const REQUEST_ID = 'the request id (`x-request-id`: the client’s if well-formed, else a UUID)';
const UPSTREAM = 'configured upstream name (`none` when no upstream matched)';
const MODEL = 'the requested model as a bounded label: configured or canaried, else `other`';
const ORIGIN =
  '`here` (this replica entered or released it) or `shared` (another replica did, `state.backend: redis`)';
const RULE = {
  request_id: REQUEST_ID,
  upstream: UPSTREAM,
  model: MODEL,
  policy: 'policy name',
  rule: 'rule id',
  check: 'check id',
  mode: '`enforce` or `shadow`',
  source: '`live` or `canary`',
} as const;

export const LOG_EVENTS = {
  listening: {
    levels: ['info'],
    when: 'The listeners are up.',
    fields: {
      proxy: 'traffic listener URL',
      admin: 'admin listener URL',
      config: 'configuration file, or `defaults`',
      upstreams: 'number of upstreams',
      policies: 'number of policies loaded',
      policy_version: 'the policy set version serving',
      version: 'Coalmine version',
    },
  },
  sim_listening: {
    levels: ['info'],
    when: '`coalmine sim`: the simulator is up.',
    fields: { url: 'the simulator’s URL' },
  },
  config_loaded: {
    levels: ['debug'],
    when: 'At start: what the configuration amounts to (no URLs, no keys).',
    fields: {
      upstreams:
        'each upstream as `name provider prefix`, with `api_key` appended when one is configured',
      policy_files: 'policy patterns configured (`default` for the shipped pack)',
      canaries: 'number of canaries loaded',
      access_log: 'whether `log.access` is on',
    },
  },
  no_upstream_configured: {
    levels: ['warn'],
    when: 'No upstream is configured: the built-in simulator answers instead.',
    fields: { simulator: 'the simulator’s URL' },
  },
  config_warning: {
    levels: ['warn'],
    when: 'A configuration file loaded with a warning (e.g. a canary baseline without a key).',
    fields: {},
  },
  canaries_loaded: {
    levels: ['info'],
    when: 'At start, when canaries are configured.',
    fields: { canaries: 'number of canaries', scheduled: 'whether they run on their schedules' },
  },
  draining: {
    levels: ['info'],
    when: 'Shutdown began: the traffic listener stopped accepting.',
    fields: { inflight: 'requests in flight', grace_ms: 'how long they are given' },
  },
  stopped: {
    levels: ['info'],
    when: 'Shutdown finished.',
    fields: { abandoned: 'requests still in flight when the grace period ended' },
  },
  canary_result: {
    levels: ['warn', 'info', 'debug'],
    when: 'A canary run ended with another result than its previous run (its first run counts as a change): `warn` when it failed or errored, `info` when it passed. Runs that did not change the result: `debug`.',
    fields: {
      canary: 'canary id',
      upstream: UPSTREAM,
      model: 'the canary’s model (configured)',
      result: '`pass`, `fail` or `error` (`blocked` runs are `canary_blocked`)',
      previous: 'the previous run’s result (absent on the first run)',
      p_value: 'distribution and logprob probes: the permutation test’s p-value',
      evidence: 'sequential distribution probes: the running evidence after the run',
      reason: 'why it failed or errored, never quoting the answer',
      tokens: 'tokens the run cost',
      duration_ms: 'how long the run took',
    },
    limitBy: ['canary'],
  },
  canary_blocked: {
    levels: ['warn', 'debug'],
    when: 'A Coalmine policy blocked a canary’s answer, so the run could not judge the model (result `blocked`; not a model failure, and no quarantine unless `quarantine.on` lists `canary_blocked`). `warn` when the previous run was not blocked, else `debug`.',
    fields: {
      canary: 'canary id',
      upstream: UPSTREAM,
      model: 'the canary’s model (configured)',
      result: '`blocked`',
      previous: 'the previous run’s result (absent on the first run)',
      p_value: 'absent',
      evidence: 'absent',
      reason: 'the policy and rule that blocked the answer',
      tokens: 'tokens the run cost',
      duration_ms: 'how long the run took',
    },
    limitBy: ['canary'],
  },
  state_backend_down: {
    levels: ['error'],
    when: 'The shared state backend (Redis) was lost, or did not answer at start: this replica serves its last known state (quarantine) and retries.',
    fields: { backend: '`redis`', error: 'the connection error, when there was one' },
  },
  state_backend_up: {
    levels: ['info'],
    when: 'The shared state backend (Redis) is connected; changes made here meanwhile are written, then the stored state is loaded.',
    fields: { backend: '`redis`' },
  },
  canary_lease: {
    levels: ['info', 'warn'],
    when: "This replica started or stopped running the canary schedule (`state.backend: redis`): it took the canary lease (`held`), another replica holds it (`follower`), or Redis has been unreachable for a lease's time and it runs the canaries itself (`standalone`, warn).",
    fields: {
      replica: "this replica's id (host name, process id, random suffix)",
      mode: '`held`, `follower` or `standalone`',
    },
  },
  quarantine_entered: {
    levels: ['warn'],
    when: 'A model was put in quarantine.',
    fields: {
      upstream: UPSTREAM,
      model: MODEL,
      reason: '`canary_failure`, `canary_blocked`, `identity_mismatch` or `fingerprint_change`',
      canary: 'the canary that put it there, when one did',
      origin: ORIGIN,
    },
  },
  quarantine_released: {
    levels: ['info'],
    when: 'An operator released a model (`POST /admin/quarantine/release`), on this replica or, with `state.backend: redis`, on another.',
    fields: {
      upstream: UPSTREAM,
      model: MODEL,
      reason: 'why it had been quarantined',
      canary: 'the canary that had put it there, when one did',
      by: 'the admin token’s configured name (`admin` for `admin.token`)',
      origin: ORIGIN,
    },
  },
  identity_mismatch: {
    levels: ['warn'],
    when: 'A response reported another model than the pin (or than the first one seen).',
    fields: {
      request_id: REQUEST_ID,
      upstream: UPSTREAM,
      model: MODEL,
      reported_model: 'the model the upstream reported (first 120 characters)',
      source: RULE.source,
    },
    limitBy: ['upstream', 'model'],
  },
  fingerprint_changed: {
    levels: ['warn'],
    when: 'A response carried a system fingerprint that is not pinned, or changed from the last one seen.',
    fields: {
      request_id: REQUEST_ID,
      upstream: UPSTREAM,
      model: MODEL,
      fingerprint: 'the fingerprint the upstream reported (first 120 characters)',
      source: RULE.source,
    },
    limitBy: ['upstream', 'model'],
  },
  policy_reloaded: {
    levels: ['info', 'debug'],
    when: 'A policy set was loaded: on every successful reload (file watcher, SIGHUP, `POST /admin/reload`) at `info`; the first load at start at `debug`, without `previous_version` (`listening` carries its version).',
    fields: {
      version: 'the version now serving',
      previous_version: 'the version that served before',
    },
    limitBy: [],
  },
  policy_files_changed: {
    levels: ['debug'],
    when: 'The file watcher saw a policy file change; a reload follows.',
    fields: {},
  },
  policy_reload_failed: {
    levels: ['error'],
    when: 'A reload was refused; the previous set keeps serving.',
    fields: {
      version: 'the version still serving',
      result: '`failure` (invalid) or `file_removed` (it would drop a loaded file)',
      issues: 'what is wrong, as `file:line:col: message` (operator files)',
    },
    limitBy: ['result'],
  },
  upstream_error: {
    levels: ['warn'],
    when: 'An upstream call failed: connect, timeouts, a malformed or broken body, or a 5xx status.',
    fields: {
      request_id: REQUEST_ID,
      upstream: UPSTREAM,
      model: MODEL,
      reason: 'the error code, lower-cased (`upstream_connect_failed`, …) or `upstream_5xx`',
      status: 'the status the client was answered (the upstream’s, for a 5xx)',
      source: RULE.source,
    },
    limitBy: ['upstream', 'reason'],
  },
  internal_error: {
    levels: ['error'],
    when: 'A fault in the proxy itself ended a request (answered 500, or the stream cut).',
    fields: {
      request_id: REQUEST_ID,
      error: 'what failed: the error’s class and first stack frame (never its message)',
    },
    limitBy: [],
  },
  response_blocked: {
    levels: ['warn'],
    when: 'A policy blocked a response (before or mid-stream).',
    fields: { ...RULE, status: 'the status the client was answered' },
    limitBy: ['upstream', 'model', 'policy', 'rule'],
  },
  response_redacted: {
    levels: ['info'],
    when: 'A rule redacted part of a response: one line per rule that did.',
    fields: RULE,
    limitBy: ['upstream', 'model', 'policy', 'rule'],
  },
  response_flagged: {
    levels: ['debug'],
    when: 'A rule flagged a response, or would have acted in shadow mode (`action` says what it would have done).',
    fields: { ...RULE, action: '`flag`, or in shadow mode what would have been done' },
    limitBy: ['upstream', 'model', 'policy', 'rule'],
  },
  check_error: {
    levels: ['warn'],
    when: 'A check threw on a response; `on_error` decided what happened.',
    fields: RULE,
    limitBy: ['policy', 'rule'],
  },
  stream_aborted: {
    levels: ['warn', 'info'],
    when: 'A stream ended before the upstream finished it: `info` when the client went away or a policy cut it, else `warn`.',
    fields: {
      request_id: REQUEST_ID,
      upstream: UPSTREAM,
      model: MODEL,
      reason:
        '`client_disconnect`, `upstream_error`, `policy_block`, `timeout`, `too_large` or `internal`',
      source: RULE.source,
    },
    limitBy: ['upstream', 'reason'],
  },
  admin_auth_failed: {
    levels: ['warn'],
    when: 'A call to `/admin/*` carried no admin token or a wrong one (the value is never logged).',
    fields: { remote: 'the peer’s address' },
    limitBy: ['remote'],
  },
  admin_action: {
    levels: ['info'],
    when: 'An authorised call changed state (a `POST` on the admin API).',
    fields: {
      action: 'the route, e.g. `POST /admin/quarantine/release`',
      actor: 'the admin token’s configured name',
      remote: 'the peer’s address',
      status: 'the status answered',
    },
  },
  request: {
    levels: ['info', 'debug'],
    when: 'Every request when `log.access: true` (`info`); at `debug` level, every request anyway. Never limited.',
    fields: {
      request_id: REQUEST_ID,
      method: 'HTTP method',
      path: 'the route’s path after the upstream prefix, no query; on routes no adapter serves, segments with a digit or over 24 characters read `*`',
      route: 'adapter id (`openai.chat`, …) or `passthrough`',
      upstream: UPSTREAM,
      model: MODEL,
      status: 'HTTP status answered (499: the client went away)',
      decision: '`pass`, `flag`, `redact`, `block` or `quarantined`',
      duration_ms: 'arrival to the end of the response',
      stream: 'whether the response streamed',
      source: RULE.source,
      error_code: 'the stable error code when the proxy answered an error of its own',
    },
  },
  rules_evaluated: {
    levels: ['debug'],
    when: 'Policies were evaluated on a response: every rule’s result, no content.',
    fields: {
      request_id: REQUEST_ID,
      policy_version: 'the policy set version',
      decision: 'the decision',
      rules: '`policy/rule=status` per rule evaluated (first 50)',
    },
  },
  events_suppressed: {
    levels: ['error', 'warn', 'info', 'debug'],
    when: 'Repeats of an event were held back by the rate limit: how many, once its window closed (or when the next one was let through, or at shutdown), at the level of the event held back. Never silent.',
    fields: {
      suppressed_event: 'the event held back',
      count: 'lines held back',
      window_s: 'the window, in seconds',
      '…': 'the fields it is limited by, with their values',
    },
  },
} as const satisfies Record<string, LogEventSpec>;

export type LogEventName = keyof typeof LOG_EVENTS;

/** Repeats per event and limiting key: `burst` lines per `windowMs`, the rest counted. */
export const RATE_LIMIT = { burst: 10, windowMs: 10_000, maxKeys: 10_000 } as const;

/** The README's event table (markdown). */
export function logEventsTable(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const rows = Object.entries(LOG_EVENTS).map(([name, s]: [string, LogEventSpec]) => {
    const fields = Object.entries(s.fields)
      .map(([f, d]) => `\`${f}\`: ${cell(d)}`)
      .join('; ');
    const limit =
      s.limitBy === undefined
        ? 'never'
        : s.limitBy.length
          ? s.limitBy.map((f) => `\`${f}\``).join(', ')
          : 'event';
    return `| \`${name}\` | ${s.levels.join(', ')} | ${cell(s.when)} | ${fields || '–'} | ${limit} |`;
  });
  return [
    '| event | level | when | fields | limited per |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
