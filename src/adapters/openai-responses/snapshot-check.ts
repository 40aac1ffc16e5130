/**
 * What a Responses stream said, kept to check its snapshots against. The `*.done` events,
 * `output_item.done` and the final response repeat the output; the SDKs hand those to the
 * application (`finalResponse()`, `event.response`), so a snapshot that says something the
 * deltas did not would forward text no rule checked. Each streamed part keeps a running
 * SHA-256 of its deltas (and their length), not the text: a snapshot must hash the same.
 */
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { Obj } from '../read.js';
import { arr, obj, str } from '../read.js';
import { MESSAGE_KEYS, REASONING_KEYS, inputKey, outputTextHolds } from './output.js';

/**
 * Which text of an output item a part is: message content (by `content_index`), reasoning
 * content (by `content_index`), reasoning summary (by `summary_index`), function arguments.
 * Kinds never mix: text streamed as reasoning (checked by fewer rules) cannot stand for content.
 */
export const MESSAGE = 0;
export const REASONING = 1;
export const SUMMARY = 2;
export const ARGUMENTS = 3;
export type PartKind = typeof MESSAGE | typeof REASONING | typeof SUMMARY | typeof ARGUMENTS;

/** Output and part indexes past this are not a real stream's (and keep keys exact numbers). */
const MAX_INDEX = 2 ** 20;

interface Part {
  /** The running hash, until a snapshot needs the digest. */
  hash: Hash | undefined;
  digest: Buffer | undefined;
  /** UTF-16 code units so far: a snapshot of another length differs without hashing. */
  length: number;
}

/** What `output_item.added` said of a function call. */
interface Call {
  name: string | undefined;
  callId: string | undefined;
}

/** A part's map key, or -1 when an index is not a small non-negative integer. */
function keyOf(kind: PartKind, out: number, index: number): number {
  if (!Number.isInteger(out) || !Number.isInteger(index)) return -1;
  if (out < 0 || index < 0 || out >= MAX_INDEX || index >= MAX_INDEX) return -1;
  return (out * MAX_INDEX + index) * 4 + kind;
}

/**
 * The text of a part object for its kind: the string fields joined (a part with both `text`
 * and `refusal` says both). Undefined when it has none; `false` when one is not a string.
 */
export function partText(part: Obj, kind: PartKind): string | false | undefined {
  let t: string | undefined;
  for (const key of kind === MESSAGE ? MESSAGE_KEYS : REASONING_KEYS) {
    const v = part[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') return false;
    t = (t ?? '') + v;
  }
  return t;
}

/** A name or id of a snapshot equals the one announced (absent in the snapshot is fine). */
function sameId(v: unknown, seen: string | undefined): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v === (seen ?? ''));
}

/** The output index of a part's key. */
const outOf = (key: number) => Math.floor(key / 4 / MAX_INDEX);

/**
 * Where a part stands in the text it is part of, for a valid key: content is the message parts
 * by (output_index, content_index); reasoning is, per reasoning item, its summary parts then its
 * reasoning-text parts. (Arguments are one part per call.)
 */
function placeOf(kind: PartKind, out: number, index: number): number {
  return (out * 2 + (kind === REASONING ? 1 : 0)) * MAX_INDEX + index;
}

export class SnapshotLedger {
  private readonly parts = new Map<number, Part>();
  /** The parts a whole-item or whole-response snapshot being checked has matched so far. */
  private matched: Set<number> | undefined;
  /** The highest output index `output_item.added` announced (-1: none yet). */
  private lastOpened = -1;
  private readonly calls = new Map<number, Call>();
  /** Per item and list (content, summary), the last part index a `*.part.added` announced. */
  private readonly added = new Map<number, number>();
  /** Where the content (MESSAGE) and the reasoning last had a delta (see `placeOf`). */
  private readonly latest = new Map<PartKind, number>();

  /**
   * `output_item.added` at `out`; false when `out` is not above every index announced before
   * (real servers add items in order: an item slipped in before one would reorder the output).
   */
  open(out: number, call?: Call): boolean {
    if (keyOf(MESSAGE, out, 0) < 0 || out <= this.lastOpened) return false;
    this.lastOpened = out;
    if (call) this.calls.set(out, call);
    return true;
  }

  /**
   * `content_part.added` / `reasoning_summary_part.added`: false when the indexes are bad or
   * the part is not after every part its item's list announced before.
   */
  addPart(kind: PartKind, out: number, index: number): boolean {
    if (keyOf(kind, out, index) < 0) return false;
    const list = out * 2 + (kind === SUMMARY ? 1 : 0);
    if (index <= (this.added.get(list) ?? -1)) return false;
    this.added.set(list, index);
    return true;
  }

  /** Whether a delta at `out` is for an item before one announced later (a call then is over). */
  superseded(out: number): boolean {
    return out < this.lastOpened;
  }

  /**
   * A delta of a part; false when the indexes are bad, a snapshot of the part was checked, or
   * the part comes before one of the same text that already had a delta: the gate checks a
   * text as its deltas in stream order, the SDKs join its parts in part order, and the two
   * must be one text (`QYLP…` streamed before the ` AKIA` ahead of it joins into a key).
   */
  delta(kind: PartKind, out: number, index: number, text: string): boolean {
    const key = keyOf(kind, out, index);
    if (key < 0) return false;
    if (kind !== ARGUMENTS) {
      const of = kind === MESSAGE ? MESSAGE : REASONING;
      const place = placeOf(kind, out, index);
      if (place < (this.latest.get(of) ?? 0)) return false;
      this.latest.set(of, place);
    }
    if (!text) return true;
    let p = this.parts.get(key);
    if (!p) this.parts.set(key, (p = { hash: createHash('sha256'), digest: undefined, length: 0 }));
    if (!p.hash) return false;
    // UTF-16 code units, not UTF-8: exact for any string, however deltas split a pair.
    p.hash.update(text, 'utf16le');
    p.length += text.length;
    return true;
  }

  /**
   * Whether a snapshot's whole text of a part is what the part's deltas said. Absent is fine
   * (a snapshot need not repeat every part); a part no delta streamed must be empty.
   */
  same(kind: PartKind, out: number, index: number, text: unknown): boolean {
    if (text === undefined || text === null) return true;
    if (typeof text !== 'string') return false;
    const key = keyOf(kind, out, index);
    if (key < 0) return false;
    const p = this.parts.get(key);
    if (!p) return text === '';
    if (p.length !== text.length) return false;
    if (!p.digest) {
      p.digest = p.hash!.digest();
      p.hash = undefined;
    }
    const same = p.digest.equals(createHash('sha256').update(text, 'utf16le').digest());
    if (same) this.matched?.add(key);
    return same;
  }

  /**
   * Runs the check of a snapshot that repeats whole items (the items at `out`, or all of them)
   * and requires it to repeat every part streamed there: leaving out a middle part would join
   * its neighbours into a text no rule saw (`AKIA` + `QYLP…` around a checked `xx`).
   */
  private whole(out: number | undefined, check: () => boolean): boolean {
    this.matched = new Set();
    try {
      if (!check()) return false;
      for (const [key, p] of this.parts)
        if (p.length > 0 && (out === undefined || outOf(key) === out) && !this.matched.has(key))
          return false;
      return true;
    } finally {
      this.matched = undefined;
    }
  }

  /** `function_call_arguments.done`: the arguments streamed, the name announced. */
  argumentsDone(out: number, args: unknown, name: unknown): boolean {
    return this.same(ARGUMENTS, out, 0, args) && sameId(name, this.calls.get(out)?.name);
  }

  /** Each part of a list (`content`, `summary`) against the parts of `kind` at `out`. */
  private list(kind: PartKind, out: number, v: unknown): boolean {
    if (v === undefined || v === null) return true;
    const parts = arr(v);
    if (!parts) return false;
    return parts.every((p, i) => {
      const o = obj(p);
      return o !== undefined && this.same(kind, out, i, partText(o, kind));
    });
  }

  /** A part object of a `*.part.done` / `content_part.done` event (absent is fine). */
  part(kind: PartKind, out: number, index: number, part: unknown): boolean {
    if (part === undefined || part === null) return true;
    const o = obj(part);
    return o !== undefined && this.same(kind, out, index, partText(o, kind));
  }

  /**
   * One output item of a snapshot at `out`: its message or reasoning parts (every part
   * streamed at `out`, see `whole`); a function call's arguments, and its name and call id as
   * `output_item.added` announced them. Other item types carry no text this adapter reads.
   */
  item(out: number, v: unknown): boolean {
    return this.whole(out, () => this.itemParts(out, v));
  }

  private itemParts(out: number, v: unknown): boolean {
    const item = obj(v);
    if (!item) return false;
    const key = inputKey(item);
    if (key) {
      const c = this.calls.get(out);
      return (
        c !== undefined &&
        sameId(item['name'], c.name) &&
        sameId(item['call_id'], c.callId) &&
        this.same(ARGUMENTS, out, 0, item[key])
      );
    }
    switch (str(item['type'])) {
      case 'message':
        return this.list(MESSAGE, out, item['content']);
      case 'reasoning':
        return (
          this.list(SUMMARY, out, item['summary']) && this.list(REASONING, out, item['content'])
        );
      default:
        return true;
    }
  }

  /** A response object of a stream event: every item at its index, and its `output_text`. */
  response(r: Obj | undefined): boolean {
    if (!r) return true;
    const output = r['output'];
    if (output !== undefined && output !== null) {
      const items = arr(output);
      if (!items || !this.whole(undefined, () => items.every((it, i) => this.itemParts(i, it))))
        return false;
    }
    return outputTextHolds(r);
  }
}

/**
 * An opening frame (`response.created`, an `.added` item or part) says nothing yet: real
 * servers send it empty, and an SDK would take any text in it as the start of the output.
 */
export const blankResponse = (r: Obj | undefined) => new SnapshotLedger().response(r);
export const blankItem = (item: unknown) => new SnapshotLedger().item(0, item);
export const blankPart = (kind: PartKind, part: unknown) =>
  new SnapshotLedger().part(kind, 0, 0, part);
