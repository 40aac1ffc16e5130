import { open } from 'node:fs/promises';

/** The end of an audit file: its last complete line, and any bytes after the last newline. */
export interface FileTail {
  /** The last newline-terminated line, without its newline; undefined if there is none. */
  lastLine: string | undefined;
  /** Bytes after the last newline: a write torn by a crash. Empty when the file ends cleanly. */
  torn: Buffer;
  /** Where the torn bytes start (= the length to truncate the file to). */
  cleanLength: number;
}

/** Reads backwards from the end, doubling the window, so resuming never reads a whole file. */
export async function readTail(path: string): Promise<FileTail | undefined> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const size = (await fh.stat()).size;
    for (let window = 64 * 1024; ; window *= 2) {
      const start = Math.max(0, size - window);
      const buf = Buffer.alloc(size - start);
      await fh.read(buf, 0, buf.length, start);
      const lastNl = buf.lastIndexOf(0x0a);
      if (lastNl < 0 && start > 0) continue;
      const torn = buf.subarray(lastNl + 1);
      if (lastNl < 0) return { lastLine: undefined, torn, cleanLength: 0 };
      const prevNl = buf.lastIndexOf(0x0a, lastNl - 1);
      if (prevNl < 0 && start > 0) continue;
      return {
        lastLine: buf.subarray(prevNl + 1, lastNl).toString('utf8'),
        torn,
        cleanLength: start + lastNl + 1,
      };
    }
  } finally {
    await fh.close();
  }
}
