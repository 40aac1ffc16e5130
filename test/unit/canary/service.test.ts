import { describe, expect, it } from 'vitest';
import type { Canary } from '../../../src/canary/loader.js';
import type { CanaryResult } from '../../../src/canary/runner.js';
import { CanaryService } from '../../../src/canary/service.js';
import type { CanaryRecord, TelemetryEvent } from '../../../src/model/sink.js';

const canary = { id: 'red-planet', everyMs: 60_000, jitter: 0 } as Canary;
const result = (finishedAt: number, r: CanaryResult['result'] = 'pass'): CanaryResult => ({
  id: 'red-planet',
  upstream: 'sim',
  model: 'm',
  result: r,
  reasons: [],
  pValue: undefined,
  evidence: undefined,
  tokens: 10,
  calls: 1,
  durationSeconds: 0.1,
  finishedAt,
});

function service() {
  const recorded: TelemetryEvent[] = [];
  const shown: CanaryRecord[] = [];
  const s = new CanaryService(
    [canary],
    { handle: () => Promise.reject(new Error('no calls in this test')) },
    { record: (e) => void recorded.push(e) },
    (e) => void shown.push(e),
  );
  return { s, recorded, shown };
}

describe('canary service with replicas', () => {
  it('adopts a newer result of another replica: shown, not recorded (neither counted nor acted on)', () => {
    const { s, recorded, shown } = service();
    s.adopt(result(2_000, 'fail'));
    expect(s.lastResult('red-planet')?.result).toBe('fail');
    expect(recorded).toEqual([]);
    expect(shown).toEqual([expect.objectContaining({ canary: 'red-planet', result: 'fail' })]);
    // Older or repeated results change nothing; unknown canaries are ignored.
    s.adopt(result(1_000, 'pass'));
    s.adopt(result(2_000, 'pass'));
    s.adopt({ ...result(3_000), id: 'unknown' });
    expect(s.lastResult('red-planet')?.result).toBe('fail');
    expect(shown).toHaveLength(1);
    expect(s.results()).toHaveLength(1);
  });

  it('keeps the cadence of the last known run when it starts scheduling', () => {
    const { s } = service();
    const last = Date.now() - 20_000;
    s.adopt(result(last));
    s.schedule(() => 0.5);
    expect(s.nextRun('red-planet')).toBeGreaterThanOrEqual(last + 60_000 - 50);
    expect(s.nextRun('red-planet')).toBeLessThanOrEqual(last + 60_000 + 50);
    // Handed over: due on the new holder one interval after the last run.
    void s.unschedule();
    expect(s.nextRun('red-planet')).toBe(last + 60_000);
    // Overdue (the holder died after its interval passed): due at once.
    const { s: late } = service();
    late.adopt(result(Date.now() - 120_000));
    late.schedule(() => 0.5);
    expect(late.nextRun('red-planet')! - Date.now()).toBeLessThanOrEqual(50);
    void late.stop();
  });

  it('shows when a canary is due on the replica that runs the schedule', async () => {
    const { s } = service();
    // Never ran anywhere, and nothing scheduled here: not known.
    expect(s.nextRun('red-planet')).toBeUndefined();
    s.adopt(result(5_000));
    expect(s.nextRun('red-planet')).toBe(65_000);
    s.adopt(result(70_000));
    expect(s.nextRun('red-planet')).toBe(130_000);
    expect(s.nextRun('unknown')).toBeUndefined();
    await s.stop();
    expect(s.nextRun('red-planet')).toBeUndefined();
  });

  it('schedules nothing once stopped (a lease taken during shutdown)', async () => {
    const { s } = service();
    await s.stop();
    s.schedule();
    expect(s.nextRun('red-planet')).toBeUndefined();
  });
});
