/**
 * Baseline files: the completions a distribution canary compares against. Each file carries
 * a SHA-256 of its canonical content and, when a key is configured, an HMAC-SHA-256; both are
 * verified at load and a file that fails either is refused. The digest catches corruption and
 * careless edits; only the HMAC stops someone who can rewrite the file.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '../model/canonical-json.js';

export const BASELINE_FORMAT = 1;

export interface BaselineEntry {
  upstream: string;
  model: string;
  /** Digest of what was asked (path, model, request), so a changed canary is not compared. */
  request_sha256: string;
  max_chars: number;
  samples: string[];
  /** Embedding canaries: the reference vector. */
  vector?: number[];
  /** Logprob canaries: what was asked for, and per call, per position, the top tokens. */
  logprobs?: BaselineLogprobs;
}

export interface BaselineLogprobs {
  top_k: number;
  tokens: number;
  calls: { token: string; logprob: number }[][][];
}

const isTop = (t: unknown): boolean => {
  const o = t as { token?: unknown; logprob?: unknown } | null;
  return !!o && typeof o.token === 'string' && Number.isFinite(o.logprob);
};

function isLogprobs(v: unknown): v is BaselineLogprobs {
  const l = v as BaselineLogprobs | null;
  return (
    !!l &&
    Number.isInteger(l.top_k) &&
    Number.isInteger(l.tokens) &&
    Array.isArray(l.calls) &&
    l.calls.every(
      (call) => Array.isArray(call) && call.every((pos) => Array.isArray(pos) && pos.every(isTop)),
    )
  );
}

export interface BaselineContent {
  coalmine_baseline: number;
  created: string;
  canaries: Record<string, BaselineEntry>;
}

export interface BaselineFile extends BaselineContent {
  sha256: string;
  hmac_sha256?: string;
}

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const hmac = (key: string, s: string): string => createHmac('sha256', key).update(s).digest('hex');

/** The digest identifying one canary's request. */
export function requestDigest(path: string, model: string, request: unknown): string {
  return sha256(canonicalJson({ path, model, request }));
}

/** A file's content with its SHA-256 and, with a key, its HMAC-SHA-256 (of the canonical JSON). */
export type Sealed<T> = T & { sha256: string; hmac_sha256?: string };

export function seal<T extends object>(content: T, key: string | undefined): Sealed<T> {
  const text = canonicalJson(content);
  return {
    ...content,
    sha256: sha256(text),
    ...(key ? { hmac_sha256: hmac(key, text) } : {}),
  };
}

export function sealBaseline(content: BaselineContent, key: string | undefined): BaselineFile {
  return seal(content, key);
}

const sameHex = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function isEntry(v: unknown): v is BaselineEntry {
  const e = v as BaselineEntry;
  return (
    !!e &&
    typeof e.upstream === 'string' &&
    typeof e.model === 'string' &&
    typeof e.request_sha256 === 'string' &&
    Number.isInteger(e.max_chars) &&
    Array.isArray(e.samples) &&
    e.samples.every((s) => typeof s === 'string') &&
    (e.vector === undefined ||
      (Array.isArray(e.vector) && e.vector.every((x) => typeof x === 'number'))) &&
    (e.logprobs === undefined || isLogprobs(e.logprobs))
  );
}

/**
 * Why a sealed file's content does not verify (its digest, or its HMAC when a key is given), or
 * undefined when it does.
 */
export function sealProblem(
  content: object,
  f: { sha256?: unknown; hmac_sha256?: unknown },
  key: string | undefined,
): string | undefined {
  if (typeof f.sha256 !== 'string') return 'has no sha256';
  const text = canonicalJson(content);
  if (!sameHex(sha256(text), f.sha256))
    return 'content does not match its sha256 (modified or corrupt)';
  if (key) {
    if (typeof f.hmac_sha256 !== 'string') return 'is not signed but an HMAC key is configured';
    if (!sameHex(hmac(key, text), f.hmac_sha256))
      return 'HMAC does not verify (wrong key or tampered file)';
  }
  return undefined;
}

/** Verifies a parsed baseline file; returns its content or why it is refused. */
export function verifyBaseline(
  value: unknown,
  key: string | undefined,
): { ok: true; content: BaselineContent; warning?: string } | { ok: false; reason: string } {
  const f = value as Partial<BaselineFile> | undefined;
  if (!f || typeof f !== 'object' || f.coalmine_baseline !== BASELINE_FORMAT)
    return { ok: false, reason: `not a Coalmine baseline file (format ${BASELINE_FORMAT})` };
  const content: BaselineContent = {
    coalmine_baseline: f.coalmine_baseline,
    created: String(f.created),
    canaries: f.canaries ?? {},
  };
  const problem = sealProblem(content, f, key);
  if (problem) return { ok: false, reason: `baseline ${problem}` };
  for (const [id, e] of Object.entries(content.canaries))
    if (!isEntry(e)) return { ok: false, reason: `baseline entry "${id}" is malformed` };
  return f.hmac_sha256 && !key
    ? { ok: true, content, warning: 'baseline is signed but no HMAC key is configured' }
    : { ok: true, content };
}
