import { z } from 'zod';
import { sizeBytes } from '../config/units.js';
import type { AuditLogOptions } from './log.js';

/**
 * The `audit:` block of the main config (not yet part of `config/schema.ts`). `hmac_key` is a
 * plain string; write `${AUDIT_HMAC_KEY}` to take it from the environment (the YAML loader
 * substitutes variables before validation). At least 16 characters: a short key makes the
 * HMAC guessable.
 */
export const auditConfigSchema = z.strictObject({
  /** The current audit file; rotated files are `path.1` … `path.keep`. */
  path: z.string().min(1),
  /** Rotate before the file would exceed this size (`10mb`, `512kb`, bytes). */
  max_bytes: sizeBytes
    .default(10 * 1024 ** 2)
    .refine((n) => n >= 4096, 'audit.max_bytes must be at least 4kb'),
  /** HMAC-SHA-256 key; without one, records are chained with plain SHA-256. */
  hmac_key: z.string().min(16, 'audit.hmac_key must be at least 16 characters').optional(),
  /** Rotated files kept. */
  keep: z.number().int().min(0).max(1000).default(5),
});

export type AuditConfig = z.output<typeof auditConfigSchema>;

/** Config → writer options (the key as UTF-8 bytes). */
export function auditLogOptions(cfg: AuditConfig): AuditLogOptions {
  const opts: AuditLogOptions = { path: cfg.path, maxBytes: cfg.max_bytes, keep: cfg.keep };
  if (cfg.hmac_key !== undefined) opts.key = Buffer.from(cfg.hmac_key, 'utf8');
  return opts;
}
