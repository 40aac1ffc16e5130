/**
 * The evidence file of sequential canaries: round trip, and every file it must not trust
 * (corrupt, edited, unsigned or signed with another key, malformed) starts afresh with a warning.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConformalState } from '../../../src/canary/conformal.js';
import { FileEvidenceStore } from '../../../src/canary/evidence.js';

const KEY = 'evidence-key-0123456789';
const STATE: ConformalState = {
  epoch: 0,
  seen: [
    ['Apple', 3],
    ['Kiwi', 1],
  ],
  logs: [0.1, -0.2],
  hist: [1, 2, 1],
  logHist: 0.05,
  observed: 4,
  alarmed: false,
};

function written(): { path: string } {
  const path = join(mkdtempSync(join(tmpdir(), 'coalmine-evidence-')), 'evidence.json');
  new FileEvidenceStore(path, KEY, () => {}).save('fruit', 'd1', STATE);
  return { path };
}

function reopen(path: string, key: string = KEY) {
  const warnings: string[] = [];
  const store = new FileEvidenceStore(path, key, (w) => warnings.push(w));
  return { store, warnings };
}

describe('FileEvidenceStore', () => {
  it('round-trips a state for the same digest, and none for another', () => {
    const { path } = written();
    const { store, warnings } = reopen(path);
    expect(warnings).toEqual([]);
    expect(store.load('fruit', 'd1')).toEqual(STATE);
    expect(store.load('fruit', 'd2')).toBeUndefined();
    expect(store.load('other', 'd1')).toBeUndefined();
  });

  it('a missing file is a fresh start without a warning', () => {
    const { store, warnings } = reopen(join(tmpdir(), 'coalmine-no-such-evidence.json'));
    expect(warnings).toEqual([]);
    expect(store.load('fruit', 'd1')).toBeUndefined();
  });

  it.each<[string, (text: string) => string, string, RegExp]>([
    ['not JSON', () => '{', KEY, /is not JSON/],
    [
      'another format',
      (t) => t.replace('"coalmine_evidence":1', '"coalmine_evidence":2'),
      KEY,
      /format 1/,
    ],
    ['an edited count', (t) => t.replace('["Apple",3]', '["Apple",1]'), KEY, /sha256/],
    ['a wrong key', (t) => t, 'another-key-0123456789', /HMAC does not verify/],
    [
      'unsigned with a key configured',
      (t) => t.replace(/,"hmac_sha256":"[0-9a-f]+"/, ''),
      KEY,
      /not signed/,
    ],
  ])('%s: starts afresh and says why', (_name, edit, key, why) => {
    const { path } = written();
    writeFileSync(path, edit(readFileSync(path, 'utf8')));
    const { store, warnings } = reopen(path, key);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(why);
    expect(warnings[0]).toMatch(/starting afresh/);
    expect(store.load('fruit', 'd1')).toBeUndefined();
  });

  it('a malformed entry with a valid seal is refused whole', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'coalmine-evidence-')), 'evidence.json');
    const s = new FileEvidenceStore(path, undefined, () => {});
    s.save('good', 'd', STATE);
    s.save('bad', 'd', { ...STATE, seen: [['x', -1]] });
    const warnings: string[] = [];
    const store = new FileEvidenceStore(path, undefined, (w) => warnings.push(w));
    expect(warnings[0]).toMatch(/entry "bad" is malformed/);
    expect(store.load('good', 'd')).toBeUndefined();
  });

  it('a read-only store (one-off commands) reads the file and never writes it', () => {
    const { path } = written();
    const before = readFileSync(path, 'utf8');
    const ro = new FileEvidenceStore(path, KEY, () => {}, true);
    ro.save('fruit', 'd1', { ...STATE, observed: 9 });
    expect(ro.load('fruit', 'd1')?.observed).toBe(9);
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(existsSync(`${path}.tmp`)).toBe(false);
  });

  it('a FIFO or a directory is never read: a warning and a fresh start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coalmine-evidence-'));
    const fifo = join(dir, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    mkdirSync(join(dir, 'dir.json'));
    for (const path of [fifo, join(dir, 'dir.json')]) {
      const { store, warnings } = reopen(path);
      expect(warnings[0]).toMatch(/not a regular file\); starting afresh/);
      expect(store.load('fruit', 'd1')).toBeUndefined();
    }
  });

  it('a planted symlink at a temporary name is not followed; the file is replaced, not its target', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coalmine-evidence-'));
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious');
    const path = join(dir, 'evidence.json');
    symlinkSync(victim, `${path}.tmp`);
    symlinkSync(victim, path);
    new FileEvidenceStore(path, KEY, () => {}).save('fruit', 'd1', STATE);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(path).isSymbolicLink()).toBe(false);
    expect(reopen(path).store.load('fruit', 'd1')).toEqual(STATE);
  });

  it('a save that fails is reported and the evidence goes on in memory, no temporary file left', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coalmine-evidence-'));
    const path = join(dir, 'evidence.json');
    mkdirSync(path);
    const warnings: string[] = [];
    const store = new FileEvidenceStore(path, KEY, (w) => warnings.push(w));
    store.save('fruit', 'd1', STATE);
    expect(warnings.at(-1)).toMatch(/cannot save canary evidence .*; it goes on in memory/);
    expect(store.load('fruit', 'd1')).toEqual(STATE);
    expect(readdirSync(dir)).toEqual(['evidence.json']);
  });
});
