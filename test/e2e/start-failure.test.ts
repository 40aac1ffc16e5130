/**
 * A start that fails part-way (here: an invalid policy file, loaded after the audit log is
 * open) closes what it had opened: the audit log's one-writer lock is released, so the next
 * start is not refused as a second writer.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockName } from '../../src/audit/lock.js';
import { createCore } from '../../src/core.js';
import { noopLogger } from '../../src/model/log.js';

describe('a failed start', () => {
  it('releases the audit lock it took, and the next start succeeds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coalmine-start-failure-'));
    const config = join(dir, 'coalmine.yaml');
    writeFileSync(config, 'audit: { path: audit.log }\npolicies: [bad.yaml]\ncanaries: []\n');
    writeFileSync(join(dir, 'bad.yaml'), 'name: bad\nrules: [{ id: x, check: nope }]\n');
    const opts = { cwd: dir, env: {}, configFile: config, log: noopLogger };
    await expect(createCore(opts)).rejects.toThrow(/bad\.yaml/);
    expect(existsSync(lockName(join(dir, 'audit.log')))).toBe(false);
    writeFileSync(
      join(dir, 'bad.yaml'),
      'name: fine\nrules: [{ id: x, check: regex, params: { pattern: zzz }, action: flag }]\n',
    );
    const core = await createCore(opts);
    await core.close();
  });
});
