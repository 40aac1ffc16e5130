// `npm run docs`: regenerates the README's check table from the check registry.
import { readFileSync, writeFileSync } from 'node:fs';
import { checksTable } from '../dist/policy/checks/docs.js';

const file = new URL('../README.md', import.meta.url);
const [a, b] = ['<!-- checks:start -->', '<!-- checks:end -->'];
const md = readFileSync(file, 'utf8');
writeFileSync(
  file,
  `${md.slice(0, md.indexOf(a) + a.length)}\n${checksTable()}\n${md.slice(md.indexOf(b))}`,
);
