/**
 * The leader's role: it holds the connection and speaks for it. Events are
 * batched and sent once the current chunk is parsed; every other message
 * first sends what is batched, so a follower never hears of an error or a
 * close before the events that came ahead of it.
 */
import type { SharedEvent, ShareMessage, WireOpen } from './messages.js';
import { toWire } from './messages.js';
import type { SharedStream, SharedStreamHost } from './host.js';

/** What the leader does, beside what {@link SharedStream} shows of it. */
export interface LeaderRole
  extends Pick<SharedStream, 'relay' | 'announceOpen' | 'announceError' | 'announceReconnecting' | 'announceEnd'> {
  /** A message from a follower. */
  hears(message: ShareMessage): void;
  /** Sends the events batched so far. */
  flush(): void;
}

/**
 * Creates the leader's part of a shared stream. `leads` says whether this
 * source holds the lock now: only a leader speaks.
 */
export function createLeaderRole(
  post: (message: ShareMessage) => void,
  host: SharedStreamHost,
  leads: () => boolean,
): LeaderRole {
  let outbox: SharedEvent[] = [];
  let origin = '';
  /** What the last `open` carried, for late followers. */
  let opened: WireOpen | undefined;

  const flush = (): void => {
    if (outbox.length === 0) return;
    const events = outbox;
    outbox = [];
    post({ kind: 'events', origin, events });
  };
  /** Tells the followers, after the events batched before it. */
  const speak = (message: ShareMessage): void => {
    if (!leads()) return;
    flush();
    post(message);
  };

  return {
    hears(message) {
      if (message.kind === 'hello') speak({ kind: 'state', ...host.snapshot(), open: opened });
      else if (message.kind === 'reconnect') host.reconnect();
    },
    flush,
    relay(event) {
      if (outbox.length === 0) queueMicrotask(flush);
      outbox.push(event);
    },
    announceOpen(o, status, headers, url) {
      origin = o;
      opened = { status, headers: [...headers], url };
      speak({ kind: 'open', origin, open: opened });
    },
    announceError(error, readyState) {
      speak({ kind: 'error', readyState, ...toWire(error) });
    },
    announceReconnecting({ attempt, delay, reason }) {
      speak({ kind: 'reconnecting', attempt, delay, reason });
    },
    announceEnd() {
      speak({ kind: 'end' });
    },
  };
}
