/** Structured logging seen from the core. Fields must never carry prompts, outputs or keys. */
export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export const noopLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
