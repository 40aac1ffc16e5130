/**
 * Rate limiting of repeated log events, never silent: per event and the values of the fields
 * its catalogue entry is limited by (`limitBy`), the first `burst` lines of a window are
 * written and the rest counted; the count is written as one `events_suppressed` line when the
 * window closes (a timer sweeps closed windows), when the next line of that key is let through,
 * when the key is evicted, and on `flush()` at shutdown.
 *
 * Keys carry values a client can vary (a peer address, a rule hit by crafted output), so the
 * windows live in an LRU of `maxKeys`: an evicted window with lines held back reports them.
 */
import { LRUCache } from 'lru-cache';
import type { LogFields, Logger, LogLevel } from '../model/log.js';
import type { LogEventSpec } from './log-events.js';
import { LOG_EVENTS, RATE_LIMIT } from './log-events.js';

export interface LimitOptions {
  burst: number;
  windowMs: number;
  maxKeys: number;
  /** The clock (ms), injectable for tests. */
  now?: () => number;
}

interface Window {
  start: number;
  written: number;
  suppressed: number;
  event: string;
  level: LogLevel;
  key: LogFields;
}

const SPECS: Readonly<Record<string, LogEventSpec>> = LOG_EVENTS;

export class RateLimitedLogger implements Logger {
  private readonly windows: LRUCache<string, Window>;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly inner: Logger,
    private readonly opts: LimitOptions = RATE_LIMIT,
  ) {
    this.now = opts.now ?? Date.now;
    this.windows = new LRUCache<string, Window>({
      max: opts.maxKeys,
      dispose: (w, _k, reason) => {
        if (reason === 'evict') this.report(w);
      },
    });
  }

  enabled(level: LogLevel): boolean {
    return this.inner.enabled(level);
  }

  write(level: LogLevel, event: string, msg: string, fields?: LogFields): void {
    const by = SPECS[event]?.limitBy;
    if (by === undefined || !this.inner.enabled(level)) {
      this.inner.write(level, event, msg, fields);
      return;
    }
    const keyFields: LogFields = {};
    for (const f of by) keyFields[f] = fields?.[f];
    const k = JSON.stringify([event, ...by.map((f) => fields?.[f] ?? null)]);
    const t = this.now();
    let w = this.windows.get(k);
    if (w && t - w.start >= this.opts.windowMs) {
      this.report(w);
      w = undefined;
    }
    if (!w) {
      w = { start: t, written: 0, suppressed: 0, event, level, key: keyFields };
      this.windows.set(k, w);
    }
    if (w.written < this.opts.burst) {
      w.written++;
      this.inner.write(level, event, msg, fields);
    } else {
      w.suppressed++;
      this.arm();
    }
  }

  /** Reports and forgets the windows that have closed. */
  sweep(): void {
    const t = this.now();
    const closed = [...this.windows.entries()].filter(([, w]) => t - w.start >= this.opts.windowMs);
    for (const [k, w] of closed) {
      this.report(w);
      this.windows.delete(k);
    }
  }

  /** Reports every line held back, windows open or not (at shutdown). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.windows.values()) this.report(w);
    this.windows.clear();
  }

  private report(w: Window): void {
    if (w.suppressed === 0) return;
    const count = w.suppressed;
    w.suppressed = 0;
    this.inner.write(w.level, 'events_suppressed', `${count} ${w.event} lines suppressed`, {
      ...w.key,
      suppressed_event: w.event,
      count,
      window_s: this.opts.windowMs / 1000,
    });
  }

  /** While lines are held back, sweeps once a window so that their count is not left waiting. */
  private arm(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sweep();
      if ([...this.windows.values()].some((w) => w.suppressed > 0)) this.arm();
    }, this.opts.windowMs);
    this.timer.unref();
  }
}
