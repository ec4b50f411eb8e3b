/**
 * `npm run demo -- --cluster`: two instances of the reference server in
 * cluster mode (Redis Streams) behind nginx, and a page that reads the stream
 * through nginx with a "kill an instance" button. Needs Debian's redis-server
 * and nginx. Everything runs on 127.0.0.1 with its files in a temp dir; nginx
 * listens on the demo's port and sends `/demo/` to this process (the page,
 * the bundle, the kill switch), everything else to the instances.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  instance,
  missingBinaries,
  startNginx,
  startRedis,
  type InstanceProcess,
} from '../server/cluster/processes.js';

const root = join(import.meta.dirname, '..');

/** A running cluster demo. */
export interface ClusterDemo {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts Redis, two instances, the page server and nginx on `port`. */
export async function startClusterDemo(options: { port?: number } = {}): Promise<ClusterDemo> {
  const missing = missingBinaries();
  if (missing) throw new Error(`--cluster needs ${missing}`);
  const dir = mkdtempSync(join(tmpdir(), 'sse-demo-cluster-'));
  const redis = await startRedis(join(dir, 'redis'));
  // Both tick: 2 events/s each, ids from the one shared counter.
  const instances: InstanceProcess[] = [];
  for (let i = 0; i < 2; i++)
    instances.push(await instance({ redis: redis.url, stream: 'demo', retry: 1000, heartbeat: 1000, interval: 500 }));
  await Promise.all(instances.map((i) => i.start()));
  let next = 0;
  const log: string[] = [];

  const pages: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'POST' && url.pathname === '/demo/kill') {
      // Alternate between the instances; SIGKILL, back 3 s later.
      const k = next++ % instances.length;
      const victim = instances[k];
      if (!victim?.running)
        return void res
          .writeHead(409, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ error: 'restarting' }));
      void victim.stop('SIGKILL').then(async () => {
        log.push(`instance ${k + 1} killed (SIGKILL)`);
        await new Promise((resolve) => setTimeout(resolve, 3000));
        await victim.start();
        log.push(`instance ${k + 1} started again`);
      });
      return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ killed: k + 1 }));
    }
    if (url.pathname === '/demo/state') {
      const state = instances.map((i, k) => ({
        name: `instance ${k + 1}`,
        port: i.port,
        running: i.running,
        streamsOpened: i.requests.filter((q) => q.status === 200).length,
      }));
      return void res
        .writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
        .end(JSON.stringify({ instances: state, log: log.slice(-8) }));
    }
    const files: Record<string, [string, string]> = {
      '/demo/': [join(root, 'demo', 'public', 'cluster.html'), 'text/html; charset=utf-8'],
      '/demo/resilient-eventsource.umd.min.js': [
        join(root, 'dist', 'resilient-eventsource.umd.min.js'),
        'text/javascript; charset=utf-8',
      ],
      '/demo/demo.css': [join(root, 'demo', 'public', 'demo.css'), 'text/css; charset=utf-8'],
    };
    const file = files[url.pathname];
    if (!file) return void res.writeHead(404).end('not found');
    try {
      res.writeHead(200, { 'Content-Type': file[1], 'Cache-Control': 'no-store' }).end(readFileSync(file[0]));
    } catch {
      res.writeHead(500).end(`missing ${file[0]}: run npm run build`);
    }
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  const pagesPort = (pages.address() as AddressInfo).port;
  const nginx = await startNginx(
    join(dir, 'nginx'),
    instances.map((i) => i.port),
    10_000,
    {
      port: options.port ?? 8787,
      extraLocations: `  location = / { return 302 /demo/; }\n  location /demo/ { proxy_pass http://127.0.0.1:${pagesPort}; }`,
    },
  );
  return {
    url: `${nginx.url}/demo/`,
    async close() {
      await nginx.stop();
      await Promise.all(instances.map((i) => i.stop('SIGTERM')));
      pages.close();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
