/**
 * `npm run server`: the reference server on a fixed port, publishing an event
 * every second (`npm run server -- --help` lists the flags). Faults over HTTP:
 * POST /control/drop, /control/silence, /control/fail?status=503&retryAfter=2, …
 * With --redis URL: one instance of the cluster instead (server/cluster/main.ts).
 */
import { createSseServer } from './sse-server.js';

const help = `Usage: npm run server -- [flags]

The reference SSE server on 127.0.0.1, serving the stream at any path that ends in /stream.

  --port N          port to listen on (default: the PORT variable, else 8787)
  --interval MS     publish an event every MS ms (default 1000; 0: only on POST /control/publish)
  --retry MS        the retry: hint sent at the start of each stream (default 1000; 0: none)
  --heartbeat MS    ms between ": ping" comments (default 15000; 0: none)
  --redis URL       run as one instance of a cluster over Redis Streams instead (see docs/reference-server.md)
  --stream KEY      with --redis: the Redis stream key (default sse:events)
  --max-length N    with --redis: the replay window, in events (default 100000)
  --log-connections with --redis: print a line per stream connection (the cluster test counts them)
  --help            this text

Faults, over HTTP while it runs (POST):
  /control/drop, /control/drop-mid-event, /control/silence, /control/fail?status=503&retryAfter=2,
  /control/token?token=abc, /control/rotate-token, /control/stop, /control/replay?count=5,
  /control/restart?ms=3000, /control/wire?eol=cr&chunking=bytes, /control/content-type?value=text/html,
  /control/reset, /control/publish?data=hello, /control/state
`;

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

const known = new Set([
  'port',
  'interval',
  'retry',
  'heartbeat',
  'redis',
  'stream',
  'max-length',
  'log-connections',
  'help',
]);
const unknown = process.argv.slice(2).filter((a) => a.startsWith('--') && !known.has(a.slice(2)));
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(help);
  process.exit(0);
}
if (unknown.length > 0) {
  process.stderr.write(`Unknown flag ${unknown.join(', ')}\n\n${help}`);
  process.exit(2);
}

if (flag('redis') !== undefined) {
  const { runCluster } = await import('./cluster/main.js');
  await runCluster(flag);
} else {
  const server = await createSseServer({
    port: Number(flag('port') ?? process.env['PORT'] ?? 8787),
    publishInterval: Number(flag('interval') ?? 1000),
    retry: Number(flag('retry') ?? 1000),
    heartbeatInterval: Number(flag('heartbeat') ?? 15_000),
  });
  process.stdout.write(
    `Reference SSE server on ${server.streamUrl} (--help lists the flags)\nFaults: POST ${server.url}/control/{drop,drop-mid-event,silence,fail,token,rotate-token,stop,replay,restart,reset}\n`,
  );
  const shutdown = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
