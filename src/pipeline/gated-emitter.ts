/**
 * Streaming enforcement between the upstream's frames and the client. Frames are queued in
 * order; a frame is released once every text it carries is behind its release boundary (see
 * policy/stream-gate.ts): each choice's content, refusal, reasoning and transcript has a gate
 * of its own, and a frame may carry pieces of several choices. A released frame goes out byte
 * for byte unless a redaction touches it, in which case the adapter re-renders it. Tool-call
 * frames wait until their choice ends and the calls are checked. A block ends the stream with
 * the provider's in-band error; nothing held is released.
 */
import type { Frame, FrameEdit, WireAdapter } from '../adapters/types.js';
import type { StreamEvent } from '../model/events.js';
import type { RequestInfo, TextField, ToolCall } from '../model/exchange.js';
import type { RuleResult } from '../model/verdict.js';
import type { GateRule } from '../policy/gate-rules.js';
import { TextBuffer } from './text-buffer.js';
import { ChoiceGate } from '../policy/stream-gate.js';
import { checkToolCalls } from '../policy/tool-call-gate.js';

interface ToolPieces {
  /** Tool-call indexes this frame carries pieces of. */
  indexes: number[];
  /** …of which the frame carries argument text (not just the call's id and name). */
  args: number[];
  /** …of which the frame carries (a piece of) the name, and the id. */
  names: number[];
  ids: number[];
}

/** A piece of one text of a choice (content, refusal, reasoning or transcript) a frame carries. */
interface TextPiece {
  choice: number;
  field: TextField;
  start: number;
  end: number;
}

interface Entry {
  bytes: Buffer;
  frame: Frame;
  /** The first choice the frame names (tool calls and snapshots are of this choice). */
  choice: number | undefined;
  /** Every text piece the frame carries: several choices, several fields of one choice. */
  texts: TextPiece[];
  /** Per choice, the tool-call pieces the frame carries. */
  tools: Map<number, ToolPieces>;
  /** The frame repeats the whole output of this choice (see the `snapshot` event). */
  snapshot: boolean;
  /** …or the whole arguments of this tool call. */
  snapshotTool: number | undefined;
}

export interface GateOptions {
  rules: readonly GateRule[];
  request: RequestInfo;
  /** Characters held for checks that cannot name their triggers. */
  window: number;
  /** Characters a whole-answer rule may hold (`checks.max_scan_chars`); unbounded if absent. */
  maxHeld?: number | undefined;
}

export class GatedEmitter {
  /** The upstream sent what no client-side reading can reconcile (a call resumed after the next began). */
  malformed = false;
  /** The rule that blocked the stream, once one has. */
  blocked: RuleResult | undefined;
  /** The last frame with data released to the client (an error event continues after it). */
  lastSent: Frame | undefined;
  /** One gate per text: choice and field (`gateKey`). */
  private readonly gates = new Map<string, ChoiceGate>();
  private readonly boundary = new Map<string, number>();
  private readonly choices = new Set<number>();
  /**
   * The rules that check the texts other than content (refusal, reasoning, transcript): those
   * that find spans; reasoning only by the rules that did not opt out of it.
   */
  private readonly spanRules: readonly GateRule[];
  private readonly reasoningRules: readonly GateRule[];
  private readonly toolArgs = new Map<number, Map<number, string>>();
  private readonly toolNames = new Map<number, Map<number, string>>();
  private readonly toolIds = new Map<number, Map<number, string>>();
  /** Per choice, how many tool calls (from index 0) are complete and checked. */
  private readonly checkedCalls = new Map<number, number>();
  /** Frames not yet sent: `queue[head…]` (shifting an array costs its length). */
  private queue: Entry[] = [];
  private head = 0;
  /**
   * What the client has been sent of each choice's text, for re-rendering snapshots. A
   * redaction near the end changes the snapshot of a text whose start went out unchanged,
   * and only formats with snapshots tell so, at the end: so it is kept, compactly, up to
   * `maxHeld` characters; a snapshot to re-render past that fails the stream closed.
   */
  private readonly visible = new Map<string, TextBuffer>();
  /** Choices whose output a redaction changed. */
  private readonly changed = new Set<number>();
  /** …and which of their texts (`gateKey`). */
  private readonly changedTexts = new Set<string>();

  constructor(
    private readonly o: GateOptions,
    private readonly adapter: WireAdapter,
    private readonly toolCalls: (choice: number) => readonly ToolCall[],
    private readonly write: (chunk: Buffer | string) => boolean,
  ) {
    this.spanRules = o.rules.filter((r) => r.spans);
    this.reasoningRules = this.spanRules.filter((r) => r.reasoning);
  }

  private gate(choice: number, field: TextField = 'content'): ChoiceGate {
    const key = gateKey(choice, field);
    let g = this.gates.get(key);
    if (!g) {
      this.choices.add(choice);
      this.gates.set(
        key,
        (g = new ChoiceGate(
          field === 'content'
            ? this.o.rules
            : field === 'reasoning'
              ? this.reasoningRules
              : this.spanRules,
          this.o.request,
          { window: this.o.window, maxHeld: this.o.maxHeld ?? Number.POSITIVE_INFINITY },
          choice,
        )),
      );
    }
    return g;
  }

  /** Texts pushed since the last `commit` (`gateKey`s), whose release boundary is stale. */
  private readonly dirty = new Set<string>();

  /** One complete upstream frame and its events, committed at once; false when the client is slow. */
  frame(bytes: Buffer, frame: Frame, events: readonly StreamEvent[]): boolean {
    this.add(bytes, frame, events);
    return this.commit();
  }

  /**
   * Re-checks every text pushed since the last commit and sends what may go; returns false
   * when the client is slow. The frames of one upstream read are added, then committed once:
   * the checks then run once per read, not once per event (a busy server writes many events
   * per read), on the same text they would have seen after its last event.
   */
  commit(): boolean {
    for (const key of this.dirty) {
      if (this.blocked) break;
      const g = this.gates.get(key)!;
      this.boundary.set(key, g.advance());
      this.blocked ??= g.blocked;
    }
    this.dirty.clear();
    return this.flush();
  }

  /** One complete upstream frame and its events, queued: nothing is released until `commit`. */
  add(bytes: Buffer, frame: Frame, events: readonly StreamEvent[]): void {
    const entry: Entry = {
      bytes,
      frame,
      choice: undefined,
      texts: [],
      tools: new Map(),
      snapshot: false,
      snapshotTool: undefined,
    };
    const finished: number[] = [];
    let done = false;
    for (const ev of events) {
      if (ev.type === 'text') {
        const field = ev.field ?? 'content';
        const g = this.gate(ev.choice, field);
        entry.choice ??= ev.choice;
        let piece = entry.texts.find((t) => t.choice === ev.choice && t.field === field);
        if (!piece)
          entry.texts.push((piece = { choice: ev.choice, field, start: g.length, end: 0 }));
        g.push(ev.text);
        piece.end = g.length;
      } else if (ev.type === 'tool_call') {
        entry.choice ??= ev.choice;
        let tp = entry.tools.get(ev.choice);
        if (!tp) entry.tools.set(ev.choice, (tp = { indexes: [], args: [], names: [], ids: [] }));
        tp.indexes.push(ev.index);
        if (ev.arguments) tp.args.push(ev.index);
        if (ev.name) tp.names.push(ev.index);
        if (ev.id) tp.ids.push(ev.index);
        // A call is complete once the next one starts. More arguments for a call already
        // complete (checked, maybe released) cannot be checked with what went before: the
        // stream fails closed as malformed.
        const checked = this.checkedCalls.get(ev.choice) ?? 0;
        if (ev.index > checked) this.checkCalls(ev.choice, ev.index);
        else if (ev.index < checked && ev.arguments) this.malformed = true;
      } else if (ev.type === 'snapshot') {
        entry.snapshot = true;
        entry.snapshotTool = ev.toolIndex;
        entry.choice ??= ev.choice;
      } else if (ev.type === 'finish') finished.push(ev.choice);
      else if (ev.type === 'done') done = true;
    }
    // Nothing of a malformed frame, or after it, is released.
    if (this.malformed) return;
    this.queue.push(entry);
    for (const t of entry.texts) this.dirty.add(gateKey(t.choice, t.field));
    for (const c of finished) this.finish(c);
    if (done) for (const c of [...this.choices]) this.finish(c);
  }

  /** Characters of a choice's (content) text released so far. */
  released(choice: number): number {
    return this.gates.get(gateKey(choice, 'content'))?.released ?? 0;
  }

  /** The upstream ended normally: everything is final. */
  end(): boolean {
    for (const c of [...this.choices]) this.finish(c);
    return this.flush();
  }

  private finish(choice: number): void {
    this.gate(choice);
    for (const field of FIELDS) {
      const g = this.gates.get(gateKey(choice, field));
      if (!g || g.final) continue;
      g.final = true;
      this.boundary.set(gateKey(choice, field), g.advance());
      this.blocked ??= g.blocked;
    }
    this.checkCalls(choice, this.toolCalls(choice).length);
  }

  /**
   * Checks the complete tool calls [checked, upTo) of a choice (those before were checked
   * already: the checks look at each call on its own); their held frames may then go.
   */
  private checkCalls(choice: number, upTo: number): void {
    const from = this.checkedCalls.get(choice) ?? 0;
    if (this.blocked || upTo <= from) return;
    const calls = this.toolCalls(choice).slice(from, upTo);
    const r = checkToolCalls(this.o.rules, this.o.request, choice, calls);
    this.blocked = r.blocked;
    for (const [all, found] of [
      [this.toolArgs, r.args],
      [this.toolNames, r.names],
      [this.toolIds, r.ids],
    ] as const) {
      const m = all.get(choice) ?? new Map<number, string>();
      for (let i = from; i < upTo; i++) m.delete(i);
      for (const [i, a] of found) m.set(from + i, a);
      all.set(choice, m);
    }
    this.checkedCalls.set(choice, upTo);
  }

  private flush(): boolean {
    let flowing = true;
    const queue = this.queue;
    for (; this.head < queue.length && !this.blocked && !this.malformed; this.head++) {
      const e = queue[this.head]!;
      if (e.choice === undefined) {
        flowing = this.write(e.bytes) && flowing;
        if (e.frame.data !== undefined) this.lastSent = e.frame;
        continue;
      }
      if (!this.ready(e, e.choice)) break;
      /** The edits of each choice this frame carries. */
      const edits = new Map<number, FrameEdit>();
      const add = (c: number, x: FrameEdit) => edits.set(c, { ...edits.get(c), ...x });
      this.textEdits(e, add);
      this.toolEdits(e, add);
      if (e.snapshot && !this.snapshotEdits(e, e.choice, edits)) {
        this.malformed = true;
        break;
      }
      flowing = this.write(this.rendered(e, e.choice, edits)) && flowing;
      if (e.frame.data !== undefined) this.lastSent = e.frame;
    }
    if (this.head === queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && 2 * this.head > queue.length) {
      this.queue = queue.slice(this.head);
      this.head = 0;
    }
    return flowing;
  }

  /** Whether every text and call a frame carries is behind its release boundary. */
  private ready(e: Entry, choice: number): boolean {
    // Tool-call frames wait for the end of their choice: a hostile upstream may resume a
    // call after the next began, and a call's first pieces must not be out by then.
    // (Calls are still checked as each completes, so a block comes early.)
    if ([...e.tools].some(([c]) => !this.gate(c).final)) return false;
    if (
      e.texts.some(
        (t) => t.end > t.start && t.end > (this.boundary.get(gateKey(t.choice, t.field)) ?? 0),
      )
    )
      return false;
    // A snapshot repeats the whole output: it waits until the choice is complete and checked.
    return !e.snapshot || this.gate(choice).final;
  }

  /** The redacted pieces of the frame's texts; releases them (and keeps them for snapshots). */
  private textEdits(e: Entry, add: (c: number, x: FrameEdit) => void): void {
    for (const t of e.texts) {
      if (t.end <= t.start) continue;
      const key = gateKey(t.choice, t.field);
      const tg = this.gate(t.choice, t.field);
      const r = tg.render(t.start, t.end);
      if (r.changed) {
        add(t.choice, { [t.field === 'content' ? 'text' : t.field]: r.text });
        this.changed.add(t.choice);
        this.changedTexts.add(key);
      }
      // Only formats whose streams repeat the output need what was sent.
      if (this.adapter.snapshots) {
        let seen = this.visible.get(key);
        if (!seen)
          this.visible.set(
            key,
            (seen = new TextBuffer(this.o.maxHeld ?? Number.POSITIVE_INFINITY)),
          );
        seen.push(r.text);
      }
      tg.release(t.end);
    }
  }

  /** Redacted tool-call names, ids and arguments, each whole in the first frame with a piece of it. */
  private toolEdits(e: Entry, add: (c: number, x: FrameEdit) => void): void {
    for (const [c, tp] of e.tools) {
      const names = this.toolNames.get(c);
      const ids = this.toolIds.get(c);
      const args = this.toolArgs.get(c);
      if (args?.size) this.changed.add(c);
      if (names?.size) {
        const pieces = firstPieces(names, tp.names);
        if (pieces.size) add(c, { toolCallNames: pieces });
      }
      if (ids?.size) {
        const pieces = firstPieces(ids, tp.ids);
        if (pieces.size) add(c, { toolCallIds: pieces });
      }
      if (args?.size && !(e.snapshot && c === e.choice)) {
        const pieces = firstPieces(args, tp.args);
        if (pieces.size) add(c, { toolCallArguments: pieces });
      }
    }
  }

  /**
   * A snapshot frame's edit: one call's redacted arguments, name and id, or, for a choice a
   * redaction changed, everything the client was sent. False when that is no longer kept.
   */
  private snapshotEdits(e: Entry, choice: number, edits: Map<number, FrameEdit>): boolean {
    const args = this.toolArgs.get(choice);
    const names = this.toolNames.get(choice);
    const ids = this.toolIds.get(choice);
    if (args?.size || names?.size || ids?.size) this.changed.add(choice);
    if (e.snapshotTool !== undefined) {
      const i = e.snapshotTool;
      const edit: FrameEdit = {};
      for (const [key, m] of [
        ['toolCallArguments', args],
        ['toolCallNames', names],
        ['toolCallIds', ids],
      ] as const) {
        const v = m?.get(i);
        if (v !== undefined) edit[key] = new Map([[i, v]]);
      }
      if (Object.keys(edit).length) edits.set(choice, edit);
      return true;
    }
    if (!this.changed.has(choice)) return true;
    const edit = this.snapshotEdit(choice);
    if (!edit) return false;
    edits.set(choice, {
      ...edit,
      toolCallArguments: args ?? new Map<number, string>(),
      ...(names?.size ? { toolCallNames: names } : {}),
      ...(ids?.size ? { toolCallIds: ids } : {}),
    });
    return true;
  }

  /** The frame as it goes out: its own bytes, or re-rendered with the edits. */
  private rendered(e: Entry, choice: number, edits: Map<number, FrameEdit>): Buffer | string {
    if (!edits.size) return e.bytes;
    if (edits.size > 1 && this.adapter.rewriteFrameChoices)
      return this.adapter.rewriteFrameChoices(e.frame, edits);
    const own = edits.get(choice);
    if (own) return this.adapter.rewriteFrame(e.frame, choice, own);
    const [c, x] = [...edits][0]!;
    return this.adapter.rewriteFrame(e.frame, c, x);
  }

  /**
   * A snapshot of a choice a redaction changed says what the client was sent: each text of
   * the choice that a redaction changed, whole, as shown (the others stay as the upstream
   * wrote them, which is what was sent). Undefined when part of one is no longer kept (the
   * stream then fails closed).
   */
  private snapshotEdit(choice: number): FrameEdit | undefined {
    // A snapshot from a format that says it has none: nothing was kept to render it with.
    if (!this.adapter.snapshots) return undefined;
    const edit: FrameEdit = {};
    for (const field of FIELDS) {
      const key = gateKey(choice, field);
      if (!this.changedTexts.has(key)) continue;
      const seen = this.visible.get(key);
      if (seen?.omitted) return undefined;
      edit[field === 'content' ? 'text' : field] = seen?.toString() ?? '';
    }
    return edit;
  }
}

/**
 * Redacted tool-call arguments go out whole in the first frame that carries a piece of that
 * call's arguments (a frame that only opens the call — id and name — has nowhere to put
 * them in some formats); later pieces of the same call become empty.
 */
const sent = new WeakMap<Map<number, string>, Set<number>>();
function firstPieces(args: Map<number, string>, indexes: readonly number[]): Map<number, string> {
  let done = sent.get(args);
  if (!done) sent.set(args, (done = new Set()));
  const out = new Map<number, string>();
  for (const i of indexes) {
    const a = args.get(i);
    if (a === undefined) continue;
    out.set(i, done.has(i) ? '' : a);
    done.add(i);
  }
  return out;
}

const FIELDS: readonly TextField[] = ['content', 'refusal', 'reasoning', 'transcript'];

function gateKey(choice: number, field: TextField): string {
  return `${choice}/${field}`;
}
