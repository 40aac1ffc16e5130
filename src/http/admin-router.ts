/**
 * The few routing features the admin API needs (GET / POST, `:name` path segments, query,
 * headers, a JSON body), answered as plain `{ status, headers, body }` replies and served
 * straight from node:http. Not Hono here: a Web `Request` / `Response` (and Hono's Node adapter,
 * which reads `globalThis.Headers` when it loads) makes Node load its bundled fetch
 * implementation and Web streams, about 10 MB resident, into a process that otherwise never
 * needs them. The route modules are written against `AdminRoutes`, which a Hono app also
 * satisfies, so they can be mounted on one (tests do).
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { readBounded } from '../pipeline/body.js';

/** The request as a route handler sees it (the subset of Hono's `c.req` the routes use). */
export interface AdminRequest {
  /** A `:name` segment of the route's path, percent-decoded. */
  param(name: string): string | undefined;
  /** The first value of a query parameter. */
  query(name: string): string | undefined;
  /** A request header (name case-insensitive); repeated headers joined with `, `. */
  header(name: string): string | undefined;
  /** The body parsed as JSON; rejects when it is not JSON or exceeds `MAX_ADMIN_BODY` bytes. */
  json(): Promise<unknown>;
  /** The name of the admin token the call was authorised with (absent on a Hono app). */
  actor?: string | undefined;
}

/** What a route handler gets: the request and the two ways to answer (Hono's `c` subset). */
export interface AdminContext<R> {
  req: AdminRequest;
  json(body: unknown, status?: number, headers?: Record<string, string>): R;
  body(text: string, status: number, headers: Record<string, string>): R;
}

export type AdminHandler<R> = (c: AdminContext<R>) => R | Promise<R>;

/** Where route modules mount their routes: the admin router, or a Hono app. */
export interface AdminRoutes<R> {
  get(path: string, handler: AdminHandler<R>): unknown;
  post(path: string, handler: AdminHandler<R>): unknown;
}

export interface AdminReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A request to answer: what node:http parsed, and the body on demand. */
export interface AdminCall {
  method: string;
  /** Path and query, as on the request line. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The peer's address. */
  remote?: string | undefined;
  readBody(): Promise<string>;
}

/** Admin request bodies are small JSON objects; anything larger is refused unread. */
export const MAX_ADMIN_BODY = 64 * 1024;

interface Route {
  method: 'GET' | 'POST';
  segments: string[];
  handler: AdminHandler<AdminReply>;
}

export const reply = {
  json: (body: unknown, status = 200, headers: Record<string, string> = {}): AdminReply => ({
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  }),
  body: (text: string, status: number, headers: Record<string, string>): AdminReply => ({
    status,
    headers,
    body: text,
  }),
};

const split = (path: string) => path.split('/').filter(Boolean);

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A request target's path segments, percent-decoded (absolute-form targets included). */
export function pathSegments(url: string): string[] {
  return split(new URL(url, 'http://admin').pathname).map(decode);
}

export class AdminRouter implements AdminRoutes<AdminReply> {
  private readonly routes: Route[] = [];

  get(path: string, handler: AdminHandler<AdminReply>): this {
    this.routes.push({ method: 'GET', segments: split(path), handler });
    return this;
  }

  post(path: string, handler: AdminHandler<AdminReply>): this {
    this.routes.push({ method: 'POST', segments: split(path), handler });
    return this;
  }

  /** The route for a method (HEAD as GET) and decoded path segments, and its `:name` parameters. */
  match(
    method: string,
    segments: readonly string[],
  ):
    | { handler: AdminHandler<AdminReply>; params: Map<string, string>; pattern: string }
    | undefined {
    const m = method === 'HEAD' ? 'GET' : method;
    for (const r of this.routes) {
      if (r.method !== m || r.segments.length !== segments.length) continue;
      const params = new Map<string, string>();
      const ok = r.segments.every((s, i) => {
        const given = segments[i]!;
        if (s.startsWith(':')) params.set(s.slice(1), given);
        return s.startsWith(':') || s === given;
      });
      if (ok) return { handler: r.handler, params, pattern: `/${r.segments.join('/')}` };
    }
    return undefined;
  }
}

/** The context a handler gets for one call. */
export function adminContext(
  call: AdminCall,
  params: ReadonlyMap<string, string>,
  actor?: string,
): AdminContext<AdminReply> {
  const query = new URL(call.url, 'http://admin').searchParams;
  return {
    req: {
      param: (name) => params.get(name),
      query: (name) => query.get(name) ?? undefined,
      header: (name) => {
        const v = call.headers[name.toLowerCase()];
        return Array.isArray(v) ? v.join(', ') : v;
      },
      json: async () => JSON.parse(await call.readBody()) as unknown,
      actor,
    },
    json: reply.json,
    body: reply.body,
  };
}

/** Reads a request body up to `MAX_ADMIN_BODY` bytes; beyond that, rejects and drains the rest unread. */
export async function readAdminBody(req: IncomingMessage): Promise<string> {
  const body = await readBounded(req, MAX_ADMIN_BODY, {
    error: () => new Error('admin request body too large'),
    stop: () => req.resume(),
  });
  return body.toString('utf8');
}

/** Serves `answer` on node:http; a HEAD request gets the GET answer's status and headers only. */
export function serveAdmin(answer: (call: AdminCall) => Promise<AdminReply>): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const call: AdminCall = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      remote: req.socket.remoteAddress,
      readBody: () => readAdminBody(req),
    };
    void answer(call)
      .catch(() => reply.json({ error: { message: 'internal error', code: 'internal' } }, 500))
      .then((r) => {
        if (res.destroyed) return;
        res.writeHead(r.status, { ...r.headers, 'content-length': Buffer.byteLength(r.body) });
        res.end(call.method === 'HEAD' ? undefined : r.body);
      })
      .catch(() => res.destroy());
  });
}
