/**
 * Text that arrives in many small pieces, kept compactly and up to a bound. Appending with
 * `+=` builds a rope of one node per piece (tens of bytes per stream event, for the whole
 * stream); here pieces are joined into flat strings every few hundred, and past `limit`
 * characters only the count grows.
 */
import { isHighSurrogate } from '../policy/checks/support/chars.js';
const BATCH = 256;

export class TextBuffer {
  private readonly flat: string[] = [];
  private pending: string[] = [];
  private kept = 0;
  /** Characters seen past the limit, not kept. */
  omitted = 0;

  constructor(private readonly limit: number) {}

  push(s: string): void {
    if (!s) return;
    const room = this.limit - this.kept;
    if (room <= 0) {
      this.omitted += s.length;
      return;
    }
    let piece = s;
    if (s.length > room) {
      // Never keep half of a surrogate pair.
      const cut = isHighSurrogate(s.charCodeAt(room - 1)) ? room - 1 : room;
      piece = s.slice(0, cut);
      this.omitted += s.length - cut;
      this.kept = this.limit;
    } else this.kept += s.length;
    this.pending.push(piece);
    if (this.pending.length >= BATCH) {
      this.flat.push(this.pending.join(''));
      this.pending = [];
      if (this.flat.length >= BATCH) this.flat.splice(0, this.flat.length, this.flat.join(''));
    }
  }

  /** Characters kept. */
  get length(): number {
    return this.kept;
  }

  toString(): string {
    if (this.pending.length) {
      this.flat.push(this.pending.join(''));
      this.pending = [];
    }
    if (this.flat.length > 1) this.flat.splice(0, this.flat.length, this.flat.join(''));
    return this.flat[0] ?? '';
  }
}
