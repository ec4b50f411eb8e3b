/**
 * Message delivery keeps EventTarget's semantics although it bypasses
 * dispatchEvent (see src/source/listeners.ts): order, duplicates, once, signal,
 * handleEvent, removal during a dispatch, stopImmediatePropagation, errors,
 * and events dispatched by someone else.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ResilientEventSource } from '../../src/index.js';
import { createFakeFetch, type FakeStream } from '../helpers/fake-fetch.js';
import { closeAll, settle } from '../helpers/sources.js';

const sources: ResilientEventSource[] = [];
afterEach(async () => {
  await closeAll(sources);
  vi.restoreAllMocks();
});

/**
 * An open source and a way to send it frames. Kept here rather than
 * fakeSource: these sources run on the real clock and random source, as an
 * app's do, and record nothing but what each test listens to.
 */
async function open(): Promise<{ es: ResilientEventSource; send: (frames: string) => Promise<void> }> {
  const fetch = createFakeFetch();
  const es = new ResilientEventSource('http://listeners.test/', { fetch, store: false });
  sources.push(es);
  const stream: FakeStream = (await fetch.call(0)).respondStream();
  return {
    es,
    send: async (frames) => {
      stream.write(frames);
      await settle();
    },
  };
}

describe('message listeners', () => {
  it('are called in registration order, each registration once, with this = the source', async () => {
    const { es, send } = await open();
    const calls: string[] = [];
    const a = function (this: unknown) {
      calls.push(`a:${this === es}`);
    };
    const b = () => calls.push('b');
    es.addEventListener('message', a);
    es.addEventListener('message', b);
    es.addEventListener('message', a); // the same (listener, capture): ignored
    es.onmessage = () => calls.push('handler');
    await send('data: 1\n\n');
    expect(calls).toEqual(['a:true', 'b', 'handler']);
  });

  it('get a MessageEvent-shaped event that is instanceof MessageEvent and Event', async () => {
    const { es, send } = await open();
    let event: MessageEvent | undefined;
    es.addEventListener('message', (e) => (event = e));
    await send('id: 9\ndata: hello\n\n');
    expect(event).toBeInstanceOf(MessageEvent);
    expect(event).toBeInstanceOf(Event);
    expect(event).toMatchObject({
      type: 'message',
      data: 'hello',
      lastEventId: '9',
      origin: 'http://listeners.test',
      bubbles: false,
      cancelable: false,
      defaultPrevented: false,
      eventPhase: 2,
      source: null,
      isTrusted: false,
    });
    expect(event?.target).toBe(es);
    expect(event?.currentTarget).toBe(es);
    expect(event?.ports).toEqual([]);
    expect(event?.composedPath()).toEqual([es]);
    expect(typeof event?.timeStamp).toBe('number');
    event?.preventDefault();
    expect(event?.defaultPrevented).toBe(false);
  });

  it('honour once', async () => {
    const { es, send } = await open();
    const calls: string[] = [];
    es.addEventListener('message', (e) => calls.push(`once:${e.data}`), { once: true });
    es.addEventListener('message', (e) => calls.push(`always:${e.data}`));
    await send('data: 1\n\ndata: 2\n\n');
    expect(calls).toEqual(['once:1', 'always:1', 'always:2']);
  });

  it('honour an AbortSignal, already aborted or aborted later', async () => {
    const { es, send } = await open();
    const calls: string[] = [];
    const early = new AbortController();
    early.abort();
    es.addEventListener('message', () => calls.push('early'), { signal: early.signal });
    const later = new AbortController();
    es.addEventListener('message', () => calls.push('later'), { signal: later.signal });
    await send('data: 1\n\n');
    later.abort();
    await send('data: 2\n\n');
    expect(calls).toEqual(['later']);
  });

  it('can be removed, also while a dispatch is under way (not called after removal)', async () => {
    const { es, send } = await open();
    const calls: string[] = [];
    const second = () => calls.push('second');
    es.addEventListener('message', () => {
      calls.push('first');
      es.removeEventListener('message', second);
    });
    es.addEventListener('message', second);
    await send('data: 1\n\n');
    expect(calls).toEqual(['first']);
  });

  it('added during a dispatch are not called for that event', async () => {
    const { es, send } = await open();
    const calls: string[] = [];
    es.addEventListener(
      'message',
      (e) => {
        calls.push(`first:${e.data}`);
        es.addEventListener('message', (f) => calls.push(`added:${f.data}`));
      },
      { once: true },
    );
    es.addEventListener('message', (e) => calls.push(`second:${e.data}`));
    await send('data: 1\n\ndata: 2\n\n');
    expect(calls).toEqual(['first:1', 'second:1', 'second:2', 'added:2']);
  });

  it('respect capture as part of the identity', async () => {
    const { es, send } = await open();
    const calls: string[] = [];
    const l = () => calls.push('l');
    es.addEventListener('message', l, true);
    es.addEventListener('message', l, false);
    await send('data: 1\n\n');
    es.removeEventListener('message', l, { capture: true });
    await send('data: 2\n\n');
    expect(calls).toEqual(['l', 'l', 'l']);
  });

  it('stopImmediatePropagation stops later listeners', async () => {
    const { es, send } = await open();
    const calls: string[] = [];
    es.addEventListener('message', (e) => {
      calls.push('first');
      e.stopImmediatePropagation();
    });
    es.addEventListener('message', () => calls.push('second'));
    await send('data: 1\n\n');
    expect(calls).toEqual(['first']);
  });

  it('accept handleEvent objects', async () => {
    const { es, send } = await open();
    const seen: string[] = [];
    const listener = { handleEvent: (e: Event) => seen.push((e as MessageEvent).data) };
    es.addEventListener('message', listener);
    await send('data: x\n\n');
    es.removeEventListener('message', listener);
    await send('data: y\n\n');
    expect(seen).toEqual(['x']);
  });

  it('an exception in one listener does not stop the others; it is reported, not swallowed', async () => {
    const { es, send } = await open();
    const reported: unknown[] = [];
    const g = globalThis as { reportError?: (e: unknown) => void };
    const original = g.reportError;
    g.reportError = (e) => reported.push(e);
    try {
      const calls: string[] = [];
      es.addEventListener('message', () => {
        throw new Error('listener bug');
      });
      es.addEventListener('message', () => calls.push('second'));
      await send('data: 1\n\n');
      expect(calls).toEqual(['second']);
      expect((reported[0] as Error).message).toBe('listener bug');
    } finally {
      if (original) g.reportError = original;
      else delete g.reportError;
    }
  });

  it('custom event types go through the same path', async () => {
    const { es, send } = await open();
    const seen: string[] = [];
    es.addEventListener('price', (e: MessageEvent) => seen.push(`${e.type}:${e.data}`));
    await send('event: price\ndata: 42\n\ndata: ignored\n\n');
    expect(seen).toEqual(['price:42']);
  });

  it('an event dispatched by someone else with dispatchEvent still reaches them, once', async () => {
    const { es } = await open();
    const seen: string[] = [];
    es.addEventListener('message', (e) => seen.push(`${e.data}:${e.target === es}`));
    es.addEventListener('note', (e: Event) => seen.push(`note:${(e as CustomEvent<number>).detail}`), { once: true });
    es.dispatchEvent(new MessageEvent('message', { data: 'synthetic' }));
    es.dispatchEvent(new CustomEvent('note', { detail: 1 }));
    es.dispatchEvent(new CustomEvent('note', { detail: 2 }));
    expect(seen).toEqual(['synthetic:true', 'note:1']);
  });

  it('open, error and reconnecting stay on the real EventTarget', async () => {
    const fetch = createFakeFetch();
    const es = new ResilientEventSource('http://listeners.test/', { fetch, store: false });
    sources.push(es);
    const seen: string[] = [];
    es.addEventListener('open', (e) => seen.push(`open:${e.target === es}`));
    (await fetch.call(0)).respondStream();
    await settle();
    expect(seen).toEqual(['open:true']);
  });
});
