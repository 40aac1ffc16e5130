/**
 * CommonMark link destinations (spec 0.31, §6.3 and §4.7), read exactly from where they start
 * (after `](` or `]:`): optional spaces with at most one line ending, then `<…>` (no line
 * ending, no unescaped `<`, closed by an unescaped `>`) or a run of non-space, non-control
 * characters whose unescaped parentheses balance, up to the first unbalanced `)`.
 *
 * Linear over all starts in a text: starts are asked for in increasing order, and the balance
 * of every start in one run of non-space characters is computed once, right to left.
 */

export interface Destination {
  /** Source range of the destination as written (inside `<…>` for a pointy one). */
  start: number;
  end: number;
  pointy: boolean;
  /** Whether the destination began after a line ending. */
  nextLine: boolean;
}

/** ASCII space or control: a raw destination ends there. */
const isStop = (c: number) => c <= 0x20 || c === 0x7f || Number.isNaN(c);
const BACKSLASH = 0x5c;
const OPEN = 0x28;
const CLOSE = 0x29;

export class Destinations {
  private runStart = -1;
  private runEnd = -1;
  /**
   * For each offset in the current run: where a raw destination starting there ends, or -1
   * when a `(` in it stays open (CommonMark reads no destination then).
   */
  private ends = new Int32Array(0);

  constructor(private readonly text: string) {}

  /** The raw destination's end from `k`, which lies in the run from the last `compute`. */
  private rawEnd(k: number): number {
    if (isStop(this.text.charCodeAt(k))) return k;
    if (k < this.runStart || k >= this.runEnd) this.compute(k);
    if (this.plain) {
      // No `(` and no escape: the first `)` ends it.
      return k > this.lastClose ? this.runEnd : this.text.indexOf(')', k);
    }
    return this.ends[k - this.runStart]!;
  }

  /** Whether the current run has no `(` and no backslash (the common case: no balancing). */
  private plain = false;
  /** The last `)` of a plain run (-1: none). */
  private lastClose = -1;

  private compute(k: number): void {
    const t = this.text;
    let e = k;
    let plain = true;
    let lastClose = -1;
    for (let c = t.charCodeAt(e); !isStop(c); c = t.charCodeAt(++e)) {
      if (c === OPEN || c === BACKSLASH) plain = false;
      else if (c === CLOSE) lastClose = e;
    }
    if (plain) {
      [this.runStart, this.runEnd, this.plain, this.lastClose] = [k, e, true, lastClose];
      return;
    }
    this.plain = false;
    const n = e - k;
    const escaped = new Uint8Array(n);
    for (let j = 1; j < n; j++)
      escaped[j] = t.charCodeAt(k + j - 1) === BACKSLASH && !escaped[j - 1] ? 1 : 0;
    const ends = new Int32Array(n);
    // Unmatched `)` to the right, nearest last: a `(` matches the nearest one. A `(` with none
    // to match stays open for every start left of it that reaches the end of the run.
    const stack: number[] = [];
    let open = false;
    for (let j = n - 1; j >= 0; j--) {
      const c = t.charCodeAt(k + j);
      if (!escaped[j]) {
        if (c === CLOSE) stack.push(k + j);
        else if (c === OPEN) {
          if (stack.length) stack.pop();
          else open = true;
        }
      }
      ends[j] = stack.length ? stack[stack.length - 1]! : open ? -1 : e;
    }
    [this.runStart, this.runEnd, this.ends] = [k, e, ends];
  }

  /** Spaces and tabs, then at most one line ending and more spaces and tabs. */
  private skip(k: number): { at: number; nextLine: boolean } {
    const t = this.text;
    while (t[k] === ' ' || t[k] === '\t') k++;
    let nextLine = false;
    if (t[k] === '\r' || t[k] === '\n') {
      k += t[k] === '\r' && t[k + 1] === '\n' ? 2 : 1;
      nextLine = true;
      while (t[k] === ' ' || t[k] === '\t') k++;
    }
    return { at: k, nextLine };
  }

  /**
   * The destinations a renderer may read from `from` (just after `(` or `:`): CommonMark's,
   * and when a `<…>` destination is not closed, the raw run from its `<` (marked reads one).
   */
  at(from: number): Destination[] {
    const t = this.text;
    const { at: k, nextLine } = this.skip(from);
    const out: Destination[] = [];
    if (t[k] === '<') {
      let j = k + 1;
      for (; j < t.length; j++) {
        const c = t.charCodeAt(j);
        if (c === BACKSLASH && j + 1 < t.length && t[j + 1] !== '\n') j++;
        else if (c === 0x3e /* > */ || c === 0x3c /* < */ || c === 0x0a || c === 0x0d) break;
      }
      if (t[j] === '>') return [{ start: k + 1, end: j, pointy: true, nextLine }];
    }
    const end = this.rawEnd(k);
    if (end > k) out.push({ start: k, end, pointy: false, nextLine });
    return out;
  }
}

/** The longest title looked through when telling whether a link is complete. */
const MAX_TITLE = 1024;

/**
 * Whether the inline link whose destination is `d` is complete: optional spaces (with at most
 * one line ending), an optional title (`"…"`, `'…'` or `(…)`), spaces, then `)`. A title
 * longer than `MAX_TITLE` counts as not closing.
 */
export function closes(text: string, d: Destination): boolean {
  let k = d.end + (d.pointy ? 1 : 0);
  const spaces = () => {
    let lines = 0;
    while (k < text.length && /[ \t\r\n]/.test(text[k]!))
      if (text[k++] === '\n' && ++lines > 1) return false;
    return true;
  };
  if (!spaces()) return false;
  if (text[k] === ')') return true;
  const open = text[k];
  if (k === d.end || (open !== '"' && open !== "'" && open !== '(')) return false;
  const close = open === '(' ? ')' : open;
  const limit = Math.min(text.length, k + MAX_TITLE);
  for (k++; k < limit; k++) {
    const c = text[k];
    if (c === '\\') k++;
    else if (c === close) break;
    else if (open === '(' && c === '(') return false;
  }
  if (text[k] !== close) return false;
  k++;
  return spaces() && text[k] === ')';
}

const ESCAPE_OR_REF =
  /\\([!-/:-@[-`{-~])|&(?:#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});/g;

/**
 * A destination's URL: backslash escapes of ASCII punctuation and character references
 * decoded in one pass (an escaped `\&amp;` stays `&amp;`).
 */
export function decodeDestination(raw: string, refs: (s: string) => string): string {
  if (!raw.includes('\\') && !raw.includes('&')) return raw;
  return raw.replace(ESCAPE_OR_REF, (m, p: string | undefined) => p ?? refs(m));
}
