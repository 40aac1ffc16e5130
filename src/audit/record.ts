import { createHash, createHmac } from 'node:crypto';
import { canonicalJson } from '../model/canonical-json.js';
import { jsonLine } from '../model/json-line.js';

/** `prev` of the very first record of a chain. */
export const ZERO_HASH = '0'.repeat(64);

/** Fields every record carries; an event's own fields of these names are overwritten. */
export const RESERVED = ['seq', 'time', 'type', 'prev', 'hash'] as const;

/** What a caller hands the audit log: an event name plus its JSON-serialisable fields. */
export interface AuditEvent {
  type: string;
  [field: string]: unknown;
}

/**
 * One line of the audit file.
 * - `seq`: 0 for the first record of a chain, +1 per record, continuing across rotated files.
 * - `time`: RFC 3339 (UTC, `Date.toISOString`) — when the event was appended, or for the log's
 *   own `gap` / `recovered` records, when they were written.
 * - `type`: the event name; the log itself writes `gap` (records dropped on a full queue,
 *   `dropped: n`) and `recovered` (a torn last line found on start, `torn_bytes`,
 *   `torn_base64`).
 * - `prev`: the previous record's `hash` (`ZERO_HASH` for the first).
 * - `hash`: SHA-256 hex over the canonical JSON of the record without `hash`; HMAC-SHA-256
 *   with the configured key instead when there is one.
 */
export interface AuditRecord {
  seq: number;
  time: string;
  type: string;
  prev: string;
  hash: string;
  [field: string]: unknown;
}

/** The hash of a record (its `hash` member, if any, is left out). */
export function hashRecord(record: Record<string, unknown>, key?: Buffer): string {
  return hashText(canonicalJson(bodyOf(record)), key);
}

/** A record without its `hash` member. */
export function bodyOf(record: Record<string, unknown>): Record<string, unknown> {
  const { hash: _hash, ...body } = record;
  return body;
}

function hashText(text: string, key?: Buffer): string {
  return (key ? createHmac('sha256', key) : createHash('sha256')).update(text).digest('hex');
}

/**
 * The one line a record is written as (without its newline): the canonical body with `hash`
 * appended as its last member. The verifier requires every line to be exactly this, so a line
 * that parses to the same record but reads differently elsewhere (a duplicate key, which
 * `JSON.parse` resolves to its last value and another reader to its first) is refused. U+2028
 * and U+2029 are escaped (`jsonLine`): the hash is over the canonical body, which keeps them raw.
 */
export function recordLine(bodyText: string, hash: string): string {
  return jsonLine(rawRecordLine(bodyText, hash));
}

/** The line as writers before U+2028/U+2029 were escaped wrote it (still verified). */
function rawRecordLine(bodyText: string, hash: string): string {
  return `${bodyText.slice(0, -1)},"hash":"${hash}"}`;
}

/** The canonical body text of a parsed line and the hash it should carry. */
export function expectedLine(
  record: Record<string, unknown>,
  key?: Buffer,
): {
  line: string;
  /** The same line with U+2028/U+2029 raw, as earlier versions wrote it. */
  rawLine: string;
  hash: string;
} {
  const text = canonicalJson(bodyOf(record));
  const hash = hashText(text, key);
  return {
    line: recordLine(text, String(record.hash)),
    rawLine: rawRecordLine(text, String(record.hash)),
    hash,
  };
}

/**
 * Builds and serialises a record: the canonical body with `hash` appended as its last
 * member, plus a newline. (The line is therefore not itself canonical; the verifier parses
 * it and recomputes, so the line's key order is not part of the contract.)
 */
export function sealRecord(
  event: AuditEvent,
  chain: { seq: number; prev: string; time: string; key?: Buffer | undefined },
): { line: string; hash: string } {
  const body: Record<string, unknown> = { ...event };
  for (const k of RESERVED) delete body[k];
  body.seq = chain.seq;
  body.time = chain.time;
  body.type = event.type;
  body.prev = chain.prev;
  const text = canonicalJson(body);
  const hash = hashText(text, chain.key);
  return { line: `${recordLine(text, hash)}\n`, hash };
}
