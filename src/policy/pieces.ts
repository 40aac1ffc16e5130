/**
 * Text that arrives in pieces, addressed by offsets in the whole text. Slicing the recent
 * part never touches what came before (slicing a string grown by `+=` flattens all of it),
 * and the pieces before a point can be forgotten.
 */
/** Pieces shorter than this take the next one in. */
const SMALL = 32;

export class Pieces {
  private parts: string[] = [];
  private starts: number[] = [];
  private first = 0;
  length = 0;

  push(s: string): void {
    if (!s) return;
    const last = this.parts.length - 1;
    // Small pieces (a stream's are a few characters) are joined, so that a slice of the
    // recent text is of a few parts, not dozens.
    if (last >= this.first && this.parts[last]!.length < SMALL) this.parts[last] += s;
    else {
      this.parts.push(s);
      this.starts.push(this.length);
    }
    this.length += s.length;
  }

  /** Where the kept text starts. */
  get start(): number {
    return this.starts[this.first] ?? this.length;
  }

  /** Forgets the pieces that end at or before `to`. */
  drop(to: number): void {
    const { parts, starts } = this;
    while (this.first < parts.length && starts[this.first]! + parts[this.first]!.length <= to)
      this.first++;
    if (this.first > 1024 && 2 * this.first > parts.length) {
      this.parts = parts.slice(this.first);
      this.starts = starts.slice(this.first);
      this.first = 0;
    }
  }

  /** Text of [a, b), of what is kept. */
  slice(from: number, b = this.length): string {
    const a = Math.max(from, this.start);
    const end = Math.min(b, this.length);
    if (a >= end) return '';
    const { parts, starts } = this;
    let i = this.find(a);
    const s0 = starts[i]!;
    const p0 = parts[i]!;
    if (s0 + p0.length >= end) return p0.slice(a - s0, end - s0);
    const out = [p0.slice(a - s0)];
    for (i++; i < parts.length && starts[i]! < end; i++)
      out.push(parts[i]!.slice(0, end - starts[i]!));
    return out.join('');
  }

  /** The UTF-16 unit at `i` (NaN outside what is kept). */
  charCodeAt(i: number): number {
    if (i < this.start || i >= this.length) return NaN;
    const k = this.find(i);
    return this.parts[k]!.charCodeAt(i - this.starts[k]!);
  }

  /** The kept piece holding offset `a`. */
  private find(a: number): number {
    let lo = this.first;
    let hi = this.parts.length - 1;
    // Most reads are of the last piece.
    if (this.starts[hi]! <= a) return hi;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= a) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
