/**
 * Streaming enforcement between the upstream's frames and the client. Frames are queued in
 * order; a frame is released once the text it carries is behind its choice's release boundary
 * (see policy/stream-gate.ts). A released frame goes out byte for byte unless a redaction
 * touches it, in which case the adapter re-renders it. Tool-call frames wait until their
 * choice ends and the calls are checked. A block ends the stream with the provider's
 * in-band error; nothing held is released.
 */
import type { Frame, WireAdapter } from '../adapters/types.js';
import type { StreamEvent } from '../model/events.js';
import type { RequestInfo, ToolCall } from '../model/exchange.js';
import type { RuleResult } from '../model/verdict.js';
import type { GateRule } from '../policy/stream-gate.js';
import { TextBuffer } from './text-buffer.js';
import { ChoiceGate, checkToolCalls } from '../policy/stream-gate.js';

interface Entry {
  bytes: Buffer;
  frame: Frame;
  choice: number | undefined;
  textStart: number;
  textEnd: number;
  tool: boolean;
  /** Tool-call indexes this frame carries pieces of. */
  toolIndexes: number[];
  /** …of which the frame carries argument text (not just the call's id and name). */
  argIndexes: number[];
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
  private readonly gates = new Map<number, ChoiceGate>();
  private readonly boundary = new Map<number, number>();
  private readonly toolArgs = new Map<number, Map<number, string>>();
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
  private readonly visible = new Map<number, TextBuffer>();
  /** Choices whose output a redaction changed. */
  private readonly changed = new Set<number>();

  constructor(
    private readonly o: GateOptions,
    private readonly adapter: WireAdapter,
    private readonly toolCalls: (choice: number) => readonly ToolCall[],
    private readonly write: (chunk: Buffer | string) => boolean,
  ) {}

  private gate(choice: number): ChoiceGate {
    let g = this.gates.get(choice);
    if (!g)
      this.gates.set(
        choice,
        (g = new ChoiceGate(
          this.o.rules,
          this.o.request,
          { window: this.o.window, maxHeld: this.o.maxHeld ?? Number.POSITIVE_INFINITY },
          choice,
        )),
      );
    return g;
  }

  /** One complete upstream frame and its events; returns false when the client is slow. */
  frame(bytes: Buffer, frame: Frame, events: readonly StreamEvent[]): boolean {
    const entry: Entry = {
      bytes,
      frame,
      choice: undefined,
      textStart: 0,
      textEnd: 0,
      tool: false,
      toolIndexes: [],
      argIndexes: [],
      snapshot: false,
      snapshotTool: undefined,
    };
    const finished: number[] = [];
    let done = false;
    for (const ev of events) {
      if (ev.type === 'text') {
        const g = this.gate(ev.choice);
        if (entry.choice === undefined) {
          entry.choice = ev.choice;
          entry.textStart = g.length;
        }
        g.push(ev.text);
        entry.textEnd = g.length;
      } else if (ev.type === 'tool_call') {
        entry.tool = true;
        entry.choice ??= ev.choice;
        entry.toolIndexes.push(ev.index);
        if (ev.arguments) entry.argIndexes.push(ev.index);
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
    if (this.malformed) return true;
    this.queue.push(entry);
    for (const c of finished) this.finish(c);
    if (done) for (const c of this.gates.keys()) this.finish(c);
    if (entry.choice !== undefined && !this.blocked)
      this.boundary.set(entry.choice, this.gate(entry.choice).advance());
    this.blocked ??= entry.choice === undefined ? undefined : this.gate(entry.choice).blocked;
    return this.flush();
  }

  /** Characters of a choice's text released so far. */
  released(choice: number): number {
    return this.gates.get(choice)?.released ?? 0;
  }

  /** The upstream ended normally: everything is final. */
  end(): boolean {
    for (const c of this.gates.keys()) this.finish(c);
    return this.flush();
  }

  private finish(choice: number): void {
    const g = this.gate(choice);
    if (g.final) return;
    g.final = true;
    this.boundary.set(choice, g.advance());
    this.blocked ??= g.blocked;
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
    const args = this.toolArgs.get(choice) ?? new Map<number, string>();
    for (let i = from; i < upTo; i++) args.delete(i);
    for (const [i, a] of r.args) args.set(from + i, a);
    this.toolArgs.set(choice, args);
    this.checkedCalls.set(choice, upTo);
  }

  private flush(): boolean {
    let flowing = true;
    const queue = this.queue;
    for (; this.head < queue.length && !this.blocked && !this.malformed; this.head++) {
      const e = queue[this.head]!;
      if (e.choice !== undefined) {
        const g = this.gate(e.choice);
        // Tool-call frames wait for the end of their choice: a hostile upstream may resume a
        // call after the next began, and a call's first pieces must not be out by then.
        // (Calls are still checked as each completes, so a block comes early.)
        if (e.tool && !g.final) break;
        if (e.textEnd > e.textStart && e.textEnd > (this.boundary.get(e.choice) ?? 0)) break;
        // A snapshot repeats the whole output: it waits until the choice is complete and checked.
        if (e.snapshot && !g.final) break;
        let edit: { text?: string; toolCallArguments?: ReadonlyMap<number, string> } | undefined;
        if (e.textEnd > e.textStart) {
          const r = g.render(e.textStart, e.textEnd);
          if (r.changed) {
            edit = { text: r.text };
            this.changed.add(e.choice);
          }
          let seen = this.visible.get(e.choice);
          if (!seen)
            this.visible.set(
              e.choice,
              (seen = new TextBuffer(this.o.maxHeld ?? Number.POSITIVE_INFINITY)),
            );
          seen.push(r.text);
          g.release(e.textEnd);
        }
        const args = this.toolArgs.get(e.choice);
        if (args?.size) this.changed.add(e.choice);
        if (e.snapshot) {
          if (e.snapshotTool !== undefined) {
            const a = args?.get(e.snapshotTool);
            if (a !== undefined) edit = { toolCallArguments: new Map([[e.snapshotTool, a]]) };
          } else if (this.changed.has(e.choice)) {
            if (this.visible.get(e.choice)?.omitted) {
              this.malformed = true;
              break;
            }
            edit = {
              text: this.shown(e.choice),
              toolCallArguments: args ?? new Map<number, string>(),
            };
          }
        } else if (e.tool && args?.size) {
          const pieces = firstPieces(args, e);
          if (pieces.size) edit = { ...edit, toolCallArguments: pieces };
        }
        flowing =
          this.write(edit ? this.adapter.rewriteFrame(e.frame, e.choice, edit) : e.bytes) &&
          flowing;
      } else {
        flowing = this.write(e.bytes) && flowing;
      }
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

  /** The text of a choice sent so far. */
  private shown(choice: number): string {
    return this.visible.get(choice)?.toString() ?? '';
  }
}

/**
 * Redacted tool-call arguments go out whole in the first frame that carries a piece of that
 * call's arguments (a frame that only opens the call — id and name — has nowhere to put
 * them in some formats); later pieces of the same call become empty.
 */
const sent = new WeakMap<Map<number, string>, Set<number>>();
function firstPieces(args: Map<number, string>, e: Entry): Map<number, string> {
  let done = sent.get(args);
  if (!done) sent.set(args, (done = new Set()));
  const out = new Map<number, string>();
  for (const i of e.argIndexes) {
    const a = args.get(i);
    if (a === undefined) continue;
    out.set(i, done.has(i) ? '' : a);
    done.add(i);
  }
  return out;
}
