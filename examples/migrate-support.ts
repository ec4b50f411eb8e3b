/**
 * The stream every migration guide's examples read (docs/migrate/): the
 * reference server with unnamed and named events, ids, a connection cut in the
 * middle of an event, and old events sent again. A reader migrated right sees
 * each event once, in order, with its name and id: {@link feedEvents}.
 */
import { expect, onTestFinished } from 'vitest';
import type { SseServer } from '../server/sse-server.js';
import { servePage } from './support.js';

/** What a listener or loop saw of one event. */
export interface Seen {
  type: string;
  id: string;
  data: string;
}

/** The feed, in order: what every migrated reader must see, each once. */
export const feedEvents: readonly Seen[] = [
  { type: 'message', id: '1', data: '{"n":1}' },
  { type: 'price', id: '2', data: '{"n":2}' },
  { type: 'message', id: '3', data: '{"n":3}' },
  { type: 'price', id: '4', data: '{"n":4}' },
  { type: 'message', id: '5', data: '{"n":5}' },
  { type: 'done', id: '6', data: '{"n":6}' },
];

const publish = (server: SseServer, e: Seen) =>
  server.publish(e.data, e.type === 'message' ? { id: e.id } : { event: e.type, id: e.id });

/**
 * Plays the feed on `server` while `seen()` counts what the reader under test
 * received so far:
 * 1. events 1–3, then waits until the reader has them;
 * 2. the next event (4) is cut in half and the socket destroyed (a drop), and
 *    event 5 is published while the reader is away: the server keeps both for
 *    the reconnect with `Last-Event-ID: 3`;
 * 3. once the reader has 5, events 3–5 are sent again on the open stream (a
 *    server or proxy that replays), then event 6, `done`.
 * The stream stays in order, so once the reader has `done`, any repeat would
 * have arrived before it.
 */
export async function playFeed(server: SseServer, seen: () => number, timeout = 10_000): Promise<void> {
  const [e1, e2, e3, e4, e5, e6] = feedEvents as [Seen, Seen, Seen, Seen, Seen, Seen];
  for (const e of [e1, e2, e3]) publish(server, e);
  await expect.poll(seen, { timeout }).toBeGreaterThanOrEqual(3);
  server.faults.dropMidEvent();
  publish(server, e4);
  publish(server, e5);
  await expect.poll(seen, { timeout }).toBeGreaterThanOrEqual(5);
  server.faults.replay(3);
  publish(server, e6);
}

/** `feedEvents` as `[type, id]` pairs, for short assertions. */
export const feedTypesAndIds = feedEvents.map((e) => [e.type, e.id]);

/**
 * A reference server of its own for the running test (`retry: 50`, no
 * heartbeats), stopped when the test ends; relative URLs resolve against it,
 * as on a page it served.
 */
export async function feedServer(): Promise<SseServer> {
  const server = await servePage();
  onTestFinished(() => server.stop());
  return server;
}
