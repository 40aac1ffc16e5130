/** A URL found in model output that a renderer would fetch or link, and where it was written. */

/** `image`: fetched when rendered (images, media, frames, styles); `link`: followed on a click; `bare`: a URL in plain text that GFM renderers turn into a link. */
export type CandidateKind = 'image' | 'link' | 'bare';

export interface Candidate {
  /** The destination as a renderer resolves it: escapes and character references decoded. */
  url: string;
  kind: CandidateKind;
  /** Source range of the URL as written: what redaction replaces. */
  start: number;
  end: number;
  /** Source range of the whole construct (image runs are judged by what lies between). */
  markupStart: number;
  markupEnd: number;
  /** An image's alt text or a link's label, when seen. */
  alt?: string | undefined;
  /** Inline markdown: the offset of the `]` before `(` (its label is read from there). */
  bracket?: number | undefined;
  /** What found it. */
  via: 'markdown' | 'definition' | 'autolink' | 'html' | 'css' | 'bare';
}
