// Verifier throughput: writes N records through the real AuditLog (HMAC on), then times
// verifyAudit over them. Target: ≥ 100,000 records/s. Usage: npm run build && node bench/audit-verify.js [N]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../dist/audit/log.js';
import { chainFiles } from '../dist/audit/rotate.js';
import { verifyAudit } from '../dist/audit/verify.js';

const n = Number(process.argv[2] ?? 200_000);
const dir = await mkdtemp(join(tmpdir(), 'coalmine-audit-bench-'));
const path = join(dir, 'audit.log');
const key = Buffer.from('bench-key-0123456789');
const log = await AuditLog.open({ path, key, maxBytes: 32 * 1024 ** 2, keep: 100, queueSize: n });
for (let i = 0; i < n; i++) {
  log.append({
    type: 'decision',
    request_id: `req-${i}`,
    model: 'gpt-x',
    verdict: 'pass',
    rules: ['pii', 'secrets'],
  });
}
await log.close();
const files = await chainFiles(path, 100);
const t0 = process.hrtime.bigint();
const r = await verifyAudit(files, key);
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
if (!r.ok) throw new Error(`verification failed: ${JSON.stringify(r)}`);
console.log(
  `${r.records} records in ${secs.toFixed(3)} s: ${Math.round(r.records / secs)} records/s`,
);
await rm(dir, { recursive: true, force: true });
