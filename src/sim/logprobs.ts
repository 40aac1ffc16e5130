/**
 * Log probabilities of the simulated model, for requests that ask for them. The answer text is
 * decided elsewhere (answer.ts); here it is split into tokens and each token gets a top-k
 * distribution: deterministic for (answering model, prompt, position), plus a small per-call
 * noise like a real API's (batching makes real logprobs differ in the third decimal).
 *
 * The chosen token is always the most likely one (the simulator answers greedily, so a
 * sampled answer of an open question is simply reported as the top token: a simplification).
 * The `fine-tuned` scenario moves every alternative's logit by 0.05–0.3 nats, renormalised,
 * and keeps the chosen token first by a wide margin: the text and the greedy answer are
 * unchanged, only the distribution moved.
 */
import { createHash } from 'node:crypto';
import { prng } from '../canary/stats.js';

export interface SimTopToken {
  token: string;
  logprob: number;
}

/** One output token with its log probability and the `top` most likely tokens at its place. */
export interface SimToken extends SimTopToken {
  top: SimTopToken[];
}

/** Tokens of a text: words with their following whitespace (they spell the text exactly). */
export function simTokens(text: string): string[] {
  return text.match(/\S+\s*|\s+/gu) ?? [];
}

/** Alternatives per position; requests may ask for up to this many. */
export const MAX_TOP = 20;
/** Per-call noise: each logit moves by up to this much (nats), uniformly. */
export const NOISE = 0.002;

const ALTERNATIVES =
  'The A It I In This Yes No the a an is of and to Answer Sure Well There Here One'.split(' ');

/** Not seeded per request: like a real API, two identical calls differ slightly. */
const noise = prng(0x10b5);

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Rounded as the OpenAI API does (about float32 precision). */
const round = (x: number): number => Math.round(x * 1e6) / 1e6;

function alternatives(chosen: string, seed: Buffer): string[] {
  const out: string[] = [];
  const seen = new Set([chosen]);
  const trimmed = chosen.trim();
  const add = (t: string) => {
    if (t && !seen.has(t)) {
      seen.add(t);
      out.push(t);
    }
  };
  // Near misses first, as a real model's alternatives are (" Mars", "mars", "MARS", …).
  add(` ${trimmed}`);
  add(trimmed.toLowerCase());
  add(trimmed.toUpperCase());
  add(`${trimmed}.`);
  for (let i = 0; out.length < MAX_TOP - 1; i++)
    add(ALTERNATIVES[(seed[i % seed.length]! + i) % ALTERNATIVES.length]! + (i >= 20 ? i : ''));
  return out;
}

/**
 * The logprobs of every token of `text`, each with its `topK` alternatives (0: none, only the
 * chosen token's logprob). `fineTuned` shifts the alternatives (see the file comment).
 */
export function simLogprobs(o: {
  model: string;
  prompt: string;
  text: string;
  topK: number;
  fineTuned: boolean;
}): SimToken[] {
  const k = Math.min(Math.max(0, Math.floor(o.topK)), MAX_TOP);
  return simTokens(o.text).map((token, pos) => {
    const seed = digest(`${o.model}\n${o.prompt}\n${pos}`);
    const alts = alternatives(token, seed);
    // Logits: the chosen token at 0, alternatives 1.5–5 nats below and falling; a tail of
    // the vocabulary holds some mass too (logit −4), so the top-k never sums to 1.
    const logits = [0, ...alts.map((_, i) => -1.5 - i * 0.25 - seed[(i + 7) % 32]! / 255)];
    if (o.fineTuned) {
      const tune = digest(`fine-tuned\n${o.model}\n${o.prompt}\n${pos}`);
      for (let i = 1; i < logits.length; i++) {
        const shift = 0.05 + (0.25 * tune[i % 32]!) / 255;
        logits[i]! += tune[(i + 16) % 32]! & 1 ? shift : -shift;
      }
    }
    for (let i = 0; i < logits.length; i++) logits[i]! += (noise() * 2 - 1) * NOISE;
    const tail = -4;
    const z = Math.log(logits.reduce((s, l) => s + Math.exp(l), Math.exp(tail)));
    const lp = logits.map((l) => round(l - z));
    const ranked = [token, ...alts]
      .map((t, i) => ({ token: t, logprob: lp[i]! }))
      .sort((a, b) => b.logprob - a.logprob);
    return { token, logprob: lp[0]!, top: ranked.slice(0, k) };
  });
}
