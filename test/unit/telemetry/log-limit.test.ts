/**
 * Rate limiting of repeated events: per event and key, the burst is written, the rest counted
 * and reported as `events_suppressed` — when the window closes, when the next line is let
 * through, on eviction and on flush. Never silent; unlimited events pass untouched.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { jsonLogger } from '../../../src/log.js';
import { LOG_EVENTS, logEventsTable } from '../../../src/telemetry/log-events.js';
import { RateLimitedLogger } from '../../../src/telemetry/log-limit.js';

type Line = Record<string, unknown>;

function limited(opts: { burst?: number; maxKeys?: number; level?: 'info' | 'warn' } = {}) {
  let now = 1_000_000;
  const lines: Line[] = [];
  const log = new RateLimitedLogger(
    jsonLogger(opts.level ?? 'info', (l) => lines.push(JSON.parse(l) as Line)),
    { burst: opts.burst ?? 3, windowMs: 10_000, maxKeys: opts.maxKeys ?? 100, now: () => now },
  );
  return {
    log,
    lines,
    tick: (ms: number) => void (now += ms),
    of: (event: string) => lines.filter((l) => l['event'] === event),
  };
}

const upstreamError = (upstream: string, reason = 'upstream_connect_failed') => ({
  request_id: 'r',
  upstream,
  reason,
  status: 502,
});

describe('rate limiting of repeated events', () => {
  it('writes the burst, counts the rest, reports them when the next window lets a line through', () => {
    const t = limited();
    for (let i = 0; i < 10; i++) t.log.write('warn', 'upstream_error', 'x', upstreamError('a'));
    expect(t.of('upstream_error')).toHaveLength(3);
    expect(t.of('events_suppressed')).toHaveLength(0);
    t.tick(10_000);
    t.log.write('warn', 'upstream_error', 'x', upstreamError('a'));
    expect(t.of('events_suppressed')).toEqual([
      expect.objectContaining({
        level: 'warn',
        suppressed_event: 'upstream_error',
        upstream: 'a',
        reason: 'upstream_connect_failed',
        count: 7,
        window_s: 10,
      }),
    ]);
    expect(t.of('upstream_error')).toHaveLength(4);
    // The summary comes before the line that opened the new window.
    expect(t.lines.at(-2)?.['event']).toBe('events_suppressed');
  });

  it('limits per key: another upstream or reason has its own window', () => {
    const t = limited();
    for (let i = 0; i < 5; i++) {
      t.log.write('warn', 'upstream_error', 'x', upstreamError('a'));
      t.log.write('warn', 'upstream_error', 'x', upstreamError('b'));
      t.log.write('warn', 'upstream_error', 'x', upstreamError('a', 'upstream_5xx'));
    }
    expect(t.of('upstream_error')).toHaveLength(9);
    t.log.flush();
    expect(t.of('events_suppressed').map((l) => [l['upstream'], l['reason'], l['count']])).toEqual(
      expect.arrayContaining([
        ['a', 'upstream_connect_failed', 2],
        ['b', 'upstream_connect_failed', 2],
        ['a', 'upstream_5xx', 2],
      ]),
    );
  });

  it('a sweep reports windows that closed with nothing after them; flush reports open ones', () => {
    const t = limited();
    for (let i = 0; i < 5; i++)
      t.log.write('warn', 'admin_auth_failed', 'x', { remote: '1.2.3.4' });
    t.log.sweep();
    expect(t.of('events_suppressed')).toHaveLength(0); // the window is still open
    t.tick(10_000);
    t.log.sweep();
    expect(t.of('events_suppressed')).toEqual([
      expect.objectContaining({
        suppressed_event: 'admin_auth_failed',
        remote: '1.2.3.4',
        count: 2,
      }),
    ]);
    for (let i = 0; i < 4; i++)
      t.log.write('warn', 'admin_auth_failed', 'x', { remote: '1.2.3.4' });
    t.log.flush();
    expect(t.of('events_suppressed').map((l) => l['count'])).toEqual([2, 1]);
    t.log.flush();
    expect(t.of('events_suppressed')).toHaveLength(2); // nothing counted twice
  });

  it('the key map is bounded; an evicted key with lines held back reports them', () => {
    const t = limited({ burst: 1, maxKeys: 10 });
    t.log.write('warn', 'admin_auth_failed', 'x', { remote: 'first' });
    t.log.write('warn', 'admin_auth_failed', 'x', { remote: 'first' });
    for (let i = 0; i < 50; i++) t.log.write('warn', 'admin_auth_failed', 'x', { remote: `p${i}` });
    expect(t.of('events_suppressed')).toEqual([
      expect.objectContaining({ remote: 'first', count: 1 }),
    ]);
  });

  it('events the catalogue does not limit, and levels not written, are never counted', () => {
    const t = limited({ level: 'warn' });
    for (let i = 0; i < 20; i++) {
      t.log.write('info', 'request', 'x', { request_id: String(i) });
      t.log.write('warn', 'quarantine_entered', 'x', { upstream: 'a', model: 'm' });
      t.log.write('info', 'upstream_error', 'x', upstreamError('a'));
    }
    t.log.flush();
    expect(t.of('quarantine_entered')).toHaveLength(20);
    expect(t.of('events_suppressed')).toHaveLength(0);
  });
});

describe('the event catalogue', () => {
  it("the README's event table is generated from it (run `npm run docs`)", () => {
    const md = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    const [a, b] = ['<!-- log-events:start -->', '<!-- log-events:end -->'];
    expect(md.slice(md.indexOf(a) + a.length, md.indexOf(b)).trim()).toBe(logEventsTable());
  });

  it('every event name written in src/ is in it, and every event in it is written', () => {
    const src = fileURLToPath(new URL('../../../src', import.meta.url));
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => {
        const p = join(dir, f);
        return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
      });
    const written = new Set<string>();
    for (const f of files(src)) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(
        /(?:log\.write|inner\.write|this\.emit)\(\s*[^,]+,\s*'([a-z_]+)'/g,
      ))
        written.add(m[1]!);
    }
    const names = Object.keys(LOG_EVENTS);
    expect([...written].filter((n) => !names.includes(n))).toEqual([]);
    expect(names.filter((n) => !written.has(n))).toEqual([]);
  });
});
