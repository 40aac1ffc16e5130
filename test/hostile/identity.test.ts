/**
 * Per-client identity state under hostile traffic: client-sent model names and upstream-reported
 * models and fingerprints of a megabyte each are remembered as digests, so what is kept stays
 * bounded in bytes; a flood of new names neither evicts a pinned model's state nor the
 * identity of a model in steady use.
 */
import { describe, expect, it } from 'vitest';
import type { IdentityStore } from '../../src/canary/identity.js';
import { IdentityTracker, memoryIdentityStore } from '../../src/canary/identity.js';

const MB = 1024 * 1024;

/** Characters the store holds in keys and values: what a client can make it keep. */
function storedChars(store: IdentityStore): { entries: number; chars: number } {
  let entries = 0;
  let chars = 0;
  for (const k of store.keys()) {
    const v = store.get(k);
    entries++;
    chars += k.length + (v?.model?.length ?? 0) + (v?.fingerprint?.length ?? 0);
  }
  return { entries, chars };
}

const pins = new Map([['up', { pinned: { fingerprints: [] } }]]);

describe('identity state under hostile traffic', () => {
  it('300 model names of 1 MB each keep a few characters each', () => {
    const store = memoryIdentityStore();
    const t = new IdentityTracker(pins, store);
    for (let i = 0; i < 300; i++) {
      const long = String(i).padEnd(MB, 'x');
      t.observe({ upstream: 'up', requested: long, model: `${long}-m`, fingerprint: `${long}-f` });
    }
    const { entries, chars } = storedChars(store);
    expect(entries).toBe(300);
    // Key (upstream + digest) and two digests: 3 × 71 characters and the upstream name.
    expect(chars).toBeLessThan(300 * 250);
  });

  it('a 1 MB name still has an identity of its own: a changed model or fingerprint is seen', () => {
    const t = new IdentityTracker(pins);
    const name = 'n'.repeat(MB);
    const o = { upstream: 'up', requested: name, model: 'm'.repeat(MB), fingerprint: 'f1' };
    expect(t.observe(o)).toEqual({ mismatch: false, fingerprintChanged: false });
    expect(t.observe(o)).toEqual({ mismatch: false, fingerprintChanged: false });
    expect(t.observe({ ...o, model: `${'m'.repeat(MB)}!` }).mismatch).toBe(true);
    expect(t.observe({ ...o, fingerprint: 'f'.repeat(MB) }).fingerprintChanged).toBe(true);
  });

  it('a flood of 50,000 new names evicts neither a pinned model nor an established one', () => {
    const store = memoryIdentityStore();
    const t = new IdentityTracker(pins, store);
    const pinned = { upstream: 'up', requested: 'pinned', model: 'p-1', fingerprint: 'fp_p' };
    const steady = { upstream: 'up', requested: 'llama', model: 'llama-3', fingerprint: 'fp_l' };
    for (let i = 0; i < 3; i++) {
      t.observe(pinned);
      t.observe(steady);
    }
    for (let i = 0; i < 50_000; i++)
      t.observe({ upstream: 'up', requested: `junk-${i}`, model: `junk-${i}`, fingerprint: 'x' });

    expect(storedChars(store).entries).toBeLessThanOrEqual(10_000);
    // Still remembered: another model or fingerprint than the first seen is noticed.
    expect(t.observe({ ...pinned, fingerprint: 'fp_other' }).fingerprintChanged).toBe(true);
    expect(t.observe({ ...steady, model: 'mistral-7b' }).mismatch).toBe(true);
    expect(t.observe({ ...steady, fingerprint: 'fp_other' }).fingerprintChanged).toBe(true);
  });

  it('names repeated to look established still cannot evict a pinned model', () => {
    const t = new IdentityTracker(pins, memoryIdentityStore({ established: 10, probation: 10 }));
    const pinned = { upstream: 'up', requested: 'pinned', model: 'p-1', fingerprint: 'fp_p' };
    t.observe(pinned);
    for (let i = 0; i < 1_000; i++)
      for (let k = 0; k < 3; k++)
        t.observe({ upstream: 'up', requested: `junk-${i}`, model: 'j', fingerprint: 'x' });
    expect(t.observe({ ...pinned, fingerprint: 'fp_other' }).fingerprintChanged).toBe(true);
  });
});
