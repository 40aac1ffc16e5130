/**
 * YAML files with positions: parse (JSON is YAML too), substitute `${VAR}` in string
 * scalars, validate with a zod schema, and report every problem as `file:line:col: message`.
 * Used for the config, policy, policy-test and canary files alike.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Document, Node } from 'yaml';
import type { z } from 'zod';
import type { SourceIssue } from '../errors.js';

export interface YamlSource {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

export type Env = Readonly<Record<string, string | undefined>>;

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function parseYaml(
  text: string,
  file: string,
  env?: Env,
): { source: YamlSource; value: unknown; issues: SourceIssue[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const source: YamlSource = { file, doc, lines };
  const at = (offset: number, message: string): SourceIssue => {
    const p = lines.linePos(offset);
    return { file, line: Math.max(p.line, 1), col: Math.max(p.col, 1), message };
  };
  const issues: SourceIssue[] = doc.errors.map((e) =>
    at(e.pos[0], e.message.split('\n')[0] ?? e.message),
  );
  if (issues.length > 0) return { source, value: undefined, issues };

  if (env) {
    visit(doc, {
      Scalar(_key, node) {
        if (typeof node.value !== 'string' || !node.value.includes('${')) return;
        node.value = node.value.replace(
          VAR,
          (whole, name: string, fallback: string | undefined) => {
            const v = env[name];
            if (v !== undefined && v !== '') return v;
            if (fallback !== undefined) return fallback;
            issues.push(
              at(
                node.range?.[0] ?? 0,
                `environment variable ${name} is not set (write \${${name}:-default} for a default)`,
              ),
            );
            return whole;
          },
        );
      },
    });
  }
  return { source, value: doc.toJS({ maxAliasCount: 100 }), issues };
}

/**
 * Position of the node at `path`, or of its nearest existing ancestor. With `atKey`, the
 * position of the last segment's key rather than its value.
 */
export function locate(
  source: YamlSource,
  path: readonly PropertyKey[],
  message: string,
  atKey = false,
): SourceIssue {
  let node: unknown = source.doc.contents;
  let found: Node | undefined = isNode(node) ? node : undefined;
  let keyNode: Node | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
      );
      if (!pair) break;
      keyNode = isNode(pair.key) ? pair.key : undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      keyNode = undefined;
    } else break;
    if (atKey && keyNode && seg === path[path.length - 1]) found = keyNode;
    else if (isNode(node)) found = node;
    else if (keyNode) found = keyNode;
    else break;
  }
  const offset = found?.range?.[0] ?? 0;
  const p = source.lines.linePos(offset);
  return { file: source.file, line: Math.max(p.line, 1), col: Math.max(p.col, 1), message };
}

export function zodIssues(
  source: YamlSource,
  error: z.ZodError,
  prefix: readonly PropertyKey[] = [],
): SourceIssue[] {
  return error.issues.flatMap((i) => {
    const path = [...prefix, ...i.path];
    const where = path.length ? `${path.map(String).join('.')}: ` : '';
    if (i.code === 'unrecognized_keys') {
      return i.keys.map((k) => locate(source, [...path, k], `${where}unknown key "${k}"`, true));
    }
    return [locate(source, path, `${where}${i.message}`)];
  });
}

/** The largest config, policy or canary file read (a bigger one would stall a reload). */
export const MAX_SOURCE_BYTES = 1024 * 1024;

function kindOf(s: Stats): string {
  if (s.isFIFO()) return 'fifo';
  if (s.isDirectory()) return 'directory';
  if (s.isCharacterDevice()) return 'character device';
  if (s.isBlockDevice()) return 'block device';
  if (s.isSocket()) return 'socket';
  return 'not a file';
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file; check the path',
  EACCES: 'permission denied',
  ENOTDIR: 'a part of the path is not a directory',
};

const mib = (n: number) => `${Math.round((n / 1024 ** 2) * 100) / 100} MiB`;

/**
 * Reads a source file as UTF-8, refusing anything but a regular file (symlinks to one are
 * fine) and anything over `maxBytes`. A FIFO or device is never read, and is opened only
 * non-blocking, to re-check what was opened: a FIFO put in place between the checks cannot
 * block the process either.
 */
export function readSourceFile(
  file: string,
  maxBytes: number = MAX_SOURCE_BYTES,
): { ok: true; text: string } | { ok: false; issue: SourceIssue } {
  const refuse = (message: string) => ({
    ok: false as const,
    issue: { file, line: 1, col: 1, message },
  });
  const check = (s: Stats) => {
    if (!s.isFile()) return refuse(`not a regular file (${kindOf(s)})`);
    if (s.size > maxBytes)
      return refuse(`file is too large (${s.size} bytes; the limit is ${mib(maxBytes)})`);
    return undefined;
  };
  let fd: number | undefined;
  try {
    const before = check(statSync(file));
    if (before) return before;
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const after = check(fstatSync(fd));
    if (after) return after;
    // Read to the end, not to the size seen: the file may be growing.
    const chunks: Buffer[] = [];
    const chunk = Buffer.allocUnsafe(64 * 1024);
    let total = 0;
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0;) {
      total += n;
      if (total > maxBytes) return refuse(`file is too large (over ${mib(maxBytes)})`);
      chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
    return { ok: true, text: Buffer.concat(chunks).toString('utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code ? READ_ERRORS[code] : undefined;
    return refuse(`cannot read file: ${code ?? String(e)}${why ? ` (${why})` : ''}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Reads, parses and validates a YAML file; returns the typed value or the issues. */
export function loadYamlFile<S extends z.ZodType>(
  file: string,
  schema: S,
  env?: Env,
): { ok: true; value: z.output<S>; source: YamlSource } | { ok: false; issues: SourceIssue[] } {
  const read = readSourceFile(file);
  if (!read.ok) return { ok: false, issues: [read.issue] };
  return validateYaml(read.text, file, schema, env);
}

export function validateYaml<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  env?: Env,
): { ok: true; value: z.output<S>; source: YamlSource } | { ok: false; issues: SourceIssue[] } {
  const { source, value, issues } = parseYaml(text, file, env);
  if (issues.length > 0) return { ok: false, issues };
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) return { ok: false, issues: zodIssues(source, parsed.error) };
  return { ok: true, value: parsed.data, source };
}
