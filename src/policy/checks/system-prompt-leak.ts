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

interface Words {
  ids: Int32Array;
  starts: number[];
  ends: number[];
}

/** Words of `text` as ids in `dict` (new words get new ids when `grow`, else -1). */
function words(text: string, dict: Map<string, number>, grow: boolean): Words {
  const ids: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m; m = WORD.exec(text)) {
    const w = m[0].toLowerCase();
    let id = dict.get(w);
    if (id === undefined) {
      id = grow ? dict.size : -1;
      if (grow) dict.set(w, id);
    }
    ids.push(id);
    starts.push(m.index);
    ends.push(m.index + m[0].length);
  }
  return { ids: Int32Array.from(ids), starts, ends };
}

const key = (ids: Int32Array, i: number, k: number) => ids.subarray(i, i + k).join(',');

export const systemPromptLeakCheck = defineCheck({
  id: 'system-prompt-leak',
  summary:
    "Long verbatim overlap with the request's system prompt, and an optional honeytoken planted in it.",
  params,
  actions: ['block', 'redact', 'flag'],
  create(p) {
    return {
      evaluate(input) {
        const spans: Span[] = [];
        if (p.honeytoken) {
          for (
            let i = input.text.indexOf(p.honeytoken);
            i !== -1;
            i = input.text.indexOf(p.honeytoken, i + 1)
          )
            spans.push({ start: i, end: i + p.honeytoken.length });
        }
        const prompt = input.request.systemPrompt;
        if (prompt) {
          // Output words unknown to the prompt get id -1: a shingle containing one cannot match,
          // so only runs of known words are joined and looked up.
          const dict = new Map<string, number>();
          const pw = words(prompt, dict, true);
          const set = new Set<string>();
          for (let i = 0; i + p.shingle <= pw.ids.length; i++) set.add(key(pw.ids, i, p.shingle));
          const ow = words(input.text, dict, false);
          let runStart = -1;
          let runEnd = -1;
          const close = () => {
            if (runStart !== -1 && runEnd - runStart >= p.min_chars)
              spans.push({ start: runStart, end: runEnd });
            runStart = runEnd = -1;
          };
          let known = 0;
          for (let i = 0; i < ow.ids.length; i++) {
            known = ow.ids[i] === -1 ? 0 : known + 1;
            if (known < p.shingle) continue;
            const first = i - p.shingle + 1;
            if (set.has(key(ow.ids, first, p.shingle))) {
              const s = ow.starts[first]!;
              const e = ow.ends[i]!;
              if (runStart === -1 || s > runEnd) {
                close();
                runStart = s;
              }
              runEnd = Math.max(runEnd, e);
            }
          }
          close();
        }
        return spans.length
          ? {
              status: 'fail',
              spans,
              detail: `${spans.length} passage(s) of the system prompt or its honeytoken`,
            }
          : PASS;
      },
    };
  },
});
