/**
 * Log probabilities repeat the tokens of a text, and a client may show them in its place: so
 * they must spell exactly the text that is checked, or the answer is malformed. Only the
 * chosen tokens are compared: `top_logprobs` are alternatives the model did not output and are
 * not checked. A choice whose text a redaction changes loses its `logprobs` whole,
 * alternatives included.
 *
 * Compared as UTF-8 bytes: a token that is part of a multi-byte character is written as byte
 * escapes (`\xe2\x80`, `bytes:\xe2\x80` in Completions), which spell no text a client could
 * read as letters; its bytes count. A token's `bytes`, when given, must be its bytes too.
 */
import type { TokenLogprob } from '../../model/exchange.js';
import { arr, num, obj, str } from '../read.js';

const ESCAPES = /^(?:bytes:)?((?:\\x[0-9a-fA-F]{2})+)$/;

/** The bytes of a list entry, or undefined when its token and `bytes` disagree (malformed). */
function entryBytes(token: string, bytes: unknown): Buffer | undefined {
  const esc = ESCAPES.exec(token);
  const b = esc ? Buffer.from(esc[1]!.replace(/\\x/g, ''), 'hex') : Buffer.from(token, 'utf8');
  if (bytes === undefined || bytes === null) return b;
  const list = arr(bytes);
  if (!list || list.length !== b.length) return undefined;
  return list.every((x, i) => x === b[i]) ? b : undefined;
}

/**
 * Whether the tokens of `list` (absent or null: none shown) joined are exactly `text`;
 * `token` reads one entry's token and bytes, undefined when the entry has no token (malformed).
 */
export function tokensSpell(
  list: unknown,
  text: string,
  token: (entry: unknown) => { token: string; bytes?: unknown } | undefined,
): boolean {
  if (list === undefined || list === null) return true;
  const entries = arr(list);
  if (!entries) return false;
  const want = Buffer.from(text, 'utf8');
  let at = 0;
  for (const e of entries) {
    const t = token(e);
    const b = t && entryBytes(t.token, t.bytes);
    // Compared piece by piece: a hostile list never builds more than the text.
    if (!b || at + b.length > want.length || !want.subarray(at, at + b.length).equals(b))
      return false;
    at += b.length;
  }
  return at === want.length;
}

/** A chat token entry: `{token, logprob, bytes, top_logprobs}`. */
const chatToken = (e: unknown) => {
  const o = obj(e);
  const token = str(o?.['token']);
  return token === undefined ? undefined : { token, bytes: o?.['bytes'] };
};

/**
 * Whether a chat choice's `logprobs` (buffered message or streamed frame) match its texts:
 * `content[]` tokens spell the content, `refusal[]` tokens the refusal.
 * https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices-logprobs
 */
export function chatLogprobsMatch(logprobs: unknown, content: string, refusal: string): boolean {
  if (logprobs === undefined || logprobs === null) return true;
  const o = obj(logprobs);
  return (
    o !== undefined &&
    tokensSpell(o['content'], content, chatToken) &&
    tokensSpell(o['refusal'], refusal, chatToken)
  );
}

/**
 * Whether a completions choice's `logprobs` match its text: `tokens[]` spell `text`.
 * https://platform.openai.com/docs/api-reference/completions/object#completions/object-choices
 */
export function completionLogprobsMatch(logprobs: unknown, text: string): boolean {
  if (logprobs === undefined || logprobs === null) return true;
  const o = obj(logprobs);
  return (
    o !== undefined &&
    tokensSpell(o['tokens'], text, (t) => {
      const token = str(t);
      return token === undefined ? undefined : { token };
    })
  );
}

const alternative = (e: unknown) => {
  const o = obj(e);
  const token = str(o?.['token']);
  const logprob = num(o?.['logprob']);
  return token === undefined || logprob === undefined ? [] : [{ token, logprob }];
};

/**
 * The content tokens of a chat choice's `logprobs`, with their `top_logprobs`; undefined when
 * there are none (not asked for, or an entry without a numeric logprob).
 */
export function readChatLogprobs(logprobs: unknown): TokenLogprob[] | undefined {
  const content = arr(obj(logprobs)?.['content']);
  if (!content?.length) return undefined;
  const out: TokenLogprob[] = [];
  for (const e of content) {
    const [t] = alternative(e);
    if (!t) return undefined;
    out.push({ ...t, top: (arr(obj(e)?.['top_logprobs']) ?? []).flatMap(alternative) });
  }
  return out;
}

/**
 * The tokens of a completions choice's `logprobs` (`tokens`, `token_logprobs`, and
 * `top_logprobs` as one `{token: logprob}` object per token); undefined when there are none.
 */
export function readCompletionLogprobs(logprobs: unknown): TokenLogprob[] | undefined {
  const o = obj(logprobs);
  const tokens = arr(o?.['tokens']);
  const lps = arr(o?.['token_logprobs']);
  const tops = arr(o?.['top_logprobs']);
  if (!tokens?.length || !lps) return undefined;
  const out: TokenLogprob[] = [];
  for (const [i, tok] of tokens.entries()) {
    const token = str(tok);
    const logprob = num(lps[i]);
    if (token === undefined || logprob === undefined) return undefined;
    const top = Object.entries(obj(tops?.[i]) ?? {}).flatMap(([t, lp]) => {
      const v = num(lp);
      return v === undefined ? [] : [{ token: t, logprob: v }];
    });
    out.push({ token, logprob, top });
  }
  return out;
}
