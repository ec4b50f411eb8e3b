/** README recipe: a custom store (localStorage), in Chromium against the reference server. */
import { afterAll, expect, inject, it } from 'vitest';

const url = `${inject('sseUrl')}/stream`;
localStorage.clear();

// #region readme:custom-store
import { type LastEventIdStore, ResilientEventSource } from 'resilient-eventsource';

// localStorage is synchronous and per origin; prefix the keys to stay out of
// the app's way.
const localStorageStore: LastEventIdStore = {
  get: async (key) => {
    const text = localStorage.getItem(`sse-cursor:${key}`);
    return text === null ? undefined : JSON.parse(text);
  },
  set: async (key, cursor) => localStorage.setItem(`sse-cursor:${key}`, JSON.stringify(cursor)),
  delete: async (key) => localStorage.removeItem(`sse-cursor:${key}`),
};

const es = new ResilientEventSource(url, { store: localStorageStore });
// #endregion

afterAll(() => es.close());

it('keeps the cursor in localStorage, and a new source resumes from it', async () => {
  await expect.poll(() => Number(es.lastEventId), { timeout: 10_000 }).toBeGreaterThan(3);
  es.close();
  await es.closed;
  const saved = JSON.parse(localStorage.getItem(`sse-cursor:${url}`) ?? 'null') as {
    lastEventId: string;
    recentIds: string[];
  };
  expect(saved.lastEventId).toBe(es.lastEventId);
  expect(saved.recentIds.at(-1)).toBe(es.lastEventId);
  const again = new ResilientEventSource(url, { store: localStorageStore });
  const first = await new Promise<string>((resolve) =>
    again.addEventListener('message', (e) => resolve(e.lastEventId), { once: true }),
  );
  again.close();
  await again.closed;
  expect(Number(first)).toBe(Number(saved.lastEventId) + 1);
});
