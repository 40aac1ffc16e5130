/**
 * The configuration file (`coalmine.yaml`): strict (unknown keys are errors), every key with
 * a default. Built by a function because the set of valid providers comes from the adapter
 * registry, which the core does not import.
 */
import { auditConfigSchema } from '../audit/config.js';
import { z } from 'zod';
import { durationMs, listenAddress, SAME_ADDRESS, sameAddress, sizeBytes } from './units.js';

export interface SchemaContext {
  /** Provider ids from the adapter registry; the first is the default. */
  providers: readonly [string, ...string[]];
}

const timeouts = z
  .strictObject({
    connect: durationMs.default(5_000),
    first_byte: durationMs.default(120_000),
    idle: durationMs.default(120_000),
    total: durationMs.default(600_000),
  })
  .default({ connect: 5_000, first_byte: 120_000, idle: 120_000, total: 600_000 });

export function configSchema(ctx: SchemaContext) {
  const upstream = z.strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/i, 'upstream names are 1–63 letters, digits, . _ -'),
    url: z
      .url({ protocol: /^https?$/, error: 'url must be an absolute http(s) URL' })
      .transform((u) => u.replace(/\/+$/, '')),
    provider: z.enum(ctx.providers).default(ctx.providers[0]),
    prefix: z
      .string()
      .regex(/^\//, 'prefix must start with /')
      .transform((p) => (p.length > 1 ? p.replace(/\/+$/, '') : p))
      .default('/'),
    api_key: z.string().min(1).optional(),
    timeouts,
    max_connections: z.number().int().positive().default(256),
    /** Identity pins per requested model (the model label of metrics is one of these, or `other`). */
    models: z
      .record(
        z.string().min(1),
        z.strictObject({
          expect_model: z.string().min(1).optional(),
          fingerprints: z.array(z.string().min(1)).optional(),
        }),
      )
      .default({}),
    /** What puts a model of this upstream in quarantine, and what that means for live traffic. */
    quarantine: z
      .strictObject({
        on: z
          .array(
            z.enum(['canary_failure', 'canary_blocked', 'identity_mismatch', 'fingerprint_change']),
          )
          .default(['canary_failure', 'identity_mismatch']),
        action: z.enum(['block', 'flag', 'serve']).default('serve'),
      })
      .default({ on: ['canary_failure', 'identity_mismatch'], action: 'serve' }),
  });

  return z
    .strictObject({
      listen: listenAddress.default({ host: '127.0.0.1', port: 8790 }),
      admin: z
        .strictObject({
          listen: listenAddress.default({ host: '127.0.0.1', port: 8791 }),
          token: z.string().min(16, 'admin.token must be at least 16 characters').optional(),
          /** Named tokens: logs and the audit log say which one acted (`token` is `admin`). */
          tokens: z
            .array(
              z.strictObject({
                name: z
                  .string()
                  .regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'a token name is 1-64 of A-Z a-z 0-9 _ . @ -'),
                token: z.string().min(16, 'an admin token must be at least 16 characters'),
              }),
            )
            .default([]),
        })
        .default({ listen: { host: '127.0.0.1', port: 8791 }, tokens: [] }),
      upstreams: z.array(upstream).default([]),
      /** Policy files or globs; absent = the shipped default pack, `[]` = none. */
      policies: z.array(z.string()).optional(),
      /** Canary files or globs; absent = none (the shipped suite when serving the simulator). */
      canaries: z.array(z.string()).optional(),
      canary: z
        .strictObject({
          /** Run canaries on their schedules while serving. */
          schedule: z.boolean().default(true),
          /** Key for signing (`canary baseline`) and verifying baseline files (HMAC-SHA-256). */
          hmac_key: z.string().min(16, 'canary.hmac_key must be at least 16 characters').optional(),
          /**
           * Where sequential canaries keep their evidence across restarts (relative to the
           * configuration file); absent: in memory only, and a warning at start.
           */
          evidence_file: z.string().min(1).optional(),
        })
        .default({ schedule: true }),
      unknown_routes: z.enum(['pass', 'reject']).default('pass'),
      streaming: z
        .strictObject({
          /** Characters held back for enforcing checks that cannot name trigger prefixes (user regexes). */
          window: z.number().int().min(16).max(65536).default(256),
        })
        .default({ window: 256 }),
      checks: z
        .strictObject({
          /**
           * Characters scanned of a choice's text and of each tool call's arguments. The rest
           * fails every content rule with the rule's own action (redact: the rest is redacted)
           * — never `error`, so `on_error: open` cannot let it through.
           */
          max_scan_chars: z.number().int().positive().default(1_048_576),
          /**
           * A check slower than this on one choice keeps its result (checks are synchronous:
           * an overrun has finished) and is marked `overBudget` for telemetry; never `error`.
           */
          time_budget: durationMs.default(100),
        })
        .default({ max_scan_chars: 1_048_576, time_budget: 100 }),
      limits: z
        .strictObject({
          /** One request body; larger ones are answered 413 without being read. */
          request_body: sizeBytes.default(10 * 1024 ** 2),
          response_body: sizeBytes.default(64 * 1024 ** 2),
          /** Request body bytes held at once, all requests together; past it requests get 503. */
          request_bytes_in_flight: sizeBytes.default(128 * 1024 ** 2),
          /** A request body that sends nothing for this long is answered 408 (its budget freed). */
          request_body_idle: durationMs.default(10_000),
        })
        .default({
          request_body: 10 * 1024 ** 2,
          response_body: 64 * 1024 ** 2,
          request_bytes_in_flight: 128 * 1024 ** 2,
          request_body_idle: 10_000,
        }),
      /**
       * State shared between replicas (src/state): `memory` keeps it in this process (one
       * replica); `redis` shares the quarantine, identities, canary results and evidence, and
       * the canary lease, through `url`. `COALMINE_REDIS_URL` selects redis.
       */
      state: z
        .strictObject({
          backend: z.enum(['memory', 'redis']).default('memory'),
          url: z
            .url({ protocol: /^rediss?$/, error: 'state.url must be a redis:// or rediss:// URL' })
            .optional(),
          key_prefix: z.string().min(1).max(64).default('coalmine:'),
          /** Redis not answering at start: serve from memory (and converge later) or refuse. */
          on_unavailable_at_start: z.enum(['memory', 'refuse']).default('memory'),
        })
        .default({ backend: 'memory', key_prefix: 'coalmine:', on_unavailable_at_start: 'memory' }),
      /** The tamper-evident audit log (src/audit); absent: none is written. */
      audit: auditConfigSchema.optional(),
      shutdown: z.strictObject({ grace: durationMs.default(10_000) }).default({ grace: 10_000 }),
      log: z
        .strictObject({
          level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
          /** One `request` line per request at info level (at debug they are written anyway). */
          access: z.boolean().default(false),
        })
        .default({ level: 'info', access: false }),
    })
    .superRefine((cfg, ctx) => {
      if (cfg.state.backend === 'redis' && cfg.state.url === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['state', 'url'],
          message: 'state.backend is redis but there is no state.url (or COALMINE_REDIS_URL)',
        });
      if (sameAddress(cfg.listen, cfg.admin.listen))
        ctx.addIssue({
          code: 'custom',
          path: ['admin', 'listen'],
          message: `${SAME_ADDRESS} (${cfg.listen.host}:${cfg.listen.port})`,
        });
      if (cfg.limits.request_bytes_in_flight < cfg.limits.request_body)
        ctx.addIssue({
          code: 'custom',
          path: ['limits', 'request_bytes_in_flight'],
          message: `${cfg.limits.request_bytes_in_flight} bytes is less than limits.request_body (${cfg.limits.request_body} bytes): a request of that size could never be taken`,
        });
      const names = new Set(cfg.admin.token === undefined ? [] : ['admin']);
      cfg.admin.tokens.forEach((t, i) => {
        if (names.has(t.name))
          ctx.addIssue({
            code: 'custom',
            path: ['admin', 'tokens', i, 'name'],
            message: `duplicate admin token name "${t.name}"${t.name === 'admin' ? ' (admin.token is named admin)' : ''}`,
          });
        names.add(t.name);
      });
      const seen = new Map<string, number>();
      cfg.upstreams.forEach((u, i) => {
        if (seen.has(u.name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['upstreams', i, 'name'],
            message: `duplicate upstream name "${u.name}"`,
          });
        }
        seen.set(u.name, i);
      });
      const prefixes = new Map<string, number>();
      cfg.upstreams.forEach((u, i) => {
        if (prefixes.has(u.prefix)) {
          ctx.addIssue({
            code: 'custom',
            path: ['upstreams', i, 'prefix'],
            message: `prefix "${u.prefix}" is already used by another upstream`,
          });
        }
        prefixes.set(u.prefix, i);
      });
    });
}

export type Config = z.output<ReturnType<typeof configSchema>>;
export type UpstreamConfig = Config['upstreams'][number];
export type Timeouts = UpstreamConfig['timeouts'];
