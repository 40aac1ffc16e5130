import { describe, expect, it } from 'vitest';
import { readPerKey } from '../../src/state/redis-link.js';

describe('readPerKey (reads prompted by announcements)', () => {
  it('100,000 announcements about distinct keys: 32 reads in flight, 1,000 waiting, the rest dropped', async () => {
    const go = readPerKey();
    const open: (() => void)[] = [];
    let started = 0;
    const read = () =>
      new Promise<void>((resolve) => {
        started++;
        open.push(resolve);
      });
    for (let i = 0; i < 100_000; i++) go(`name-${i}`, read);
    expect(started).toBe(32);
    // Redis answers: the waiting keys are read, 32 at a time; nothing more.
    while (open.length) {
      open.splice(0).forEach((r) => r());
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(started).toBe(32 + 1_000);
  });

  it('announcements about one key while it is read: one more read, with the last one', async () => {
    const go = readPerKey();
    const seen: number[] = [];
    let release: () => void = () => {};
    for (let i = 0; i < 10_000; i++)
      go('k', () => {
        seen.push(i);
        return new Promise<void>((resolve) => (release = resolve));
      });
    release();
    await new Promise((r) => setTimeout(r, 0));
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual([0, 9_999]);
  });
});
