/**
 * URLs in CSS (a `<style>` element or a `style` attribute): `url(…)` in any spelling the CSS
 * tokenizer accepts (`URL(`, `u\72 l(`), and quoted strings that are absolute URLs (`@import
 * "…"`, `image-set("…")`). CSS escapes are decoded first, positions mapped back.
 */
import { mayNameHost } from './url-data.js';

export interface CssUrl {
  url: string;
  /** Range in the CSS text as written. */
  start: number;
  end: number;
}

/** CSS with its escapes decoded, and the written offset of each decoded offset. */
function unescapeCss(css: string): { text: string; map: number[] | undefined } {
  if (!css.includes('\\')) return { text: css, map: undefined };
  const out: string[] = [];
  const map: number[] = [];
  for (let i = 0; i < css.length;) {
    if (css[i] === '\\' && i + 1 < css.length && css[i + 1] !== '\n') {
      const hex = /^[0-9a-fA-F]{1,6}/.exec(css.slice(i + 1, i + 7));
      let ch: string;
      let len: number;
      if (hex) {
        const cp = parseInt(hex[0], 16);
        ch =
          cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)
            ? '\ufffd'
            : String.fromCodePoint(cp);
        len = 1 + hex[0].length + (/[ \t\n]/.test(css[i + 1 + hex[0].length] ?? '') ? 1 : 0);
      } else {
        ch = css[i + 1]!;
        len = 2;
      }
      for (const c of ch) {
        out.push(c);
        for (let k = 0; k < c.length; k++) map.push(i);
      }
      i += len;
    } else {
      out.push(css[i]!);
      map.push(i++);
    }
  }
  map.push(css.length);
  return { text: out.join(''), map };
}

const URL_FN = /url\(\s*(?:"([^"\n]*)"?|'([^'\n]*)'?|([^)\s"']*))/gi;
const STRING = /"([^"\n]{0,8192})"|'([^'\n]{0,8192})'/g;
const ABSOLUTE = /^\s*(?:[a-z][a-z0-9+.-]*:|[/\\]{2})/i;
/** A string that names a host once tabs and newlines are dropped (`"/\9 /evil.test/…"`). */
const absolute = (url: string) => ABSOLUTE.test(url) || mayNameHost(url);

export function cssUrls(css: string): CssUrl[] {
  const { text, map } = unescapeCss(css);
  const at = (i: number) => (map ? map[i]! : i);
  const out: CssUrl[] = [];
  const add = (url: string, s: number) => out.push({ url, start: at(s), end: at(s + url.length) });
  for (const m of text.matchAll(URL_FN)) {
    const url = m[1] ?? m[2] ?? m[3] ?? '';
    add(url, m.index + m[0].length - url.length);
  }
  for (const m of text.matchAll(STRING)) {
    const url = m[1] ?? m[2] ?? '';
    if (absolute(url)) add(url, m.index + 1);
  }
  return out;
}
