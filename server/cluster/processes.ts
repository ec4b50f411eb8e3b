/**
 * Real processes for the cluster test, the benchmark and the demo: Debian's
 * redis-server and nginx, and instances of the reference server, each a child
 * process on a loopback port with its files in a temp dir, so SIGTERM and
 * SIGKILL are real and nothing outlives the caller.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where Debian puts the binaries (nginx is in /usr/sbin, often not on a user's PATH). */
export function findBinary(name: 'redis-server' | 'nginx'): string | undefined {
  for (const dir of (process.env['PATH'] ?? '')
    .split(':')
    .concat(['/usr/sbin', '/usr/bin', '/usr/local/bin', '/usr/local/sbin'])) {
    const file = join(dir, name);
    if (dir && existsSync(file)) return file;
  }
  return undefined;
}

/** Why the cluster cannot run here, or `undefined` when redis-server and nginx are both installed. */
export function missingBinaries(): string | undefined {
  const missing = (['redis-server', 'nginx'] as const).filter((b) => findBinary(b) === undefined);
  return missing.length ? `${missing.join(' and ')} not installed (apt-get install -y redis-server nginx)` : undefined;
}

/** A free loopback port (asked from the kernel, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Resolves when `child` exits (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function waitFor(what: string, ms: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${what} not ready after ${ms} ms`);
}

/** Whether something accepts TCP connections on the loopback port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

/** A redis-server child process. */
export interface RedisProcess {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** SIGTERM (Redis writes its AOF and exits), then the same port, dir and files again. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts redis-server on a free port with its files in `dir`: append-only file
 * on (`appendfsync always`: a write is on disk before it is acknowledged, so a
 * restart loses nothing that was acknowledged), no RDB snapshots.
 */
export async function startRedis(dir: string): Promise<RedisProcess> {
  const binary = findBinary('redis-server');
  if (!binary) throw new Error('redis-server not installed');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  let child: ChildProcess;
  const start = async () => {
    child = spawn(
      binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        process.env['FSYNC'] ?? 'always',
        '--save',
        '',
        '--daemonize',
        'no',
        '--logfile',
        join(dir, 'redis.log'),
        '--protected-mode',
        'no',
      ],
      { stdio: 'ignore' },
    );
    await waitFor('redis-server', 10_000, () => listening(port));
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    async restart() {
      child.kill('SIGTERM');
      await exited(child);
      await start();
    },
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}

/** One instance of the reference server in cluster mode, as a child process. */
export interface InstanceProcess {
  readonly port: number;
  readonly url: string;
  /** Every stream request answered: epoch ms, status and, for a 503, why; across restarts. */
  readonly requests: { t: number; status: number; why?: string }[];
  readonly running: boolean;
  /** The process id while it runs. */
  readonly pid: number | undefined;
  /** Starts it (again) on its port; resolves once it listens. */
  start(): Promise<void>;
  /** Sends `signal` and waits for the exit. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/** Options of the instances: the flags of `npm run server -- --redis`. */
export interface InstanceOptions {
  redis: string;
  stream: string;
  retry: number;
  heartbeat: number;
  maxLength?: number | undefined;
  /** Ms between events the instance publishes by itself (`--interval`). */
  interval?: number | undefined;
}

/** An instance run as `tsx server/cli.ts --redis …`, not started yet. */
export async function instance(options: InstanceOptions): Promise<InstanceProcess> {
  const port = await freePort();
  const requests: { t: number; status: number; why?: string }[] = [];
  let child: ChildProcess | undefined;
  // Node itself with tsx's loader (not the tsx wrapper, which runs Node as a
  // second process that a SIGKILL of the wrapper would leave running).
  const args = [
    '--import',
    'tsx',
    join(root, 'server', 'cli.ts'),
    '--port',
    String(port),
    '--redis',
    options.redis,
    '--stream',
    options.stream,
    '--retry',
    String(options.retry),
    '--heartbeat',
    String(options.heartbeat),
    '--log-connections',
  ];
  if (options.maxLength !== undefined) args.push('--max-length', String(options.maxLength));
  if (options.interval !== undefined) args.push('--interval', String(options.interval));
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    get pid() {
      return child?.pid;
    },
    async start() {
      const c = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
      child = c;
      let rest = '';
      c.stdout?.on('data', (chunk: Buffer) => {
        const lines = (rest + String(chunk)).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines)
          if (line.startsWith('{')) requests.push(JSON.parse(line) as { t: number; status: number; why?: string });
      });
      await Promise.race([
        waitFor(`instance on ${port}`, 20_000, () => listening(port)),
        exited(c).then(() => {
          throw new Error(`instance on ${port} exited with ${c.exitCode ?? c.signalCode}`);
        }),
      ]);
    },
    async stop(signal = 'SIGTERM') {
      if (!child) return;
      child.kill(signal);
      await exited(child);
    },
  };
}

/**
 * The nginx config for SSE in front of `upstreams`: the recommended one
 * (server/cluster/nginx-sse.conf, shown in the README) with these ports and
 * read timeout, inside the process settings of a test run (everything in `dir`).
 */
export function nginxConfig(o: {
  dir: string;
  listen: number;
  upstreams: number[];
  readTimeout: number;
  extraLocations?: string | undefined;
}): string {
  const template = readFileSync(join(root, 'server', 'cluster', 'nginx-sse.conf'), 'utf8');
  const seconds = `${Math.ceil(o.readTimeout / 1000)}s`;
  let servers = o.upstreams.map((p) => `  server 127.0.0.1:${p} max_fails=0;`).join('\n');
  const body = template
    .split('\n')
    .filter((line) => !line.startsWith('//'))
    .map((line) => {
      if (/^\s*server 127\.0\.0\.1:\d+ max_fails=0;$/.test(line)) {
        const first = servers;
        servers = '';
        return first;
      }
      return line
        .replace(
          /listen 127\.0\.0\.1:\d+;/,
          `listen 127.0.0.1:${o.listen};${o.extraLocations ? `\n${o.extraLocations}` : ''}`,
        )
        .replace(/(proxy_(?:read|send)_timeout) \d+s;/, `$1 ${seconds};`)
        .replace(/proxy_next_upstream_tries \d+;/, `proxy_next_upstream_tries ${o.upstreams.length};`);
    })
    .filter((line) => line !== '')
    .join('\n');
  const asRoot = process.getuid?.() === 0;
  return `# Generated for one run; every path is inside ${o.dir}.
${asRoot ? 'user root;\n' : ''}worker_processes 1;
pid ${join(o.dir, 'nginx.pid')};
error_log ${join(o.dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${join(o.dir, 'tmp', 'body')};
  proxy_temp_path ${join(o.dir, 'tmp', 'proxy')};
  fastcgi_temp_path ${join(o.dir, 'tmp', 'fastcgi')};
  uwsgi_temp_path ${join(o.dir, 'tmp', 'uwsgi')};
  scgi_temp_path ${join(o.dir, 'tmp', 'scgi')};
${body}
}
`;
}

/** An nginx child process. */
export interface NginxProcess {
  readonly port: number;
  /** The master's process id (its one worker is a child of it). */
  readonly pid: number | undefined;
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts nginx in the foreground (`daemon off`) with its prefix, pid, logs and temp files in `dir`. */
export async function startNginx(
  dir: string,
  upstreams: number[],
  readTimeout: number,
  more: { port?: number | undefined; extraLocations?: string | undefined } = {},
): Promise<NginxProcess> {
  const binary = findBinary('nginx');
  if (!binary) throw new Error('nginx not installed');
  for (const sub of ['tmp/body', 'tmp/proxy', 'tmp/fastcgi', 'tmp/uwsgi', 'tmp/scgi', 'logs'])
    mkdirSync(join(dir, sub), { recursive: true });
  const port = more.port ?? (await freePort());
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig({ dir, listen: port, upstreams, readTimeout, extraLocations: more.extraLocations }));
  const test = spawnSync(binary, ['-p', dir, '-c', conf, '-t', '-g', 'daemon off;'], { encoding: 'utf8' });
  if (test.status !== 0) throw new Error(`nginx -t failed: ${test.stderr}`);
  const child = spawn(binary, ['-p', dir, '-c', conf, '-g', 'daemon off;'], { stdio: 'ignore' });
  await Promise.race([
    waitFor('nginx', 10_000, () => listening(port)),
    exited(child).then(() => {
      throw new Error(`nginx exited with ${child.exitCode ?? child.signalCode}; see ${join(dir, 'error.log')}`);
    }),
  ]);
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    async stop() {
      // SIGTERM is nginx's fast stop (SIGQUIT, the graceful one, would wait
      // for every open stream to end).
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}
