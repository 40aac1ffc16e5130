/** The process logger: one JSON object per line on stderr. Wired in the composition root. */
import { jsonLine } from './model/json-line.js';
import type { LogFields, Logger, LogLevel } from './model/log.js';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type { LogLevel } from './model/log.js';

/**
 * Lines are `{"time","level","event","msg",…fields}`; `time` is RFC 3339 (UTC). A field named
 * like one of those four cannot replace it. U+2028 and U+2029 are escaped (`jsonLine`).
 */
export function jsonLogger(
  level: LogLevel,
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const min = LEVELS[level];
  return {
    enabled: (lvl) => LEVELS[lvl] >= min,
    write(lvl, event, msg, fields?: LogFields) {
      if (LEVELS[lvl] < min) return;
      const head = { time: new Date().toISOString(), level: lvl, event, msg };
      const json = JSON.stringify(fields ? Object.assign({ ...head }, fields, head) : head);
      write(`${jsonLine(json)}\n`);
    },
  };
}
