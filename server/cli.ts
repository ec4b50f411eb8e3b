/**
 * `npm run server`: the reference server on a fixed port, publishing an event
 * every second. Flags: --port N (or PORT), --interval MS, --retry MS.
 * Faults over HTTP: POST /control/drop, /control/silence, /control/fail?status=503&retryAfter=2, …
 * With --redis URL: one instance of the cluster instead (server/cluster/main.ts).
 */
import { createSseServer } from './sse-server.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

if (flag('redis') !== undefined) {
  const { runCluster } = await import('./cluster/main.js');
  await runCluster(flag);
} else {
  const server = await createSseServer({
    port: Number(flag('port') ?? process.env['PORT'] ?? 8787),
    publishInterval: Number(flag('interval') ?? 1000),
    retry: Number(flag('retry') ?? 1000),
    heartbeatInterval: 15_000,
  });
  process.stdout.write(`Reference SSE server on ${server.streamUrl}\nFaults: POST ${server.url}/control/{drop,drop-mid-event,silence,fail,token,rotate-token,stop,replay,restart,reset}\n`);
  const shutdown = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
