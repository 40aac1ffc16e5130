/**
 * The tallied histogram must expose exactly what prom-client's own histogram exposes for the
 * same observations (it replaces it on the request path), and tallied counters reach their
 * prom-client counter on flush.
 */
import fc from 'fast-check';
import { Counter, Histogram, Registry } from 'prom-client';
import type { Metric } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Tally, TallyHistogram } from '../../../src/telemetry/tally.js';

const BOUNDS = [0, 0.001, 0.01, 1, 16, 1024];
const value = fc.oneof(
  fc.constantFrom(...BOUNDS, -1, 1e9),
  fc.double({ min: -10, max: 2000, noNaN: true }),
);

async function expositions(obs: [string, string, number][]) {
  const a = new Registry();
  const b = new Registry();
  const reference = new Histogram({
    name: 'x_seconds',
    help: 'h',
    labelNames: ['route', 'upstream'],
    buckets: BOUNDS,
    registers: [a],
  });
  const tallied = new TallyHistogram('x_seconds', 'h', ['route', 'upstream'], BOUNDS);
  b.registerMetric(tallied as unknown as Metric);
  for (const [route, upstream, v] of obs) {
    reference.labels(route, upstream).observe(v);
    tallied.labels(route, upstream).observe(v);
  }
  return [await a.metrics(), await b.metrics()];
}

describe('TallyHistogram', () => {
  it('exposes what prom-client exposes for the same observations', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(fc.constantFrom('chat', 'a"b\\c\nd'), fc.constantFrom('u1', 'u2'), value),
          {
            maxLength: 60,
          },
        ),
        async (obs) => {
          const [reference, tallied] = await expositions(obs);
          expect(tallied).toBe(reference);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('drops a value that is not a finite number instead of poisoning the sum', async () => {
    const h = new TallyHistogram('y', 'h', [], [1]);
    h.labels().observe(Number.NaN);
    h.labels().observe(Infinity);
    h.labels().observe(0.5);
    const { values } = await h.get();
    expect(values.map((v) => [v.metricName, v.value])).toEqual([
      ['y_bucket', 1],
      ['y_bucket', 1],
      ['y_sum', 0.5],
      ['y_count', 1],
    ]);
  });

  it('refuses the wrong number of label values', () => {
    expect(() => new TallyHistogram('z', 'h', ['a'], [1]).labels()).toThrow(/1 label values/);
  });
});

describe('Tally', () => {
  it('creates its series at 0 and adds what it counted on flush', async () => {
    const r = new Registry();
    const c = new Counter({ name: 'n_total', help: 'h', labelNames: ['k'], registers: [r] });
    const t = new Tally(c, { k: 'v' });
    expect(await r.metrics()).toContain('n_total{k="v"} 0');
    t.inc();
    t.inc(2);
    expect(await r.metrics()).toContain('n_total{k="v"} 0');
    t.flush();
    expect(await r.metrics()).toContain('n_total{k="v"} 3');
    t.flush();
    expect(await r.metrics()).toContain('n_total{k="v"} 3');
  });
});
