import { readFile } from 'node:fs/promises';
import { expectedLine, ZERO_HASH } from './record.js';

/** Why a line failed verification (stable codes). */
export type AuditFailure =
  | 'unreadable' // the file could not be read
  | 'torn' // the file does not end with a newline: a partial last line
  | 'malformed' // an empty line, not JSON, or missing seq/prev/hash/type/time
  | 'seq' // seq is not the previous one + 1 (or 0 for the first record): deletion, insertion, reordering
  | 'prev' // prev is not the previous record's hash
  | 'hash'; // hash does not match the record: the line was edited, or the key is wrong

export type AuditVerification =
  | {
      ok: true;
      records: number;
      firstSeq: number;
      lastHash: string;
      /** Events the writer reported lost, summed over its `gap` records. */
      lost: number;
    }
  | { ok: false; file: string; line: number; reason: AuditFailure; detail: string };

export interface VerifyOptions {
  /**
   * `genesis` (default): the first record must be seq 0 with the all-zero prev, so removing
   * records from the front is detected. `any`: accept whatever the first record links to, for
   * a chain whose oldest files have been rotated away (check `firstSeq` against what you expect).
   */
  start?: 'genesis' | 'any';
}

/**
 * Verifies files given in chain order (oldest first, e.g. `FILE.3, FILE.2, FILE.1, FILE`):
 * recomputes every hash (HMAC with `key` when given), checks every `prev` link and that
 * `seq` increases by one, across file boundaries. Reports the first bad line (1-based).
 * Deleting records from the very end is not detectable from the files alone: compare
 * `lastHash` / `records` with a copy kept elsewhere.
 */
export async function verifyAudit(
  files: string[],
  key?: Buffer,
  opts: VerifyOptions = {},
): Promise<AuditVerification> {
  let expectedSeq: number | undefined = opts.start === 'any' ? undefined : 0;
  let expectedPrev: string | undefined = opts.start === 'any' ? undefined : ZERO_HASH;
  let records = 0;
  let firstSeq = 0;
  let lost = 0;
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      return { ok: false, file, line: 0, reason: 'unreadable', detail: String(e) };
    }
    if (text.length === 0) continue;
    const lines = text.split('\n');
    const tornTail = lines.pop();
    for (let i = 0; i < lines.length; i++) {
      const fail = (reason: AuditFailure, detail: string): AuditVerification => ({
        ok: false,
        file,
        line: i + 1,
        reason,
        detail,
      });
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(lines[i] ?? '') as Record<string, unknown>;
      } catch {
        return fail('malformed', 'not JSON');
      }
      if (rec === null || typeof rec !== 'object' || Array.isArray(rec))
        return fail('malformed', 'not an object');
      const { seq, prev, hash, type, time } = rec;
      if (
        typeof seq !== 'number' ||
        typeof prev !== 'string' ||
        typeof hash !== 'string' ||
        typeof type !== 'string' ||
        typeof time !== 'string'
      ) {
        return fail('malformed', 'missing seq, time, type, prev or hash');
      }
      if (expectedSeq !== undefined && seq !== expectedSeq) {
        return fail('seq', `seq ${seq}, expected ${expectedSeq}`);
      }
      if (expectedPrev !== undefined && prev !== expectedPrev) {
        return fail('prev', `prev does not match the previous record's hash`);
      }
      const expected = expectedLine(rec, key);
      if (expected.line !== lines[i] && expected.rawLine !== lines[i])
        return fail('malformed', 'not the line the writer writes for this record (edited)');
      if (expected.hash !== hash)
        return fail('hash', 'hash does not match the record (edited, or wrong key)');
      if (records === 0) firstSeq = seq;
      if (type === 'gap' && typeof rec.dropped === 'number') lost += rec.dropped;
      records++;
      expectedSeq = seq + 1;
      expectedPrev = hash;
    }
    if (tornTail !== '') {
      return {
        ok: false,
        file,
        line: lines.length + 1,
        reason: 'torn',
        detail: 'partial last line',
      };
    }
  }
  return { ok: true, records, firstSeq, lastHash: expectedPrev ?? ZERO_HASH, lost };
}
