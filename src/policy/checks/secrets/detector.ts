/**
 * The contract of a credential detector, and the pieces most detectors share. One detector
 * finds one service's credential format (or one kind of credential: private keys, URL
 * passwords, `name = value` assignments); `detectors.ts` lists them all, family by family.
 */
import { shannon } from '../support/entropy.js';

/** Groups of services, for the measurements (recall per family) and the docs. */
export type Family =
  | 'cloud'
  | 'hosting'
  | 'devops'
  | 'vcs'
  | 'registries'
  | 'ai'
  | 'payments'
  | 'messaging'
  | 'webhooks'
  | 'saas'
  | 'observability'
  | 'social'
  | 'keys'
  | 'connection'
  | 'generic';

export interface Detector {
  /** Stable id, used in policies (`detectors:`, `exclude:`) and in findings. */
  id: string;
  /** Whose credential it is (a service, or a format such as PEM or JWT). */
  provider: string;
  family: Family;
  /**
   * Lower-case literals (at least 2 characters), one of which every match contains: the
   * check runs a detector only when one occurs in the text (one case-insensitive pass for
   * all detectors), and they are the stream gate's triggers unless `streamKeywords` is set.
   */
  keywords: readonly string[];
  /**
   * Global regex, linear-time (bounded quantifiers, no nested unbounded repetition). Named
   * group `s` (or `t`, in an alternative where `s` does not take part), when present, is the
   * secret span, and the match ends where it ends (trailing context goes in lookaheads): its
   * start is found as its last occurrence in the match. Without either, the match is the secret.
   */
  re: RegExp;
  /** Length of the fixed prefix, excluded from the placeholder and entropy tests. */
  prefix?: number;
  /** Minimum Shannon entropy (bits per character) of the secret without its prefix. */
  minEntropy?: number;
  /** A structural test the format documents (checksum, decodable payload, field ranges). */
  validate?(secret: string, match: RegExpExecArray): boolean;
  /** The part of the secret the placeholder test reads (default: all of it). */
  inspect?(secret: string): string;
  /** Streaming: how far before a trigger the secret can start (default 0). */
  lead?: number;
  /** Streaming: the longest match, from `lead` characters before the trigger (default 256). */
  maxSpan?: number;
  /** Streaming: tested on the text after a trigger; once it matches, a match is complete. */
  settle?: RegExp;
  /** Streaming triggers, when the keywords are not the right ones to hold from. */
  streamKeywords?: readonly string[];
}

/** A token ended: a character no token format contains. */
export const TOKEN_END = /[^A-Za-z0-9_\-./+=~]/;

/** The line ended: no match of a detector whose context and value sit on one line can grow. */
export const LINE_END = /[\r\n]/;

/** A URL ended (whitespace, quotes, brackets). */
export const URL_END = /[\s"'<>`)\]}|\\]/;

export function entropyOk(d: Detector, secret: string): boolean {
  return d.minEntropy === undefined || shannon(secret.slice(d.prefix ?? 0)) >= d.minEntropy;
}
