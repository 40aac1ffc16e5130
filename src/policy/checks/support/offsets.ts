/** Offsets of a character (or string) in a text, for hand-written scanners that must stay linear. */

/**
 * Offsets of `ch` in `text`, built on first use and searched by bisection: scanning afresh
 * from every tag or label would be quadratic in hostile text.
 */
export class Offsets {
  private at: number[] | undefined;
  /** The table index of the last answer. */
  private cursor = 0;

  constructor(
    private readonly text: string,
    private readonly ch: string,
  ) {}

  /** Index in the table of the first offset at or after `x`. */
  private index(x: number): number {
    if (!this.at) {
      this.at = [];
      for (let i = this.text.indexOf(this.ch); i !== -1; i = this.text.indexOf(this.ch, i + 1))
        this.at.push(i);
    }
    const at = this.at;
    // Scanners mostly ask for increasing offsets: try just after the last answer first.
    let c = this.cursor;
    if (c > 0 && at[c - 1]! >= x) c = 0;
    for (let steps = 0; steps < 4 && c < at.length && at[c]! < x; steps++) c++;
    if (c >= at.length || at[c]! >= x) {
      if (c === 0 || at[c - 1]! < x) return (this.cursor = c);
    }
    let lo = 0;
    let hi = at.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (at[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return (this.cursor = lo);
  }

  /** The first offset at or after `x`, or -1. */
  next(x: number): number {
    const i = this.index(x);
    return this.at![i] ?? -1;
  }

  /** The last offset before `x`, or -1. */
  prev(x: number): number {
    const i = this.index(x);
    return i > 0 ? this.at![i - 1]! : -1;
  }
}

/** `Offsets#next` as a function. */
export const finder = (text: string, ch: string) => {
  const o = new Offsets(text, ch);
  return (x: number) => o.next(x);
};
