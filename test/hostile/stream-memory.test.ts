/**
 * Per-stream memory is bounded by what the checks hold, not by the length of the stream:
 * a 100,000-event stream through the default pack adds < 5 MB, and 1,000 concurrent
 * 50-event streams add < 100 MB to the proxy's RSS.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostileUpstream } from '../helpers/hostile-upstream.js';
import {
  chatEvent,
  hostileUpstream,
  send,
  SSE_HEADERS,
  STREAM_REQUEST,
} from '../helpers/hostile-upstream.js';
import { runCli } from '../helpers/cli.js';
import { startProxy } from '../helpers/proxy.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Live heap after a full collection: what the process really keeps. */
function liveHeap(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

const MB = 1024 * 1024;
const upstreams: HostileUpstream[] = [];
afterAll(async () => {
  for (const u of upstreams) await u.close();
});

/** Streams `n` short events per request; `hold` (if given) is awaited before the end. */
async function eventServer(n: number, hold?: () => Promise<void>): Promise<HostileUpstream> {
  const up = await hostileUpstream(async (_req, res) => {
    res.writeHead(200, SSE_HEADERS);
    for (let i = 1; i <= n; i++) await send(res, chatEvent(`w${i % 97} `));
    await hold?.();
    await send(res, chatEvent('', { finish: 'stop' }));
    res.end('data: [DONE]\n\n');
  });
  upstreams.push(up);
  return up;
}

describe('per-stream memory', () => {
  it('a 100,000-event stream through the default pack adds < 5 MB', async () => {
    const up = await eventServer(100_000);
    const proxy = await startProxy({ upstreams: [{ name: 'h', url: up.url }] });
    const samples: { events: number; heap: number }[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const req = request(`${proxy.url}/v1/chat/completions`, { method: 'POST' }, (res) => {
          let events = 0;
          let next = 10_000;
          res.on('data', (c: Buffer) => {
            // Counting "data: " prefixes is exact enough: chunks split them only rarely.
            for (let i = c.indexOf('data: '); i !== -1; i = c.indexOf('data: ', i + 6)) events++;
            if (events >= next) {
              next += 10_000;
              samples.push({ events, heap: liveHeap() });
            }
          });
          res.on('end', resolve);
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(STREAM_REQUEST);
      });
    } finally {
      await proxy.shutdown();
    }
    expect(samples.length).toBeGreaterThanOrEqual(9);
    // The last sample may come after the stream ended: the peak is what counts.
    const growth = Math.max(...samples.map((s) => s.heap)) - samples[0]!.heap;
    console.log(
      `100k-event stream: live heap ${samples.map((s) => (s.heap / MB).toFixed(1)).join(' → ')} MB; ` +
        `peak growth over ${samples.at(-1)!.events - samples[0]!.events} events ${(growth / MB).toFixed(2)} MB`,
    );
    expect(growth).toBeLessThan(5 * MB);
  }, 60_000);

  it('1,000 concurrent 50-event streams through the default pack add < 100 MB of RSS', async () => {
    let hold: Promise<void> = Promise.resolve();
    let release = () => {};
    const up = await eventServer(50, () => hold);
    const dir = mkdtempSync(join(tmpdir(), 'coalmine-mem-'));
    const file = join(dir, 'coalmine.yaml');
    writeFileSync(
      file,
      stringify({
        listen: '127.0.0.1:0',
        admin: { listen: '127.0.0.1:0' },
        upstreams: [{ name: 'h', url: up.url, max_connections: 2000 }],
      }),
    );
    const proc = runCli(['serve', '--config', file], { cwd: dir });
    const agent = new Agent({ maxSockets: Infinity });
    try {
      const line = await proc.line(/coalmine listening/);
      const port = /127\.0\.0\.1:(\d+)/.exec(line)![1];
      const url = `http://127.0.0.1:${port}/v1/chat/completions`;
      const rss = () =>
        Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proc.child.pid}/status`, 'utf8'))![1]) *
        1024;
      /** Opens a stream; `onEvents` once its 50 events have arrived. */
      const open = (onEvents: () => void) =>
        new Promise<void>((resolve, reject) => {
          const req = request(url, { method: 'POST', agent }, (res) => {
            let events = 0;
            res.on('data', (c: Buffer) => {
              const before = events;
              for (let i = c.indexOf('data: '); i !== -1; i = c.indexOf('data: ', i + 6)) events++;
              if (before < 50 && events >= 50) onEvents();
            });
            res.on('end', resolve);
            res.on('error', reject);
          });
          req.on('error', reject);
          req.end(STREAM_REQUEST);
        });
      // Warm up (JIT, pools, first allocations) with streams that run to the end.
      for (const n of [100, 300])
        await Promise.all(Array.from({ length: n }, () => open(() => {})));
      const idle = rss();
      hold = new Promise((r) => (release = r));
      let reached = 0;
      let allReached = () => {};
      const reachedAll = new Promise<void>((r) => (allReached = r));
      const streams = Array.from({ length: 1000 }, () =>
        open(() => {
          if (++reached === 1000) allReached();
        }),
      );
      await reachedAll;
      const during = rss();
      release();
      await Promise.all(streams);
      console.log(
        `1,000 concurrent 50-event streams: proxy RSS ${(idle / MB).toFixed(0)} MB → ${(during / MB).toFixed(0)} MB (+${((during - idle) / MB).toFixed(0)} MB)`,
      );
      expect(during - idle).toBeLessThan(100 * MB);
    } finally {
      release();
      agent.destroy();
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
  }, 60_000);
});
