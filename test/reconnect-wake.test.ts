/**
 * reconnect() and wake-from-sleep (issue 13), through a fake fetch and an
 * injected clock whose wall and monotonic readings the test moves apart, as a
 * suspend does.
 */
import { describe, expect, it } from 'vitest';
import type { ResilientEventSourceInit, StreamErrorEvent } from '../src/index.js';
import { wakeCheckInterval, wakeThreshold, watchWake } from '../src/platform/wake.js';
import { withMonotonic } from '../src/platform/clock.js';
import { createFakeClock, createSleepyClock } from './helpers/fake-clock.js';
import { closeAfterEach, fakeSource, settle } from './helpers/sources.js';

const URL_ = 'http://stream.test/events';

const sources = closeAfterEach();

/** A source on a clock whose device can sleep, so that its wake watch runs (one more timer pending). */
const sleepy = (options: ResilientEventSourceInit = {}) =>
  fakeSource(sources, URL_, options, { clock: createSleepyClock() });

describe('reconnect()', () => {
  it('drops an open stream and connects at once from the current cursor: reconnecting (requested, 0 ms), no error', async () => {
    const { es, fetch, reconnecting, errors } = sleepy();
    const first = await fetch.call(0);
    first.respondStream().write('id: 4\ndata: x\n\n');
    await settle();
    es.reconnect();
    expect(es.readyState).toBe(es.CONNECTING);
    expect(first.aborted).toBe(true);
    expect(reconnecting.map((e) => [e.reason, e.delay, e.attempt])).toEqual([['requested', 0, 1]]);
    expect(errors).toEqual([]);
    const second = await fetch.call(1);
    expect(second.headers.get('last-event-id')).toBe('4');
    second.respondStream();
    await settle();
    expect(es.readyState).toBe(es.OPEN);
    expect(es.stats.lastReconnectReason).toBe('requested');
  });

  it('cuts a pending wait short', async () => {
    const { es, fetch, clock } = sleepy({ heartbeatTimeout: 0, backoff: { initialDelay: 60_000, maxDelay: 60_000 } });
    (await fetch.call(0)).fail();
    await settle();
    // The 60 s wait and the wake check.
    expect(clock.pending).toBe(2);
    es.reconnect();
    await fetch.call(1);
    expect(clock.pending).toBe(1);
  });

  it('is a no-op once CLOSED', async () => {
    const { es, fetch } = sleepy();
    await fetch.call(0);
    es.close();
    es.reconnect();
    await settle();
    expect(fetch.calls).toHaveLength(1);
    expect(es.readyState).toBe(es.CLOSED);
  });

  type Setup = ReturnType<typeof sleepy>;

  /** Calls reconnect() from the first `type` event that `when` accepts, once. */
  function reconnectOnce(es: Setup['es'], type: 'error' | 'reconnecting', when: (e: Event) => boolean = () => true) {
    let once = true;
    es.addEventListener(type, (e: Event) => {
      if (once && when(e)) {
        once = false;
        es.reconnect();
      }
    });
  }

  /** After close(): the live request aborted, no timer left, and a write on any stream delivers nothing. */
  async function expectAllStopped({ es, fetch, clock }: Setup, streams: { write(text: string): void }[]) {
    const messages: string[] = [];
    es.addEventListener('message', (e) => messages.push(e.data));
    es.close();
    await es.closed;
    for (const stream of streams) {
      try {
        stream.write('data: after-close\n\n');
      } catch {
        // Cancelled by the abort: nothing can arrive on it.
      }
    }
    await settle();
    // The earlier requests ended on their own (failed, or closed by the server); the live one is aborted.
    expect(fetch.calls.at(-1)!.aborted).toBe(true);
    expect(clock.pending).toBe(0);
    expect(messages).toEqual([]);
  }

  it("called from a reconnecting listener: that call's attempt is the only one, and close() stops it", async () => {
    const source = sleepy({ heartbeatTimeout: 0 });
    const { es, fetch, clock, reconnecting } = source;
    reconnectOnce(es, 'reconnecting');
    (await fetch.call(0)).fail();
    const second = (await fetch.call(1)).respondStream();
    await settle();
    expect(es.readyState).toBe(es.OPEN);
    // The failure's own wait is not armed: only the wake check is pending.
    expect(clock.pending).toBe(1);
    clock.advance(60_000);
    await settle();
    expect(fetch.calls).toHaveLength(2);
    expect(reconnecting.map((e) => e.reason)).toEqual(['network', 'requested']);
    await expectAllStopped(source, [second]);
  });

  it('called from an error listener: one attempt, at once', async () => {
    const source = sleepy({ heartbeatTimeout: 0 });
    const { es, fetch, clock, reconnecting } = source;
    reconnectOnce(es, 'error');
    (await fetch.call(0)).fail();
    const second = (await fetch.call(1)).respondStream();
    await settle();
    clock.advance(60_000);
    await settle();
    expect(fetch.calls).toHaveLength(2);
    // The failure's reconnecting event is not fired: the requested attempt replaced it.
    expect(reconnecting.map((e) => e.reason)).toEqual(['requested']);
    await expectAllStopped(source, [second]);
  });

  it('called from the listener of the unsendable-id report (made as an attempt begins): one attempt', async () => {
    const source = sleepy({ heartbeatTimeout: 0 });
    const { es, fetch, clock, errors, reconnecting } = source;
    const first = (await fetch.call(0)).respondStream();
    first.write('id: a\u0001b\ndata: x\n\n');
    await settle();
    reconnectOnce(es, 'error', (e) => (e as StreamErrorEvent).message.includes('cannot be sent'));
    first.close();
    await settle();
    clock.advance(1000);
    const second = (await fetch.call(1)).respondStream();
    await settle();
    clock.advance(60_000);
    await settle();
    expect(fetch.calls).toHaveLength(2);
    expect(fetch.calls[1]!.aborted).toBe(false);
    expect(errors.filter((e) => e.message.includes('cannot be sent'))).toHaveLength(1);
    expect(reconnecting.at(-1)?.reason).toBe('requested');
    expect(es.readyState).toBe(es.OPEN);
    await expectAllStopped(source, [second]);
  });

  it('before the first attempt has started it changes nothing (that attempt is about to go)', async () => {
    const { es, fetch } = sleepy();
    es.reconnect();
    await fetch.call(0);
    await settle();
    expect(fetch.calls).toHaveLength(1);
  });
});

describe('wake from sleep', () => {
  it('watchWake: nothing while awake (the clocks move together), onWake once the wall clock runs ahead', () => {
    const clock = createSleepyClock();
    const woke: number[] = [];
    const stop = watchWake(clock, (ms) => woke.push(ms));
    clock.advance(wakeCheckInterval * 20);
    expect(woke).toEqual([]);
    // One timer at a time, every wakeCheckInterval: the whole cost while awake.
    expect(clock.pending).toBe(1);
    expect(clock.scheduled.every((ms) => ms === wakeCheckInterval)).toBe(true);
    clock.sleep(60_000);
    expect(woke).toHaveLength(1);
    expect(woke[0]).toBe(60_000);
    stop();
    expect(clock.pending).toBe(0);
  });

  it('watchWake: a sleep shorter than the threshold is not seen; without a monotonic clock, nothing runs', () => {
    const clock = createSleepyClock();
    const woke: number[] = [];
    watchWake(clock, (ms) => woke.push(ms));
    clock.sleep(wakeThreshold);
    clock.advance(wakeCheckInterval);
    expect(woke).toEqual([]);
    const plain = createFakeClock();
    watchWake(withMonotonic(plain), () => woke.push(1));
    expect(plain.pending).toBe(0);
  });

  it('an open stream is reconnected at once after the device slept, not after heartbeatTimeout', async () => {
    const { es, fetch, clock, reconnecting } = sleepy({ heartbeatTimeout: 45_000 });
    (await fetch.call(0)).respondStream().write('id: 1\ndata: x\n\n');
    await settle();
    // 20 s asleep: under the heartbeat timeout, so only the wake check can see it.
    clock.sleep(20_000);
    await settle();
    expect(reconnecting.map((e) => [e.reason, e.delay])).toEqual([['wake', 0]]);
    const second = await fetch.call(1);
    expect(second.headers.get('last-event-id')).toBe('1');
    expect(es.stats.lastReconnectReason).toBe('wake');
  });

  it('a pending reconnect wait is left alone by a wake (it fires late anyway)', async () => {
    const { fetch, clock, reconnecting } = sleepy({ backoff: { initialDelay: 600_000, maxDelay: 600_000 } });
    (await fetch.call(0)).fail();
    await settle();
    clock.sleep(10_000);
    await settle();
    expect(reconnecting.map((e) => e.reason)).toEqual(['network']);
    expect(fetch.calls).toHaveLength(1);
  });

  it('the wake timer goes with close()', async () => {
    const { es, fetch, clock } = sleepy({ heartbeatTimeout: 0 });
    (await fetch.call(0)).respondStream();
    await settle();
    expect(clock.pending).toBe(1);
    es.close();
    await es.closed;
    expect(clock.pending).toBe(0);
  });
});

describe('wake in browsers: Page Lifecycle resume, and visible after a silence (a stand-in document)', () => {
  it('resume reconnects an open stream; visible reconnects only a stream silent past its heartbeat', async () => {
    const doc = Object.assign(new EventTarget(), { hidden: false });
    (globalThis as { document?: unknown }).document = doc;
    try {
      const { fetch, clock, reconnecting } = sleepy({ heartbeatTimeout: 10_000 });
      (await fetch.call(0)).respondStream().write('data: x\n\n');
      await settle();
      doc.dispatchEvent(new Event('visibilitychange'));
      expect(reconnecting).toEqual([]);
      doc.dispatchEvent(new Event('resume'));
      expect(reconnecting.map((e) => e.reason)).toEqual(['wake']);
      (await fetch.call(1)).respondStream();
      await settle();
      // The watchdog's own timer may sleep with the page: visible after a
      // silence longer than heartbeatTimeout (measured on the wall clock).
      clock.now = (
        (base) => () =>
          base + 10_001
      )(clock.now());
      doc.dispatchEvent(new Event('visibilitychange'));
      expect(reconnecting.map((e) => e.reason)).toEqual(['wake', 'wake']);
    } finally {
      delete (globalThis as { document?: unknown }).document;
    }
  });
});
