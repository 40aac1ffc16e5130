/**
 * The built-in simulated inference server: deterministic answers in the providers' wire
 * formats, with scriptable misbehaviour (see scenario.ts). Used by zero-config `serve`,
 * the tests and the benchmarks, so it is plain node:http and cheap per request.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { answer } from './answer.js';
import { simFormats } from './formats/registry.js';
import type { SimFormat } from './formats/types.js';
import { anthropicModelList, ollamaTags, openAiModelInfo, openAiModelList } from './models.js';
import { parseScenario } from './scenario.js';
import type { Scenario } from './scenario.js';
import { ConfigError } from '../errors.js';

export interface SimStats {
  requests: number;
  /** Requests whose client went away before the response was complete. */
  aborted: number;
  /** Headers of the last request (for tests of header hygiene). */
  lastHeaders: IncomingMessage['headers'];
}

export interface SimServer {
  url: string;
  port: number;
  stats: SimStats;
  /**
   * Global scenario applied when a request names none.
   * @throws ConfigError (file `--scenario`, column of the bad directive) when it is invalid.
   */
  setScenario(spec: string | undefined): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startSim(opts: { host?: string; port?: number } = {}): Promise<SimServer> {
  const stats: SimStats = { requests: 0, aborted: 0, lastHeaders: {} };
  let globalScenario: string | undefined;

  const server: Server = createServer((req, res) => {
    stats.requests++;
    stats.lastHeaders = req.headers;
    res.on('close', () => {
      if (!res.writableFinished) stats.aborted++;
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks)).catch(() => res.destroy());
    });
  });
  server.keepAliveTimeout = 60_000;

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/_sim/config' && req.method === 'POST') {
      let cfg: { scenario?: unknown };
      try {
        cfg = JSON.parse(body.toString() || '{}') as { scenario?: unknown };
      } catch {
        return sendJson(res, 400, { error: { message: 'invalid JSON body' } });
      }
      const spec = typeof cfg.scenario === 'string' && cfg.scenario ? cfg.scenario : undefined;
      const parsed = parseScenario(spec);
      if (!parsed.ok)
        return sendJson(res, 400, { error: { message: parsed.message, code: parsed.code } });
      globalScenario = spec;
      return sendJson(res, 200, { scenario: globalScenario ?? null });
    }
    if (path === '/_sim/stats') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
      return;
    }
    if (req.method === 'GET') {
      if (path === '/v1/models' || path === '/models')
        return sendText(
          res,
          200,
          req.headers['anthropic-version'] ? anthropicModelList() : openAiModelList(),
        );
      const model = /^\/(?:v1\/)?models\/(.+)$/.exec(path)?.[1];
      if (model) return sendText(res, 200, openAiModelInfo(decodeURIComponent(model)));
      if (path === '/api/tags') return sendText(res, 200, ollamaTags());
    }
    const format = simFormats.find((f) => f.matches(req.method ?? 'GET', path));
    if (!format) {
      const message = `simulator has no route ${req.method} ${path}`;
      // Ollama's API answers errors as {"error": "…"}; its clients read that shape.
      return sendJson(
        res,
        404,
        path.startsWith('/api/') ? { error: message } : { error: { message } },
      );
    }
    let parsedBody: unknown;
    try {
      parsedBody = JSON.parse(body.toString('utf8'));
    } catch {
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(format.error(400, 'invalid JSON body'));
      return;
    }
    const p = format.parse(parsedBody);
    const header = req.headers['x-sim-scenario'];
    const parsed = parseScenario(
      (typeof header === 'string' ? header : undefined) ?? p.tag ?? globalScenario,
    );
    if (!parsed.ok) {
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(format.error(400, parsed.message, parsed.code));
      return;
    }
    const s = parsed.scenario;
    if (s.stallMs) await sleep(s.stallMs);
    if (res.destroyed) return;
    if (s.errorStatus) {
      res
        .writeHead(s.errorStatus, { 'content-type': 'application/json' })
        .end(format.error(s.errorStatus, 'simulated upstream error'));
      return;
    }
    const a = answer(p, s);
    if (p.stream) return stream(res, format, a, s, p.includeUsage);
    const text = s.malformed ? '{"id": "broken", "choices": [' : format.json(a);
    send(res, 200, 'application/json', text, s.gzip);
  }

  async function stream(
    res: ServerResponse,
    format: SimFormat,
    a: ReturnType<typeof answer>,
    s: Scenario,
    includeUsage: boolean,
  ) {
    const frames = format.frames(a, { chunks: s.chunks, includeUsage, noDone: s.noDone });
    if (s.malformed) frames.splice(Math.floor(frames.length / 2), 0, format.malformedFrame);
    const headers: Record<string, string> = {
      'content-type': format.streamContentType,
      'cache-control': 'no-cache',
    };
    if (s.gzip) {
      send(res, 200, format.streamContentType, frames.join(''), true);
      return;
    }
    res.writeHead(200, headers);
    const half = Math.floor(frames.length / 2);
    if (s.burst) {
      res.end(frames.join(''));
      return;
    }
    for (let i = 0; i < frames.length; i++) {
      if (res.destroyed) return;
      if (i === half) {
        if (s.breakMid) {
          await sleep(25); // let the first half reach the client before the cut
          res.socket?.destroy();
          return;
        }
        if (s.stallMidMs) await sleep(s.stallMidMs);
      }
      // One write per event, yielding in between, as a model streams tokens.
      if (i > 0) await (s.slowMs ? sleep(s.slowMs) : new Promise((r) => setImmediate(r)));
      res.write(frames[i]);
    }
    res.end();
  }

  function sendText(res: ServerResponse, status: number, text: string) {
    send(res, status, 'application/json', text, false);
  }

  function sendJson(res: ServerResponse, status: number, body: object) {
    sendText(res, status, JSON.stringify(body));
  }

  function send(res: ServerResponse, status: number, type: string, text: string, gzip: boolean) {
    const body = gzip ? gzipSync(text) : Buffer.from(text);
    const headers: Record<string, string> = {
      'content-type': type,
      'content-length': String(body.length),
    };
    if (gzip) headers['content-encoding'] = 'gzip';
    res.writeHead(status, headers).end(body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    stats,
    setScenario(spec) {
      const parsed = parseScenario(spec);
      if (!parsed.ok)
        throw new ConfigError([
          { file: '--scenario', line: 1, col: parsed.offset + 1, message: parsed.message },
        ]);
      globalScenario = spec || undefined;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
