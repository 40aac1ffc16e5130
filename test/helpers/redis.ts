import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';

/**
 * Whether `redis-server` is here. A test that needs it skips loudly on a developer machine
 * without it, and fails under CI=true: CI installs it (`.ci/run`) and must prove everything.
 */
export function haveRedis(): boolean {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.status === 0) return true;
  if (process.env['CI'] === 'true')
    throw new Error('redis-server is required under CI=true (apt-get install redis-server)');
  console.warn(
    '\n*** SKIPPING Redis tests: redis-server is not installed (apt-get install redis-server) ***\n',
  );
  return false;
}

/** A free TCP port on 127.0.0.1 (bound on port 0, then closed). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const addr = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return addr.port;
}

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = new Socket();
    c.once('error', () => resolve(false));
    c.connect(port, '127.0.0.1', () => {
      c.write('PING\r\n');
      c.once('data', (d) => {
        c.destroy();
        resolve(/^(\+PONG|-NOAUTH)/.test(d.toString()));
      });
    });
  });
}

/** A throwaway redis-server on 127.0.0.1: no persistence; stopped (by its pid) with `stop`. */
export interface RedisServerOptions {
  /** Require this password (`requirepass`). */
  password?: string;
  /** Also serve TLS on a free port (`tlsUrl`), with this certificate and key (PEM files). */
  tls?: { cert: string; key: string };
}

export class RedisServer {
  private proc: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    private readonly opts: RedisServerOptions,
    readonly tlsPort: number | undefined,
  ) {}

  static async start(port?: number, opts: RedisServerOptions = {}): Promise<RedisServer> {
    const tlsPort = opts.tls ? await freePort() : undefined;
    const r = new RedisServer(port ?? (await freePort()), opts, tlsPort);
    await r.restart();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The TLS address (`rediss://`), with the password when there is one. */
  get tlsUrl(): string {
    const auth = this.opts.password === undefined ? '' : `:${this.opts.password}@`;
    return `rediss://${auth}127.0.0.1:${this.tlsPort}`;
  }

  /** Starts it (again, on the same port). */
  async restart(): Promise<void> {
    const { password, tls } = this.opts;
    const p = spawn(
      'redis-server',
      [
        ...['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        ...(password === undefined ? [] : ['--requirepass', password]),
        ...(tls
          ? [
              ...['--tls-port', String(this.tlsPort), '--tls-auth-clients', 'no'],
              ...['--tls-cert-file', tls.cert, '--tls-key-file', tls.key],
            ]
          : []),
      ],
      { stdio: 'ignore' },
    );
    this.proc = p;
    const until = Date.now() + 10_000;
    while (!(await answers(this.port))) {
      if (p.exitCode !== null || Date.now() > until)
        throw new Error(`redis-server on port ${this.port} did not start`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null || p.pid === undefined) return;
    const exited = new Promise((r) => p.once('exit', r));
    process.kill(p.pid, 'SIGKILL');
    await exited;
  }
}
