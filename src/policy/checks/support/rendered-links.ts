/**
 * Every URL in model output that a markdown renderer with raw HTML on (markdown-it, marked,
 * react-markdown with rehype-raw, most chat UIs) would fetch or link: markdown
 * (`markdown-links.ts`) and HTML (`html-links.ts`), duplicates dropped.
 */
import type { Candidate } from './candidate.js';
import { htmlLinks } from './html-links.js';
import { resolveLabels } from './markdown-labels.js';
import { markdownLinks } from './markdown-links.js';

export interface RenderedOptions {
  /** Include bare URLs (GFM autolink literals). */
  bare: boolean;
  /**
   * Which inline markdown candidates to read the labels of (image or link, alt text): reading
   * labels costs a pass over their paragraphs, and a check may need only some. Default: all.
   */
  labels?: (candidates: readonly Candidate[]) => readonly Candidate[];
}

export function renderedLinks(text: string, options: RenderedOptions): Candidate[] {
  const all = markdownLinks(text, options);
  resolveLabels(text, options.labels ? options.labels(all) : all);
  // Concatenated, not spread: hostile text can hold hundreds of thousands of tags.
  return text.includes('<') ? all.concat(htmlLinks(text)) : all;
}
