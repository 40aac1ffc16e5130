import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));
/** Where vendors may be named: the wire adapters, the simulator that imitates them, and the credential detectors (which name whose keys they find). */
const ALLOWED = [/^adapters\//, /^sim\//, /^policy\/checks\/secrets/];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Code without comments (a comment may cite a provider's documentation). */
const code = (text: string) =>
  text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');

/** The core's layers and the libraries they must not import (plug-ins implement interfaces instead). */
const CORE = /^(adapters|policy|pipeline|canary|model)\//;
const PLUGIN_LIBS = /from '(hono|@hono\/[^']+|prom-client|@opentelemetry\/[^']+)'/;

describe('architecture', () => {
  it('adapters, policy, pipeline, canary and model never import hono, prom-client or OpenTelemetry', () => {
    const offenders = files(SRC)
      .map((f) => relative(SRC, f))
      .filter((f) => CORE.test(f) && PLUGIN_LIBS.test(readFileSync(join(SRC, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('nothing outside adapters/ names a vendor', () => {
    const offenders = files(SRC)
      .map((f) => relative(SRC, f))
      .filter((f) => !ALLOWED.some((re) => re.test(f)))
      .filter((f) =>
        /openai|anthropic|ollama|claude/i.test(code(readFileSync(join(SRC, f), 'utf8'))),
      );
    expect(offenders).toEqual([]);
  });
});
