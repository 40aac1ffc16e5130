/**
 * htmlparser2, loaded when the first answer holds an HTML tag or a named character reference
 * rather than at start (~2 MB resident, mostly its entity tables). Its types are imported
 * statically; only the module's code waits.
 */
import { createRequire } from 'node:module';
import type * as HtmlParser2Module from 'htmlparser2';

type HtmlParser2 = typeof HtmlParser2Module;
let loaded: HtmlParser2 | undefined;

export const htmlparser2 = (): HtmlParser2 =>
  (loaded ??= createRequire(import.meta.url)('htmlparser2') as HtmlParser2);
