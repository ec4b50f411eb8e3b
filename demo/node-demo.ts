/**
 * `npm run demo`: the reference server on 127.0.0.1 and a ResilientEventSource
 * reading it while the server misbehaves on purpose, every two seconds, in
 * turn. The cursor is kept in ./.cursor-store, so stopping the demo (Ctrl-C)
 * and starting it again resumes where it stopped.
 *
 * Flags: --port N (or PORT; default 8787), --seconds N (stop by itself after N).
 */
import { createSseServer } from '../server/sse-server.js';
import { createFileStore, ReconnectingEvent, ResilientEventSource, StreamErrorEvent } from '../src/node.js';

const flag = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
};
const port = Number(flag('port') ?? process.env['PORT'] ?? 8787);
const seconds = Number(flag('seconds') ?? 0);

const server = await createSseServer({ port, retry: 500, publishInterval: 150, heartbeatInterval: 1000 }).catch(
  (error: NodeJS.ErrnoException) => {
    // One line a person can act on, not a stack trace.
    process.stderr.write(
      error.code === 'EADDRINUSE'
        ? `Port ${port} is in use: try npm run demo:node -- --port ${port + 1}\n`
        : `${error.message}\n`,
    );
    process.exit(1);
  },
);
const print = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 23)}  ${line}\n`);
print(`reference server: ${server.streamUrl}  (faults: POST ${server.url}/control/…)`);

const es = new ResilientEventSource(server.streamUrl, {
  store: createFileStore('.cursor-store'),
  heartbeatTimeout: 2000,
  backoff: { initialDelay: 250, maxDelay: 4000 },
});
let received = 0;
let lastId = 0;
let gaps = 0;
let repeats = 0;
es.addEventListener('open', () => print(`open (Last-Event-ID ${es.lastEventId || 'none'})`));
es.addEventListener('message', (e) => {
  const id = Number(e.lastEventId);
  if (lastId && id > lastId + 1) gaps++;
  if (id <= lastId) repeats++;
  lastId = id;
  received++;
  if (received % 10 === 0) print(`… ${received} events, last id ${id}`);
});
es.addEventListener('error', (e) => {
  if (e instanceof StreamErrorEvent) print(`error: ${e.reason}${e.status ? ` ${e.status}` : ''}: ${e.message}`);
});
es.addEventListener('reconnecting', (e) => {
  if (e instanceof ReconnectingEvent) print(`reconnecting: attempt ${e.attempt} in ${e.delay} ms`);
});

const faults: [string, () => void][] = [
  ['drop every connection', () => server.faults.dropAll()],
  ['cut the next event in half', () => server.faults.dropMidEvent()],
  ['go silent (heartbeat timeout in 2 s)', () => server.faults.silence()],
  [
    'answer 503 with Retry-After: 1',
    () => {
      server.faults.failNext(503, { retryAfter: '1' });
      server.faults.dropAll();
    },
  ],
  ['replay the last 5 events', () => server.faults.replay(5)],
  [
    'write 1 byte at a time',
    () => {
      server.wire.chunking = 'bytes';
    },
  ],
  [
    'back to normal writes, CRLF line endings',
    () => {
      server.wire.chunking = 'none';
      server.wire.eol = 'crlf';
    },
  ],
];
let turn = 0;
const faultTimer = setInterval(() => {
  const [name, act] = faults[turn++ % faults.length] ?? faults[0]!;
  print(`FAULT: ${name}`);
  act();
}, 2000);

async function stop() {
  clearInterval(faultTimer);
  es.close();
  await es.closed;
  await server.close();
  print(
    `stopped: ${received} events received, ${es.stats.duplicatesSuppressed} duplicates suppressed, ` +
      `${es.stats.reconnects} reconnects, ${gaps} gaps, ${repeats} repeats delivered. Cursor saved in .cursor-store/`,
  );
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
if (seconds > 0) setTimeout(() => void stop(), seconds * 1000);
