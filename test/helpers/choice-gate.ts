import type { GateRule } from '../../src/policy/gate-rules.js';
import { ChoiceGate } from '../../src/policy/stream-gate.js';
import { REQUEST } from './check-input.js';

/**
 * Streams `pieces` through one choice's gate, releasing as far as it allows after each piece
 * and at the end: what the client had after each piece (and at the end), and every write.
 */
export function streamThroughGate(
  rules: readonly GateRule[],
  pieces: readonly string[],
): { seen: string[]; writes: string[] } {
  const g = new ChoiceGate(rules, REQUEST, { window: 256, maxHeld: Infinity }, 0);
  let out = '';
  const seen: string[] = [];
  const writes: string[] = [];
  const emit = (b: number) => {
    if (b <= g.released) return;
    const w = g.render(g.released, b).text;
    writes.push(w);
    out += w;
    g.release(b);
  };
  for (const p of pieces) {
    g.push(p);
    emit(g.advance());
    seen.push(out);
  }
  g.final = true;
  emit(g.advance());
  seen.push(out);
  return { seen, writes };
}
