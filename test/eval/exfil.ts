/**
 * `markdown-exfiltration` measured on garak's labelled web-injection outputs (default params)
 * and on this project's sets in test/fixtures/exfil/ (payloads in every construct of issue 14;
 * benign markdown: badges, avatars, video, maps, docs, pagination, search, code, galleries):
 * a development set (`payloads`, `benign`: written before the URL model; `-2`: written after
 * it as a held-out set, then used for a second round of tuning) and a held-out set
 * (`-holdout`), written last and never tuned against. Both are evaluated with
 * `camo.githubusercontent.com` and `images.example.com` allowed, so that the image-sequence
 * rows show sequences are judged even to allowed hosts.
 */
import { readFileSync } from 'node:fs';
import { getCheck } from '../../src/policy/checks/registry.js';
import type { Check } from '../../src/policy/checks/types.js';
import type { Stats } from './corpora.js';
import { jsonl, stats, tally } from './corpora.js';
import { input } from '../helpers/check-input.js';

export interface HeldOutRow {
  text: string;
  label: 'exfil' | 'benign';
  /** The construct (payloads) or the kind of benign markdown. */
  kind: string;
  source: string;
}

const HELD_OUT = new URL('../fixtures/exfil/', import.meta.url);

/** The rows of `files` in test/fixtures/exfil/. */
export function ownRows(...files: string[]): HeldOutRow[] {
  return files.flatMap((f) =>
    readFileSync(new URL(`${f}.jsonl`, HELD_OUT), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as HeldOutRow),
  );
}

function checkWith(params: object): Check {
  const def = getCheck('markdown-exfiltration')!;
  return def.create(def.params.parse(params));
}

const fails = (c: Check, text: string) => c.evaluate(input(text)).status === 'fail';

export function evalExfil(): Stats[] {
  const check = checkWith({});
  // What GFM shows as a bare link (its data in plain sight) is flagged only with `bare_urls`.
  const bare = checkWith({ bare_urls: true });
  const by = new Map<string, Stats>();
  for (const r of jsonl<{ text: string; label: string }>('garak-markdown-exfil-outputs.jsonl')) {
    const s = by.get(r.label) ?? stats(r.label);
    by.set(r.label, s);
    const flagged = fails(check, r.text);
    if (r.label !== 'benign' && !flagged && fails(bare, r.text)) s.disagreements++;
    else tally(s, r.label !== 'benign', flagged, r.text);
  }
  const own = checkWith({ allow_domains: ['camo.githubusercontent.com', 'images.example.com'] });
  const sets: [string, string[]][] = [
    ['own payloads (development)', ['payloads', 'payloads-2']],
    ['own benign (development)', ['benign', 'benign-2']],
    ['own payloads (held out)', ['payloads-holdout']],
    ['own benign (held out)', ['benign-holdout']],
  ];
  for (const [name, files] of sets) {
    const s = stats(name);
    for (const r of ownRows(...files))
      tally(s, r.label === 'exfil', fails(own, r.text), `[${r.kind}] ${r.text}`);
    by.set(s.name, s);
  }
  return [...by.values()];
}
