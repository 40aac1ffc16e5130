/** How the pipeline classifies and logs failures. */
import type { WireError } from '../adapters/types.js';
import type { CoalmineError } from '../errors.js';

/** Whether an error is the upstream's fault (counted as an upstream error). */
export function isUpstreamFault(code: string): boolean {
  return code.startsWith('UPSTREAM_') || code === 'RESPONSE_TOO_LARGE';
}

/** What a log line says of an unexpected fault: its kind and where, never request content. */
export function describeFault(err: CoalmineError): string {
  const cause = err.cause instanceof Error ? err.cause : undefined;
  if (!cause) return err.message;
  const frame = cause.stack?.split('\n').find((l) => l.trim().startsWith('at '));
  return `${err.message}: ${cause.name}${frame ? ` ${frame.trim()}` : ''}`;
}

/** The provider error `type` of a Coalmine error. */
export function errorType(e: CoalmineError): string {
  if (e.code === 'INTERNAL') return 'server_error';
  if (e.status === 413 || e.status === 400 || e.status === 404) return 'invalid_request_error';
  if (e.status === 503) return 'service_unavailable_error';
  if (e.isTimeout) return 'timeout_error';
  return 'upstream_error';
}

/** A Coalmine error as the provider's error body or event describes it. */
export function wireError(e: CoalmineError): WireError {
  return { status: e.status, message: e.message, type: errorType(e), code: e.code.toLowerCase() };
}

/**
 * Whether a client may usefully send the same request again. Not: a quarantine (it lasts until
 * an operator releases the model) and the client's own errors (4xx but 408, 409 and 429, which
 * the SDKs retry by status). Non-retryable answers carry `x-should-retry: false`, which the
 * openai and Anthropic SDKs read before the status.
 */
export function isRetryable(e: CoalmineError): boolean {
  if (e.code === 'MODEL_QUARANTINED') return false;
  if (e.status >= 400 && e.status < 500) return [408, 409, 429].includes(e.status);
  return true;
}
