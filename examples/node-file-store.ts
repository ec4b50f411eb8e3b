/**
 * README: Node, with a cursor that survives restarts. A complete program:
 * EVENTS_URL and CURSOR_DIR come from the environment; each event is printed
 * as "id data". examples/node-file-store.test.ts runs it.
 */
const handle = (id: string, data: string) => process.stdout.write(`${id} ${data}\n`);

// #region readme:node
import { ResilientEventSource } from 'resilient-eventsource';
import { createFileStore } from 'resilient-eventsource/node';

const es = new ResilientEventSource(process.env.EVENTS_URL ?? 'http://localhost:8787/stream', {
  store: createFileStore(process.env.CURSOR_DIR ?? './.cursors'),
  headers: () => ({ Authorization: `Bearer ${process.env.TOKEN}` }),
});
es.onmessage = (e) => handle(e.lastEventId, e.data);

// `closed` resolves once the cursor is saved: await it before exiting, and the
// next start resumes after the last event this process handled. SIGINT is
// Ctrl-C; SIGTERM is what process managers and containers send.
const stop = async () => {
  es.close();
  await es.closed;
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// #endregion
