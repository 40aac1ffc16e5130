/** The check catalogue as a markdown table, derived from the registry (README "Checks"). */
import { z } from 'zod';
import { checks } from './registry.js';

function paramsOf(schema: z.ZodType): string {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, { default?: unknown }>;
  };
  const props = Object.entries(js.properties ?? {});
  if (!props.length) return '—';
  return props
    .map(([k, v]) =>
      v.default === undefined ? `\`${k}\`` : `\`${k}\` (${JSON.stringify(v.default)})`,
    )
    .join(', ');
}

export function checksTable(): string {
  const rows = checks.map(
    (c) => `| \`${c.id}\` | ${c.summary} | ${paramsOf(c.params)} | ${c.actions.join(', ')} |`,
  );
  return ['| id | detects | params (default) | actions |', '|---|---|---|---|', ...rows].join('\n');
}
