import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A temporary directory for canary CLI tests: a coalmine.yaml with one upstream (`candidate`)
 * at `upstreamUrl`, `canaries.yaml` holding `canaries`, and baselines signed with the key in
 * `$BASELINE_KEY`.
 */
export function canaryDir(prefix: string, upstreamUrl: string, canaries: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(
    join(dir, 'coalmine.yaml'),
    `upstreams: [{ name: candidate, url: "${upstreamUrl}" }]
canaries: [canaries.yaml]
canary: { hmac_key: "\${BASELINE_KEY}" }
`,
  );
  writeFileSync(join(dir, 'canaries.yaml'), canaries);
  return dir;
}
