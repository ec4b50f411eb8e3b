/**
 * `npm run server -- --redis redis://127.0.0.1:6379 [--port N] [--stream KEY]
 * [--interval MS] [--retry MS] [--heartbeat MS] [--max-length N] [--log-connections]`:
 * one instance of the cluster. Start several on different ports, behind a
 * proxy; SIGTERM drains it (streams end, clients reconnect elsewhere).
 * With --log-connections, each stream request prints `{"t":ms,"status":N}` (and `"why"` for a 503).
 */
import { createClusterServer } from './cluster-server.js';

/** Runs an instance with the flags of `npm run server`. */
export async function runCluster(flag: (name: string) => string | undefined): Promise<void> {
  const logConnections = process.argv.includes('--log-connections');
  const server = await createClusterServer({
    redis: flag('redis') ?? 'redis://127.0.0.1:6379',
    port: Number(flag('port') ?? process.env['PORT'] ?? 8787),
    ...(flag('stream') === undefined ? {} : { stream: flag('stream') }),
    publishInterval: Number(flag('interval') ?? 0),
    retry: Number(flag('retry') ?? 1000),
    heartbeatInterval: Number(flag('heartbeat') ?? 15_000),
    ...(flag('max-length') === undefined ? {} : { maxLength: Number(flag('max-length')) }),
    ...(logConnections
      ? {
          onStreamRequest: (status: number, why?: string) =>
            void process.stdout.write(
              `${JSON.stringify({ t: Date.now(), status, ...(why === undefined ? {} : { why }) })}\n`,
            ),
        }
      : {}),
  });
  process.stdout.write(`Cluster instance on ${server.url}/stream (stream ${server.log.stream})\n`);
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    void server.drain().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
