// Where a benchmark's results go. Every run writes them to bench/results/NAME.md (and
// NAME.json when given data), which git ignores; only a run with `--write`
// (`npm run bench -- --write`) also replaces bench/README.md's section between
// `<!-- results:NAME:start -->` and `<!-- results:NAME:end -->`, so a trial run on a busy
// machine never rewrites the tracked file by accident.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const README = new URL('./README.md', import.meta.url);
const RESULTS = new URL('./results/', import.meta.url);

/** True when the command line asks for bench/README.md to be rewritten. */
export const WRITE = process.argv.slice(2).includes('--write');

/**
 * Writes `table` (markdown) to bench/results/NAME.md and `data`, if any, to NAME.json; with
 * `--write` and unless `readme` is false, also into bench/README.md between NAME's markers.
 */
export function writeResults(name, table, { data, readme = true } = {}) {
  mkdirSync(RESULTS, { recursive: true });
  const md = new URL(`${name}.md`, RESULTS);
  writeFileSync(md, `${table}\n`);
  const written = [fileURLToPath(md)];
  if (data !== undefined) {
    const json = new URL(`${name}.json`, RESULTS);
    writeFileSync(json, `${JSON.stringify(data, null, 2)}\n`);
    written.push(fileURLToPath(json));
  }
  if (WRITE && readme) {
    const text = readFileSync(README, 'utf8');
    const [a, b] = [`<!-- results:${name}:start -->`, `<!-- results:${name}:end -->`];
    const i = text.indexOf(a);
    const j = text.indexOf(b);
    if (i === -1 || j === -1) throw new Error(`bench/README.md has no ${a} … ${b} section`);
    writeFileSync(README, `${text.slice(0, i + a.length)}\n${table}\n${text.slice(j)}`);
    written.push(fileURLToPath(README));
  } else if (WRITE) {
    process.stderr.write(`not written to bench/README.md (only a full run at default sizes)\n`);
  }
  process.stderr.write(`results written to ${written.join(', ')}\n`);
}
