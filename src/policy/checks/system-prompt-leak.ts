/**
 * `system-prompt-leak`: long verbatim overlap between the output and the request's system
 * prompt (OWASP LLM07). Word shingles of the prompt are hashed once per request; the output's
 * shingles are looked up, and runs of matches become spans.
 */
import { z } from 'zod';
import type { Span } from '../../model/verdict.js';
import { defineCheck, PASS } from './types.js';

const params = z.strictObject({
  /** Words per shingle. */
  shingle: z.number().int().min(3).max(50).default(8),
  /** Fail when the leaked run totals at least this many characters. */
  min_chars: z.number().int().positive().default(80),
  /** A honeytoken planted in system prompts: any occurrence in the output fails. */
  honeytoken: z.string().min(8).optional(),
});

const WORD = /[\p{L}\p{N}]+/gu;

function words(text: string): { w: string; start: number; end: number }[] {
  const out: { w: string; start: number; end: number }[] = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m; m = WORD.exec(text)) out.push({ w: m[0].toLowerCase(), start: m.index, end: m.index + m[0].length });
  return out;
}

export const systemPromptLeakCheck = defineCheck({
  id: 'system-prompt-leak',
  summary: "Long verbatim overlap with the request's system prompt, and an optional honeytoken planted in it.",
  params,
  actions: ['block', 'redact', 'flag'],
  create(p) {
    return {
      evaluate(input) {
        const spans: Span[] = [];
        if (p.honeytoken) {
          for (let i = input.text.indexOf(p.honeytoken); i !== -1; i = input.text.indexOf(p.honeytoken, i + 1)) spans.push({ start: i, end: i + p.honeytoken.length });
        }
        const prompt = input.request.systemPrompt;
        if (prompt) {
          const pw = words(prompt).map((x) => x.w);
          const set = new Set<string>();
          for (let i = 0; i + p.shingle <= pw.length; i++) set.add(pw.slice(i, i + p.shingle).join(' '));
          const ow = words(input.text);
          let runStart = -1;
          let runEnd = -1;
          const close = () => {
            if (runStart !== -1 && runEnd - runStart >= p.min_chars) spans.push({ start: runStart, end: runEnd });
            runStart = runEnd = -1;
          };
          for (let i = 0; i + p.shingle <= ow.length; i++) {
            if (set.has(ow.slice(i, i + p.shingle).map((x) => x.w).join(' '))) {
              const s = ow[i]!.start;
              const e = ow[i + p.shingle - 1]!.end;
              if (runStart === -1 || s > runEnd) {
                close();
                runStart = s;
              }
              runEnd = Math.max(runEnd, e);
            }
          }
          close();
        }
        return spans.length ? { status: 'fail', spans, detail: `${spans.length} passage(s) of the system prompt or its honeytoken` } : PASS;
      },
    };
  },
});
