import type { ResilientEventSource } from '../../src/index.js';

/** Resolves with the next event of `type` (rejects after `ms`, so a hang fails the test with a message). */
export function next<E extends Event = Event>(target: EventTarget, type: string, ms = 10_000): Promise<E> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${type}" event within ${ms} ms`)), ms);
    target.addEventListener(
      type,
      (event) => {
        clearTimeout(timer);
        resolve(event as E);
      },
      { once: true },
    );
  });
}

/** Records every message's id and data, and resolves `until(n)` once n have arrived. */
export function recorder(es: ResilientEventSource, type = 'message') {
  const ids: string[] = [];
  const data: string[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  es.addEventListener(type, (event) => {
    const e = event as MessageEvent<string>;
    ids.push(e.lastEventId);
    data.push(e.data);
    for (const w of waiters.splice(0)) {
      if (ids.length >= w.n) w.resolve();
      else waiters.push(w);
    }
  });
  return {
    ids,
    data,
    until(n: number, ms = 20_000): Promise<void> {
      if (ids.length >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only ${ids.length} of ${n} events within ${ms} ms; last id ${ids.at(-1)}`)),
          ms,
        );
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

/** The ids 1…n as strings. */
export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

/**
 * A listener for our own events only: a server event of the same name
 * (`event: error`…) arrives at the same listeners as a MessageEvent.
 */
export function ours<E extends Event>(
  kind: abstract new (...args: never[]) => E,
  listener: (event: E) => void,
): (event: Event) => void {
  return (event) => {
    if (event instanceof kind) listener(event);
  };
}
