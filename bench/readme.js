// Writes a benchmark's results into bench/README.md between its markers
// (`<!-- results:NAME:start -->` … `<!-- results:NAME:end -->`).
import { readFileSync, writeFileSync } from 'node:fs';

const README = new URL('./README.md', import.meta.url);

export function writeResults(name, table) {
  const md = readFileSync(README, 'utf8');
  const [a, b] = [`<!-- results:${name}:start -->`, `<!-- results:${name}:end -->`];
  const i = md.indexOf(a);
  const j = md.indexOf(b);
  if (i === -1 || j === -1) throw new Error(`bench/README.md has no ${a} … ${b} section`);
  writeFileSync(README, `${md.slice(0, i + a.length)}\n${table}\n${md.slice(j)}`);
}
