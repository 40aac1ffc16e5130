// `npm run docs`: regenerates the README's generated tables (checks, metrics, log events) from
// their registries.
import { readFileSync, writeFileSync } from 'node:fs';
import { checksTable } from '../dist/policy/checks/docs.js';
import { metricsTable } from '../dist/telemetry/catalogue.js';
import { logEventsTable } from '../dist/telemetry/log-events.js';

const file = new URL('../README.md', import.meta.url);
let md = readFileSync(file, 'utf8');
for (const [name, table] of [
  ['checks', checksTable()],
  ['metrics', metricsTable()],
  ['log-events', logEventsTable()],
]) {
  const [a, b] = [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`];
  md = `${md.slice(0, md.indexOf(a) + a.length)}\n${table}\n${md.slice(md.indexOf(b))}`;
}
writeFileSync(file, md);
