/**
 * The public class (src/source/event-source.ts) as the app sees it, beside
 * the attempt loop (driver.test.ts): the EventSource handlers, close() and
 * `closed`, `stats` and its event, and `share: true` where it cannot share.
 */
import { describe, expect, it } from 'vitest';
import {
  createMemoryStore,
  type LastEventIdStore,
  type ResilientEventSourceInit,
  StatsEvent,
  StreamErrorEvent,
} from '../../src/index.js';
import { ours } from '../helpers/events.js';
import { closeAfterEach, failAttempt, fakeSource, settle } from '../helpers/sources.js';

const URL_ = 'http://stream.test/events';
const sources = closeAfterEach();

/** A source with no `message` listener (see fakeSource). */
const setup = (options: ResilientEventSourceInit = {}) => fakeSource(sources, URL_, options);
/** A source whose events are logged in order, a `message` listener included. */
const logged = (options: ResilientEventSourceInit = {}) => fakeSource(sources, URL_, options, { log: true });

describe('the EventSource handlers', () => {
  it('supports onopen, onmessage and onerror like EventSource', async () => {
    const { es, fetch } = logged({ backoff: { maxRetries: 0 } });
    const seen: string[] = [];
    es.onopen = function () {
      seen.push(`open:${this === es}`);
    };
    es.onmessage = (e) => seen.push(`message:${e.data}`);
    es.onerror = (e) => seen.push(`error:${e instanceof StreamErrorEvent ? e.reason : "the server's"}`);
    expect(typeof es.onmessage).toBe('function');
    const stream = (await fetch.call(0)).respondStream();
    stream.write('data: 1\n\n');
    await settle();
    es.onmessage = null;
    stream.write('data: 2\n\n');
    stream.close();
    await settle();
    expect(seen).toEqual(['open:true', 'message:1', 'error:max-retries']);
    expect(es.onmessage).toBeNull();
  });
});

describe('close() and closed', () => {
  it('close() returns undefined, as EventSource.close() does', () => {
    const { es } = setup();
    expect(es.close()).toBeUndefined();
    expect(es.close()).toBeUndefined();
    expect(es.readyState).toBe(es.CLOSED);
  });

  it('closed resolves after close(), once the cursor is saved', async () => {
    const writes: string[] = [];
    const memory = createMemoryStore();
    let release!: () => void;
    const store: LastEventIdStore = {
      ...memory,
      set: async (key, cursor) => {
        await new Promise<void>((resolve) => (release = resolve));
        writes.push(cursor.lastEventId);
        return memory.set(key, cursor);
      },
    };
    const { es, fetch } = setup({ store });
    const stream = (await fetch.call(0)).respondStream();
    stream.write('id: 7\ndata: x\n\n');
    await settle();
    let closed = false;
    void es.closed.then(() => (closed = true));
    es.close();
    await settle();
    expect(closed).toBe(false);
    release();
    await settle();
    release?.();
    await es.closed;
    expect(writes.at(-1)).toBe('7');
  });

  it('closed resolves on a final failure, on the signal and on maxRetries, and never rejects', async () => {
    const a = setup();
    (await a.fetch.call(0)).respond(204);
    await expect(a.es.closed).resolves.toBeUndefined();

    const controller = new AbortController();
    const b = setup({ signal: controller.signal });
    controller.abort();
    await expect(b.es.closed).resolves.toBeUndefined();

    const c = setup({ backoff: { maxRetries: 0 } });
    (await c.fetch.call(0)).fail();
    await expect(c.es.closed).resolves.toBeUndefined();
    expect(c.errors.at(-1)?.reason).toBe('max-retries');
  });
});

describe('stats', () => {
  it('fires a stats event after each change of connection state, for exporters', async () => {
    const { es, fetch, clock } = logged({ backoff: { maxRetries: 1 } });
    const seen: string[] = [];
    es.addEventListener(
      'stats',
      ours(StatsEvent, (e) => seen.push(`${e.stats.connectionAttempts}/${e.stats.reconnects}/${es.readyState}`)),
    );
    (await fetch.call(0)).respondStream().close();
    await settle();
    clock.advance(1000);
    (await fetch.call(1)).fail();
    await settle();
    // open, the reconnect scheduled, the final failure.
    expect(seen).toEqual(['1/0/1', '1/1/0', '2/1/2']);
  });

  it('counts attempts, reconnects, events, duplicates, bytes and times', async () => {
    const { es, fetch, clock } = logged();
    await failAttempt(fetch, 0);
    clock.advance(1000);
    const stream = (await fetch.call(1)).respondStream();
    const payload = 'id: 1\ndata: a\n\nid: 1\ndata: a\n\n';
    stream.write(payload);
    await settle();
    clock.advance(250);
    expect(es.stats).toEqual({
      connectionAttempts: 2,
      reconnects: 1,
      lastReconnectReason: 'network',
      lastReconnectDelay: 1000,
      eventsDelivered: 1,
      duplicatesSuppressed: 1,
      bytesReceived: payload.length,
      msSinceLastByte: 250,
      msSinceLastEvent: 250,
      lastEventId: '1',
      role: 'private',
    });
  });
});

describe('share without Web Locks (Node)', () => {
  it('quietly keeps a private connection', async () => {
    const { es, fetch } = logged({ share: true });
    (await fetch.call(0)).respondStream();
    await settle();
    expect(es.readyState).toBe(es.OPEN);
    expect(es.stats.role).toBe('private');
  });
});
