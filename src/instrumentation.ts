/**
 * OpenTelemetry export, switched on by the standard variables and nothing else: with
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or
 * `OTEL_TRACES_EXPORTER=otlp`) set and `OTEL_SDK_DISABLED` not `true`, the Node SDK starts
 * and exports spans over OTLP — http/protobuf by default, `OTEL_EXPORTER_OTLP_PROTOCOL=http/json`
 * supported. Otherwise nothing is loaded and the core's `@opentelemetry/api` calls stay no-ops.
 *
 * Load it before the app: `node --import ./dist/instrumentation.js dist/cli.js serve` (what
 * `npm start` and the container do); `coalmine serve` also loads it itself when the variables
 * ask for export. Metrics stay with Prometheus: OTel metric and log export default to `none`.
 */
import { createRequire } from 'node:module';

const KEY = Symbol.for('coalmine.otel.shutdown');
type WithShutdown = typeof globalThis & { [KEY]?: () => Promise<void> };

export function otelWanted(env: NodeJS.ProcessEnv): boolean {
  if (env['OTEL_SDK_DISABLED'] === 'true') return false;
  const exporters = (env['OTEL_TRACES_EXPORTER'] ?? '').split(',').map((s) => s.trim());
  if (exporters.includes('none')) return false;
  return (
    !!env['OTEL_EXPORTER_OTLP_ENDPOINT'] ||
    !!env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] ||
    exporters.includes('otlp')
  );
}

/** Flushes and stops the SDK if it was started (called before the process exits). */
export function otelShutdown(): Promise<void> {
  return (globalThis as WithShutdown)[KEY]?.() ?? Promise.resolve();
}

export async function startOtel(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const g = globalThis as WithShutdown;
  if (g[KEY] || !otelWanted(env)) return false;
  env['OTEL_METRICS_EXPORTER'] ??= 'none';
  env['OTEL_LOGS_EXPORTER'] ??= 'none';
  env['OTEL_TRACES_EXPORTER'] ??= 'otlp';
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
  const sdk = new NodeSDK({
    serviceName: env['OTEL_SERVICE_NAME'] ?? 'coalmine',
    instrumentations: [],
  });
  sdk.start();
  g[KEY] = () => sdk.shutdown();
  process.stderr.write(
    `${JSON.stringify({
      level: 'info',
      msg: 'OpenTelemetry trace export on',
      protocol:
        env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'] ??
        env['OTEL_EXPORTER_OTLP_PROTOCOL'] ??
        'http/protobuf',
      version,
    })}\n`,
  );
  return true;
}

await startOtel();
