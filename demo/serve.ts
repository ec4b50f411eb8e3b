/**
 * `npm run demo`: builds (via the npm script), then serves the demo page and
 * the reference server on 127.0.0.1:8787. Change the port with --port N or
 * PORT=N; through npm, `npm run demo -- --port N` (npm takes a bare --port
 * for itself). Ctrl-C stops it. With --cluster: two instances on Redis Streams
 * behind nginx instead, with a "kill an instance" button (demo/cluster.ts).
 */
import { startClusterDemo } from './cluster.js';
import { startDemo } from './server.js';

const flag = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
};
const port = Number(flag('port') ?? process.env['PORT'] ?? 8787);

const cluster = process.argv.includes('--cluster');
const server = await (cluster ? startClusterDemo({ port }) : startDemo({ port })).catch(
  (error: NodeJS.ErrnoException) => {
    process.stderr.write(
      error.code === 'EADDRINUSE'
        ? `Port ${port} is in use: try npm run demo -- --port ${port + 1}\n`
        : `${error.message}\n`,
    );
    process.exit(1);
  },
);
process.stdout.write(
  `\n  resilient-eventsource ${cluster ? 'cluster ' : ''}demo: ${cluster ? server.url : `${server.url}/`}\n\n  Open it in a browser; Ctrl-C stops.\n\n`,
);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nStopping…\n');
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
