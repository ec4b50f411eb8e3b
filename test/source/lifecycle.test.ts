/**
 * The page's life cycle as the source meets it (src/platform/lifecycle.ts's
 * signals; the pauses of src/source/pauses.ts, acted on by the driver): back
 * online, pagehide and pageshow from the back/forward cache, pauseWhenHidden.
 * Driven in Node through a stand-in global event target and document. (The
 * Page Lifecycle `resume` and visible-after-a-silence wakes are the driver's:
 * driver.test.ts, 'wake in browsers'.)
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStore, type ResilientEventSourceInit, type StoredCursor } from '../../src/index.js';
import { closeAfterEach, closeAll, failAttempt, fakeSource, settle } from '../helpers/sources.js';

const URL_ = 'http://stream.test/events';
const sources = closeAfterEach();

/** A source whose events are logged in order, a `message` listener included. */
const logged = (options: ResilientEventSourceInit = {}) => fakeSource(sources, URL_, options, { log: true });

describe('browser life cycle (driven in Node through a stand-in global event target)', () => {
  const globals = globalThis as unknown as Record<string, unknown>;
  let target: EventTarget;
  beforeEach(() => {
    target = new EventTarget();
    globals['addEventListener'] = target.addEventListener.bind(target);
    globals['removeEventListener'] = target.removeEventListener.bind(target);
  });
  afterEach(async () => {
    // The sources first, while the stand-in target they listen on is still there.
    await closeAll(sources);
    delete globals['addEventListener'];
    delete globals['removeEventListener'];
    delete globals['document'];
  });
  const pageEvent = (type: string, persisted = false) => Object.assign(new Event(type), { persisted });

  it('online makes a pending reconnect happen at once', async () => {
    const { fetch, clock } = logged({ backoff: { initialDelay: 60_000 }, heartbeatTimeout: 0 });
    await failAttempt(fetch, 0);
    expect(clock.pending).toBe(1);
    target.dispatchEvent(new Event('online'));
    await fetch.call(1);
    // The 60 s reconnect timer is gone, not left to fire a second request.
    expect(clock.pending).toBe(0);
  });

  it('online does nothing while connected', async () => {
    const { fetch } = logged();
    (await fetch.call(0)).respondStream();
    await settle();
    target.dispatchEvent(new Event('online'));
    await settle();
    expect(fetch.calls).toHaveLength(1);
  });

  it('pagehide stops the stream before saving, so nothing arrives after the save; pageshow from the cache resumes', async () => {
    const store = createMemoryStore();
    const { es, fetch, log } = logged({ store });
    const call = await fetch.call(0);
    const stream = call.respondStream();
    stream.write('id: 1\ndata: a\n\n');
    await settle();
    target.dispatchEvent(pageEvent('pagehide', true));
    expect(call.aborted).toBe(true);
    expect(es.readyState).toBe(es.CONNECTING);
    await settle();
    expect(await store.get(URL_)).toEqual({ lastEventId: '1', recentIds: ['1'] });
    target.dispatchEvent(pageEvent('pageshow', false));
    await settle();
    expect(fetch.calls).toHaveLength(1);
    target.dispatchEvent(pageEvent('pageshow', true));
    expect((await fetch.call(1)).headers.get('last-event-id')).toBe('1');
    expect(log).toEqual(['open', 'message:a']);
  });

  it('close() removes the life-cycle listeners', async () => {
    const { es, fetch, clock } = logged();
    await failAttempt(fetch, 0);
    es.close();
    await es.closed;
    target.dispatchEvent(new Event('online'));
    target.dispatchEvent(pageEvent('pageshow', true));
    await settle();
    expect(fetch.calls).toHaveLength(1);
    expect(clock.pending).toBe(0);
  });

  it('pauseWhenHidden: hidden closes the stream, visible reconnects with Last-Event-ID', async () => {
    const doc = Object.assign(new EventTarget(), { hidden: false });
    globals['document'] = doc;
    const { es, fetch, errors } = logged({ pauseWhenHidden: true });
    const call = await fetch.call(0);
    call.respondStream().write('id: 3\ndata: x\n\n');
    await settle();
    doc.hidden = true;
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(call.aborted).toBe(true);
    expect(es.readyState).toBe(es.CONNECTING);
    doc.hidden = false;
    doc.dispatchEvent(new Event('visibilitychange'));
    expect((await fetch.call(1)).headers.get('last-event-id')).toBe('3');
    expect(errors).toEqual([]);
  });

  it('pauseWhenHidden: a page hidden at start waits until it is visible', async () => {
    const doc = Object.assign(new EventTarget(), { hidden: true });
    globals['document'] = doc;
    const { fetch } = logged({ pauseWhenHidden: true });
    await settle();
    expect(fetch.calls).toHaveLength(0);
    doc.hidden = false;
    doc.dispatchEvent(new Event('visibilitychange'));
    await fetch.call(0);
  });

  it('pauseWhenHidden: hidden and visible again while the stored cursor is read: one attempt, after the read, with Last-Event-ID', async () => {
    const doc = Object.assign(new EventTarget(), { hidden: false });
    globals['document'] = doc;
    let answer!: (cursor: StoredCursor) => void;
    const store = { ...createMemoryStore(), get: () => new Promise<StoredCursor>((resolve) => (answer = resolve)) };
    const { es, fetch } = logged({ pauseWhenHidden: true, store });
    await settle();
    doc.hidden = true;
    doc.dispatchEvent(new Event('visibilitychange'));
    doc.hidden = false;
    doc.dispatchEvent(new Event('visibilitychange'));
    await settle();
    expect(fetch.calls).toHaveLength(0);
    answer({ lastEventId: '42', recentIds: ['42'] });
    expect((await fetch.call(0)).headers.get('last-event-id')).toBe('42');
    await settle();
    expect(fetch.calls).toHaveLength(1);
    es.close();
    expect(fetch.calls[0]!.aborted).toBe(true);
  });

  it('pauseWhenHidden: a source created hidden answers reconnect() once visible', async () => {
    const doc = Object.assign(new EventTarget(), { hidden: true });
    globals['document'] = doc;
    const { es, fetch, reconnecting } = logged({ pauseWhenHidden: true });
    await settle();
    doc.hidden = false;
    doc.dispatchEvent(new Event('visibilitychange'));
    const first = await fetch.call(0);
    first.respondStream();
    await settle();
    es.reconnect();
    expect(first.aborted).toBe(true);
    expect(reconnecting.map((e) => e.reason)).toEqual(['requested']);
    await fetch.call(1);
  });

  it('without pauseWhenHidden, visibility changes nothing', async () => {
    const doc = Object.assign(new EventTarget(), { hidden: false });
    globals['document'] = doc;
    const { fetch } = logged();
    const call = await fetch.call(0);
    call.respondStream();
    doc.hidden = true;
    doc.dispatchEvent(new Event('visibilitychange'));
    await settle();
    expect(call.aborted).toBe(false);
  });
});
