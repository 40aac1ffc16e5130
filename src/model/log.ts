/**
 * Structured logging seen from the core: one line per event, named from the catalogue
 * (`telemetry/log-events.ts`, which a test holds every name in `src/` to). Fields must never
 * carry prompts, outputs or credentials; upstream- or client-controlled strings are bounded by
 * whoever writes them.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<
  string,
  string | number | boolean | readonly string[] | null | undefined
>;

export interface Logger {
  /** Writes one event: `event` is its stable catalogue name, `msg` a human sentence. */
  write(level: LogLevel, event: string, msg: string, fields?: LogFields): void;
  /** Whether `level` is written (so that debug lines are not built when they would be dropped). */
  enabled(level: LogLevel): boolean;
}

export const noopLogger: Logger = { write() {}, enabled: () => false };
