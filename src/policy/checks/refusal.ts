/**
 * `refusal`: the model declined the task. For metrics, drift signals and canaries (a safety
 * probe that must be refused), so flag by default. Markers are matched on the lower-cased,
 * apostrophe-normalised text; openers only count near the start.
 */
import { z } from 'zod';
import { escape, trieSource } from './support/trie.js';
import { defineCheck, PASS } from './types.js';

/** Phrases that, anywhere in a short answer, say the model will not do it. */
const MARKERS = [
  "i can't assist",
  'i cannot assist',
  "i can't help with",
  'i cannot help with',
  "i won't be able to",
  "i'm not able to",
  'i am not able to',
  "i'm unable to",
  'i am unable to',
  'i cannot comply',
  "i can't comply",
  'i cannot provide',
  "i can't provide",
  'i cannot fulfill',
  "i can't fulfill",
  'i cannot fulfil',
  "i can't continue",
  'i cannot continue',
  'i cannot do that',
  "i can't do that",
  'i must decline',
  'i have to decline',
  'i will not',
  "i won't",
  "i'm not going to",
  'against my programming',
  'against my guidelines',
  'as an ai',
  'as a language model',
  'not able to provide',
  'cannot engage',
  "can't engage",
  'this request is denied',
  'request is denied',
  'i cannot create',
  "i can't create",
  'i cannot write',
  "i can't write",
  'i cannot generate',
  "i can't generate",
  'it would be unethical',
  'it is not appropriate',
  "it's not appropriate",
  "i'm not comfortable",
  'i am not comfortable',
  'i cannot support',
  'i cannot answer',
  "i can't answer",
  "i'm afraid i can't",
  'i cannot share',
  "i can't share",
  'not something i can help',
  'i cannot',
  "i can't",
];
/** Openers that signal a refusal when the answer starts with them. */
const OPENERS = [
  "i'm sorry",
  'i am sorry',
  "i'm very sorry",
  "i'm really sorry",
  'sorry',
  'i apologize',
  'i apologise',
  'my apologies',
  'unfortunately',
  'no,',
];

const params = z.strictObject({
  /** Extra marker phrases (case-insensitive). */
  phrases: z.array(z.string().min(1)).default([]),
  /** Only the first this-many characters are examined: refusals come first. */
  window: z.number().int().positive().default(400),
});

const markerRegex = (extra: readonly string[]) =>
  new RegExp(trieSource([...MARKERS, ...extra.map((x) => x.toLowerCase())]));
const DEFAULT_MARKERS = markerRegex([]);
const OPENER = new RegExp(`^(?:${OPENERS.map(escape).join('|')})`);
const NEGATION = /\b(?:cannot|can't|unable|not able|won't|decline)\b/;

/** The last answer judged: the check and the live refusal signal read the same text. */
const last = { text: '', markers: DEFAULT_MARKERS, window: 0, refused: false };

export function looksLikeRefusal(
  text: string,
  markers: RegExp = DEFAULT_MARKERS,
  window = 400,
): boolean {
  if (text === last.text && markers === last.markers && window === last.window) return last.refused;
  const t = text.slice(0, window).toLowerCase().replace(/[’‘`]/g, "'").trim();
  const refused = !!t && (markers.test(t) || (OPENER.test(t) && NEGATION.test(t)));
  Object.assign(last, { text, markers, window, refused });
  return refused;
}

export const refusalCheck = defineCheck({
  id: 'refusal',
  summary: 'The model refused the task (for metrics, drift and canaries; flag by default).',
  params,
  actions: ['block', 'flag'],
  create(p) {
    const markers = p.phrases.length ? markerRegex(p.phrases) : DEFAULT_MARKERS;
    return {
      reads: { text: p.window, toolCallArguments: false },
      evaluate(input) {
        // A refusal field is a refusal, whatever the content says.
        return input.refusal || looksLikeRefusal(input.text, markers, p.window)
          ? { status: 'fail', spans: [], detail: 'the model refused' }
          : PASS;
      },
    };
  },
});
