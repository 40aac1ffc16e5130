/**
 * Character references (`&amp;`, `&#104;`, `&#x68;`, `&colon;`) as CommonMark decodes them in
 * link destinations: only complete references, ending in `;`, with the HTML5 named set —
 * looked up through htmlparser2's tokenizer (its `entities` tables), never hand-copied.
 */
import type { Tokenizer, TokenizerCallbacks } from 'htmlparser2';
import { htmlparser2 } from './htmlparser.js';

const REF = /&(?:#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});/g;

let decoded = '';
/** Whether the tokenizer left part of the reference as text (`&ampx;` is not `&amp;`). */
let partial = false;
const noop = () => undefined;
const callbacks: TokenizerCallbacks = {
  onattribdata: noop,
  onattribentity: noop,
  onattribend: noop,
  onattribname: noop,
  oncdata: noop,
  onclosetag: noop,
  oncomment: noop,
  ondeclaration: noop,
  onend: noop,
  onopentagend: noop,
  onopentagname: noop,
  onprocessinginstruction: noop,
  onselfclosingtag: noop,
  ontext() {
    partial = true;
  },
  ontextentity(cp) {
    decoded += String.fromCodePoint(cp);
  },
};
let tokenizer: Tokenizer | undefined;
/** Named references seen, decoded (a bounded set: the HTML5 names). */
const named = new Map<string, string>();

function numeric(ref: string): string {
  const cp =
    ref[2] === 'x' || ref[2] === 'X'
      ? parseInt(ref.slice(3, -1), 16)
      : parseInt(ref.slice(2, -1), 10);
  // CommonMark: U+0000, surrogates and values past U+10FFFF become U+FFFD.
  return cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)
    ? '\ufffd'
    : String.fromCodePoint(cp);
}

function lookup(ref: string): string {
  let v = named.get(ref);
  if (v !== undefined) return v;
  decoded = '';
  partial = false;
  tokenizer ??= new (htmlparser2().Tokenizer)({ decodeEntities: true }, callbacks);
  tokenizer.reset();
  tokenizer.write(ref);
  tokenizer.end();
  // An unknown name, or a legacy prefix of one (`&ampx;`), stays as written.
  v = decoded && !partial ? decoded : ref;
  if (named.size < 4096) named.set(ref, v);
  return v;
}

/** `s` with its complete character references decoded (unknown names stay as they are). */
export function decodeCharRefs(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(REF, (ref) => (ref[1] === '#' ? numeric(ref) : lookup(ref)));
}
