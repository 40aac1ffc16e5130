/** Audit log failures, with a stable `code` (not HTTP errors: the audit log is off the request path). */
export type AuditErrorCode = 'AUDIT_RESUME_FAILED' | 'AUDIT_WRITE_FAILED' | 'AUDIT_LOCKED';

export class AuditError extends Error {
  readonly code: AuditErrorCode;

  constructor(code: AuditErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuditError';
    this.code = code;
  }
}
