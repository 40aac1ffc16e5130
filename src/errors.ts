/**
 * Errors with a stable `code`. Everything that can go wrong in the request path is one of
 * these; `http/error-response.ts` turns them into the provider's own error format in one place.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'REQUEST_BODY_TOO_LARGE'
  | 'REQUEST_BUDGET_EXHAUSTED'
  | 'REQUEST_INVALID_JSON'
  | 'REQUEST_INVALID_PATH'
  | 'REQUEST_BODY_TIMEOUT'
  | 'ROUTE_NOT_FOUND'
  | 'UPSTREAM_CONNECT_FAILED'
  | 'UPSTREAM_CONNECT_TIMEOUT'
  | 'UPSTREAM_FIRST_BYTE_TIMEOUT'
  | 'UPSTREAM_IDLE_TIMEOUT'
  | 'UPSTREAM_TOTAL_TIMEOUT'
  | 'UPSTREAM_MALFORMED_BODY'
  | 'RESPONSE_TOO_LARGE'
  | 'UPSTREAM_STREAM_BROKEN'
  | 'CLIENT_DISCONNECTED'
  | 'POLICY_BLOCKED'
  | 'MODEL_QUARANTINED'
  | 'ADMIN_UNAUTHORIZED'
  | 'INTERNAL';

const STATUS: Record<ErrorCode, number> = {
  CONFIG_INVALID: 500,
  REQUEST_BODY_TOO_LARGE: 413,
  REQUEST_BUDGET_EXHAUSTED: 503,
  REQUEST_INVALID_JSON: 400,
  REQUEST_INVALID_PATH: 400,
  REQUEST_BODY_TIMEOUT: 408,
  ROUTE_NOT_FOUND: 404,
  UPSTREAM_CONNECT_FAILED: 502,
  UPSTREAM_CONNECT_TIMEOUT: 504,
  UPSTREAM_FIRST_BYTE_TIMEOUT: 504,
  UPSTREAM_IDLE_TIMEOUT: 504,
  UPSTREAM_TOTAL_TIMEOUT: 504,
  UPSTREAM_MALFORMED_BODY: 502,
  RESPONSE_TOO_LARGE: 502,
  UPSTREAM_STREAM_BROKEN: 502,
  CLIENT_DISCONNECTED: 499,
  POLICY_BLOCKED: 400,
  // 423 Locked, not 503: held until an operator releases it, so no retry can succeed, and
  // the Vercel AI SDK retries every 5xx whatever `x-should-retry` says (issue 17).
  MODEL_QUARANTINED: 423,
  ADMIN_UNAUTHORIZED: 401,
  INTERNAL: 500,
};

export class CoalmineError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CoalmineError';
    this.code = code;
    this.status = STATUS[code];
  }

  /** Timeouts are reported as such in telemetry (stream abort reason `timeout`). */
  get isTimeout(): boolean {
    return this.code.endsWith('_TIMEOUT');
  }
}

export function isCoalmineError(e: unknown): e is CoalmineError {
  return e instanceof CoalmineError;
}

/** A located problem in a YAML/JSON file, rendered as `file:line:col: message`. */
export interface SourceIssue {
  file: string;
  line: number;
  col: number;
  message: string;
}

export function formatIssue(i: SourceIssue): string {
  return `${i.file}:${i.line}:${i.col}: ${i.message}`;
}

export class ConfigError extends CoalmineError {
  readonly issues: readonly SourceIssue[];

  constructor(issues: readonly SourceIssue[]) {
    super('CONFIG_INVALID', issues.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}
