import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../fixtures/corpora/', import.meta.url));

export function jsonl<T>(file: string): T[] {
  return readFileSync(DIR + file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

/** Confusion counts for one detector or check. */
export interface Stats {
  name: string;
  tp: number;
  fn: number;
  fp: number;
  tn: number;
  /** Labelled positives this project's spec says are not findings (kept out of recall). */
  disagreements: number;
  misses: string[];
  falseAlarms: string[];
}

export function stats(name: string): Stats {
  return { name, tp: 0, fn: 0, fp: 0, tn: 0, disagreements: 0, misses: [], falseAlarms: [] };
}

export function tally(s: Stats, expected: boolean, flagged: boolean, sample: string): void {
  if (expected && flagged) s.tp++;
  else if (expected) {
    s.fn++;
    s.misses.push(sample);
  } else if (flagged) {
    s.fp++;
    s.falseAlarms.push(sample);
  } else s.tn++;
}

export const recall = (s: Stats) => (s.tp + s.fn ? s.tp / (s.tp + s.fn) : 1);
export const precision = (s: Stats) => (s.tp + s.fp ? s.tp / (s.tp + s.fp) : 1);
export const fpRate = (s: Stats) => (s.fp + s.tn ? s.fp / (s.fp + s.tn) : 0);

export function total(name: string, all: readonly Stats[]): Stats {
  const t = stats(name);
  for (const s of all) {
    t.tp += s.tp;
    t.fn += s.fn;
    t.fp += s.fp;
    t.tn += s.tn;
    t.disagreements += s.disagreements;
  }
  return t;
}
