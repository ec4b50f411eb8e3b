/**
 * `for await (const event of es)` and `es.events(...types)`
 * (src/source/iterate.ts), through the public class on a fake fetch: every
 * message in order, how a loop ends (break, close(), a final failure, a 204,
 * the buffer bound), and the stored cursor following the loop body, so that a
 * source left with its loop resumes right after the last event the body took.
 */
import { describe, expect, it } from 'vitest';
import { iteratorBufferSize, StreamError } from '../../src/contract/events.js';
import { createMemoryStore, type ResilientEventSourceInit } from '../../src/index.js';
import { closeAfterEach, fakeSource, settle } from '../helpers/sources.js';

const URL_ = 'http://stream.test/events';
const sources = closeAfterEach();
const setup = (options: ResilientEventSourceInit = {}) => fakeSource(sources, URL_, options);

describe('for await (const event of es)', () => {
  it('yields every message of every type in order, also those that arrive while the body awaits, and ends when the source closes', async () => {
    const { es, fetch } = setup({ method: 'POST', body: '{}' });
    const stream = (await fetch.call(0)).respondStream();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const event of es) {
        seen.push(event.data);
        // A slow consumer: more events arrive meanwhile.
        await settle();
      }
    })();
    stream.write('data: 1\n\ndata: 2\n\n');
    await settle();
    stream.write('data: 3\n\nevent: other\ndata: named\n\ndata: 4\n\n');
    stream.close();
    await loop;
    expect(seen).toEqual(['1', '2', '3', 'named', '4']);
  });

  it('es.events(...types) yields only those types; the others pass the loop by', async () => {
    const { es, fetch } = setup({ method: 'POST', body: '{}' });
    const stream = (await fetch.call(0)).respondStream();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const event of es.events('delta', 'message_stop')) seen.push(`${event.type}:${event.data}`);
    })();
    stream.write(
      'event: message_start\ndata: s\n\nevent: delta\ndata: a\n\nevent: ping\ndata: p\n\nevent: delta\ndata: b\n\n',
    );
    stream.write('data: unnamed\n\nevent: message_stop\ndata: e\n\n');
    stream.close();
    await loop;
    expect(seen).toEqual(['delta:a', 'delta:b', 'message_stop:e']);
    expect(() => es.events(42 as never)).toThrow(TypeError);
  });

  it('leaving the loop closes the source', async () => {
    const { es, fetch } = setup();
    const stream = (await fetch.call(0)).respondStream();
    stream.write('data: a\n\ndata: b\n\n');
    for await (const event of es) {
      if (event.data === 'a') break;
    }
    expect(es.readyState).toBe(es.CLOSED);
  });

  it('close() from elsewhere ends the loop normally, after the events already received', async () => {
    const { es, fetch } = setup();
    const stream = (await fetch.call(0)).respondStream();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const event of es) seen.push(event.data);
    })();
    stream.write('data: a\n\n');
    await settle();
    es.close();
    await expect(loop).resolves.toBeUndefined();
    expect(seen).toEqual(['a']);
  });

  it('a final failure rejects the loop with a StreamError carrying reason and status (here 404)', async () => {
    const { es, fetch, clock } = setup();
    (await fetch.call(0)).respondStream().write('data: a\n\n');
    const seen: string[] = [];
    let thrown: unknown;
    const loop = (async () => {
      try {
        for await (const event of es) seen.push(event.data);
      } catch (error) {
        thrown = error;
      }
    })();
    await settle();
    es.reconnect();
    clock.advance(0);
    (await fetch.call(1)).respond(404);
    await loop;
    expect(seen).toEqual(['a']);
    expect(thrown).toBeInstanceOf(StreamError);
    expect(thrown).toMatchObject({ name: 'StreamError', reason: 'http-status', status: 404 });
  });

  it('a 204 (the server\'s "this stream is over") ends the loop normally, after the events received', async () => {
    const { es, fetch, clock } = setup();
    (await fetch.call(0)).respondStream().write('data: a\n\ndata: b\n\n');
    const seen: string[] = [];
    const loop = (async () => {
      for await (const event of es) seen.push(event.data);
    })();
    await settle();
    es.reconnect();
    clock.advance(0);
    (await fetch.call(1)).respond(204);
    await expect(loop).resolves.toBeUndefined();
    expect(seen).toEqual(['a', 'b']);
    expect(es.readyState).toBe(es.CLOSED);
  });

  it('a server event named error is a message to the loop, not a failure', async () => {
    const { es, fetch } = setup({ method: 'POST', body: '{}' });
    const stream = (await fetch.call(0)).respondStream();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const event of es) seen.push(`${event.type}:${event.data}`);
    })();
    stream.write('event: error\ndata: {"type":"overloaded_error"}\n\ndata: after\n\n');
    stream.close();
    await expect(loop).resolves.toBeUndefined();
    expect(seen).toEqual(['error:{"type":"overloaded_error"}', 'message:after']);
  });

  it(`at ${iteratorBufferSize} events behind, closes the source, yields every event received, then throws`, async () => {
    const { es, fetch } = setup();
    const stream = (await fetch.call(0)).respondStream();
    const iterator = es[Symbol.asyncIterator]();
    let text = '';
    for (let i = 1; i <= iteratorBufferSize + 50; i++) text += `id: ${i}\ndata: ${i}\n\n`;
    stream.write(text);
    await settle();
    expect(es.readyState).toBe(es.CLOSED);
    // The cursor stops at the last event queued: a new source resumes right after it.
    expect(es.lastEventId).toBe(String(iteratorBufferSize));
    const got: string[] = [];
    let thrown: unknown;
    try {
      for (;;) {
        const r = await iterator.next();
        if (r.done) break;
        got.push(r.value.data);
      }
    } catch (error) {
      thrown = error;
    }
    expect(got).toHaveLength(iteratorBufferSize);
    expect(got.at(-1)).toBe(String(iteratorBufferSize));
    expect(thrown).toMatchObject({ name: 'StreamError', reason: 'too-large' });
  });
});

describe('the cursor of a source read by a for await loop follows the loop body', () => {
  const events = (from: number, to: number, type = (_: number) => '') => {
    let text = '';
    for (let i = from; i <= to; i++) text += `id: ${i}\n${type(i) ? `event: ${type(i)}\n` : ''}data: ${i}\n\n`;
    return text;
  };

  /** A source on `store` whose first response carries `text`, read by `body` until it returns false; then a second source on the store. */
  async function leaveAndResume(
    text: string,
    body: (event: MessageEvent<string>) => boolean | Promise<boolean>,
    types: string[] = [],
  ) {
    const store = createMemoryStore();
    const first = setup({ store });
    const stream = (await first.fetch.call(0)).respondStream();
    const taken: string[] = [];
    let thrown: unknown;
    const loop = (async () => {
      try {
        for await (const event of first.es.events(...types)) {
          taken.push(event.data);
          if (!(await body(event))) break;
        }
      } catch (error) {
        thrown = error;
      }
    })();
    // Every event arrives at once, while the loop body takes the first.
    stream.write(text);
    await loop;
    expect(first.es.readyState).toBe(first.es.CLOSED);
    await first.es.closed;
    const second = setup({ store });
    const request = await second.fetch.call(0);
    return {
      taken,
      thrown,
      stored: await store.get(URL_),
      lastEventIdSent: request.headers.get('last-event-id'),
      second: { ...second, request },
    };
  }

  it('break after 5 of 100 queued events: the cursor is 5, and a new source resumes after 5', async () => {
    const { taken, stored, lastEventIdSent } = await leaveAndResume(events(1, 100), (e) => e.data !== '5');
    expect(taken).toEqual(['1', '2', '3', '4', '5']);
    expect(stored).toEqual({ lastEventId: '5', recentIds: ['1', '2', '3', '4', '5'] });
    expect(lastEventIdSent).toBe('5');
  });

  it('a throw in the loop body after 5: the same, and the loop rethrows it', async () => {
    const { taken, thrown, stored } = await leaveAndResume(events(1, 100), (e) => {
      if (e.data === '5') throw new Error('handler failed');
      return true;
    });
    expect(taken).toEqual(['1', '2', '3', '4', '5']);
    expect(thrown).toMatchObject({ message: 'handler failed' });
    expect(stored).toEqual({ lastEventId: '5', recentIds: ['1', '2', '3', '4', '5'] });
  });

  it('events the loop does not ask for count as taken once the loop passes them, not before', async () => {
    const type = (i: number) => (i % 2 === 0 ? 'even' : 'odd');
    const { taken, stored } = await leaveAndResume(events(1, 20, type), (e) => e.data !== '7', ['odd']);
    expect(taken).toEqual(['1', '3', '5', '7']);
    // Event 8 (even) was queued behind 7, not passed yet: the cursor is 7, and 8 is not in the window.
    expect(stored).toEqual({ lastEventId: '7', recentIds: ['1', '2', '3', '4', '5', '6', '7'] });
  });

  it('the events not taken are not in the saved dedupe window: replayed, they are delivered to the new source', async () => {
    const { second } = await leaveAndResume(events(1, 10), (e) => e.data !== '3');
    const seen: string[] = [];
    second.es.addEventListener('message', (e) => seen.push(e.data));
    // A server that ignores the cursor and replays from 2: 2 and 3 are repeats, 4… are new.
    second.request.respondStream().write(events(2, 6));
    await settle();
    expect(seen).toEqual(['4', '5', '6']);
  });

  it("a loop that has taken everything leaves the stream's own position (an id-only block after the last event included)", async () => {
    const store = createMemoryStore();
    const { es, fetch } = setup({ store });
    const stream = (await fetch.call(0)).respondStream();
    const loop = (async () => {
      for await (const event of es) if (event.data === '2') break;
    })();
    stream.write(`${events(1, 2)}id: 3\n\n`);
    await loop;
    await es.closed;
    expect(await store.get(URL_)).toEqual({ lastEventId: '3', recentIds: ['1', '2'] });
  });

  it(`at ${iteratorBufferSize} behind, the loop yields what it queued and saves the cursor after the last it gave, before it throws`, async () => {
    const store = createMemoryStore();
    const { es, fetch } = setup({ store });
    const stream = (await fetch.call(0)).respondStream();
    const iterator = es[Symbol.asyncIterator]();
    stream.write(events(1, iteratorBufferSize + 50));
    await settle();
    expect(es.readyState).toBe(es.CLOSED);
    await es.closed;
    // Closed with nothing taken: the stored cursor is where the body stands.
    expect(await store.get(URL_)).toBeUndefined();
    let count = 0;
    await expect(
      (async () => {
        for (;;)
          if ((await iterator.next()).done) return;
          else count++;
      })(),
    ).rejects.toMatchObject({ reason: 'too-large' });
    expect(count).toBe(iteratorBufferSize);
    expect((await store.get(URL_))?.lastEventId).toBe(String(iteratorBufferSize));
  });
});

describe('loops and keys (found by review)', () => {
  it('close(), await closed, and a new source on the same key at once: it resumes, even though a loop was still ending', async () => {
    const store = createMemoryStore();
    const first = setup({ store });
    const loop = (async () => {
      for await (const _ of first.es) {
        // Takes everything; the loop ends only when the source closes.
      }
    })();
    (await first.fetch.call(0)).respondStream().write('id: 1\ndata: a\n\nid: 2\ndata: b\n\n');
    await settle();
    first.es.close();
    await first.es.closed;
    const second = setup({ store });
    expect((await second.fetch.call(0)).headers.get('last-event-id')).toBe('2');
    await settle();
    expect(second.errors).toEqual([]);
    await loop;
  });

  it('a loop made and never run does not hold the key once its source is closed', async () => {
    const store = createMemoryStore();
    const first = setup({ store });
    first.es.events('never-iterated');
    (await first.fetch.call(0)).respondStream().write('id: 1\ndata: a\n\n');
    await settle();
    first.es.close();
    await first.es.closed;
    const second = setup({ store });
    expect((await second.fetch.call(0)).headers.get('last-event-id')).toBe('1');
    await settle();
    expect(second.errors).toEqual([]);
  });

  it(`a loop over some types is not closed by ${iteratorBufferSize} events of other types while one it wants waits`, async () => {
    const { es, fetch } = setup();
    const stream = (await fetch.call(0)).respondStream();
    const iterator = es.events('alert');
    stream.write(
      `event: alert\ndata: a\n\n${'event: tick\ndata: t\n\n'.repeat(iteratorBufferSize + 10)}event: alert\ndata: b\n\n`,
    );
    await settle();
    expect(es.readyState).toBe(es.OPEN);
    expect((await iterator.next()).value?.data).toBe('a');
    expect((await iterator.next()).value?.data).toBe('b');
  });

  it('two loops: one left after id 1, the other going on to 3: the cursor stays where the first was left', async () => {
    const store = createMemoryStore();
    const { es, fetch } = setup({ store });
    const a = es.events();
    const b = es.events();
    (await fetch.call(0)).respondStream().write('id: 1\ndata: 1\n\nid: 2\ndata: 2\n\nid: 3\ndata: 3\n\n');
    await settle();
    await a.next();
    await a.return?.();
    for (let i = 0; i < 3; i++) await b.next();
    await b.return?.();
    await es.closed;
    expect(await store.get(URL_)).toEqual({ lastEventId: '1', recentIds: ['1'] });
  });
});
