/**
 * README recipe: tuning for a proxy that kills idle connections after 60 s.
 * Timing is checked with vitest's fake timers, never by waiting.
 */
import { expect, it, vi } from 'vitest';
import { createFakeFetch } from '../test/helpers/fake-fetch.js';

// The source reads timers, Math.random and fetch when it uses them, so fake
// timers, a fixed random and a stubbed fetch drive the sample as written.
vi.useFakeTimers();
vi.spyOn(Math, 'random').mockReturnValue(0);
const fetch = createFakeFetch();
vi.stubGlobal('fetch', fetch);
const url = 'https://api.example.com/stream';

// #region readme:proxy-tuning
import { ResilientEventSource } from 'resilient-eventsource';

// The server sends a comment (": ping") every 20 s, well inside the proxy's
// 60 s idle limit. A stream with nothing for 50 s (two and a half pings) is
// dead: the proxy or a NAT dropped it without telling either side.
const es = new ResilientEventSource(url, {
  heartbeatTimeout: 50_000,
  backoff: {
    initialDelay: 1_000, // first retry within 0.5–1 s…
    maxDelay: 20_000, //    …never more than 20 s apart…
    jitter: 0.5, //         …spread out, so clients do not return in lock step
  },
});
// #endregion

const settle = () => vi.advanceTimersByTimeAsync(0);

it('keeps a stream with pings every 20 s, abandons one silent for 50 s, and backs off to at most 20 s', async () => {
  const delays: number[] = [];
  es.addEventListener('reconnecting', (e) => delays.push(e.delay));
  const call = await fetch.call(0);
  const stream = call.respondStream();
  for (let i = 0; i < 5; i++) {
    await vi.advanceTimersByTimeAsync(20_000);
    stream.write(': ping\n\n');
    await settle();
  }
  expect(call.aborted).toBe(false);
  await vi.advanceTimersByTimeAsync(49_999);
  expect(call.aborted).toBe(false);
  await vi.advanceTimersByTimeAsync(1);
  expect(call.aborted).toBe(true);
  // Then a server that stays down: each reconnect fails at once.
  for (let n = 1; n <= 6; n++) {
    await vi.advanceTimersByTimeAsync(delays.at(-1) ?? 0);
    (await fetch.call(n)).fail();
    await settle();
  }
  expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 20_000, 20_000]);
  es.close();
  await es.closed;
  vi.useRealTimers();
  vi.unstubAllGlobals();
});
