/** `coalmine audit verify`: checks an audit log's hash chain. Returns the process exit code. */
import { verifyAudit } from '../audit/verify.js';
import { fileArguments } from './files.js';
import type { Io } from './policy.js';

export interface VerifyOptions {
  key: string | undefined;
  partial: boolean;
}

const ROTATED = /^(.*)\.(\d+)$/;

/**
 * Files of one rotated chain (`FILE`, `FILE.1`, … `FILE.n`) in chain order: the highest number
 * is the oldest, `FILE` itself the newest. Files that are not all of one chain keep their order.
 */
export function chainOrder(files: readonly string[]): string[] {
  const parsed = files.map((f) => {
    const m = ROTATED.exec(f);
    return m ? { f, base: m[1]!, n: Number(m[2]) } : { f, base: f, n: 0 };
  });
  const bases = new Set(parsed.map((p) => p.base));
  if (bases.size !== 1) return [...files];
  return parsed.sort((a, b) => b.n - a.n).map((p) => p.f);
}

export async function verify(files: string[], opts: VerifyOptions, io: Io): Promise<number> {
  const paths = chainOrder(fileArguments('audit verify', files, io.cwd));
  const key = opts.key ?? io.env['COALMINE_AUDIT_KEY'];
  const r = await verifyAudit(paths, key ? Buffer.from(key, 'utf8') : undefined, {
    start: opts.partial ? 'any' : 'genesis',
  });
  if (!r.ok) {
    io.out(`${r.file}:${r.line}: ${r.reason}: ${r.detail}\n`);
    return 1;
  }
  const from = opts.partial && r.records > 0 ? ` from seq ${r.firstSeq}` : '';
  const lost = r.lost > 0 ? `; the writer recorded ${r.lost} lost events in gap records` : '';
  io.out(`${r.records} records verified${from}${lost}\n`);
  return 0;
}
