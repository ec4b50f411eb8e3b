/**
 * One connection for every source of an origin with the same storageKey:
 * leadership by Web Lock (the browser releases it when the tab closes,
 * crashes or freezes, so another tab takes over), the stream fanned out over a
 * BroadcastChannel. Feature-detected: where either API is missing (Node, old
 * browsers) joinShare() returns undefined and the source keeps a private
 * connection.
 */
import type { ShareMessage } from './messages.js';

/** What a sharing source hears. */
export interface ShareHooks {
  /** This source now holds the lock: it must connect and broadcast. */
  onLeader(): void;
  /** A message from another source of the same stream. */
  onMessage(message: ShareMessage): void;
}

/** A source's membership in a shared stream. */
export interface Share {
  post(message: ShareMessage): void;
  /** Leaves: gives up the lock (or the wait for it) and closes the channel. */
  leave(): void;
}

interface LocksLike {
  request(name: string, options: { signal: AbortSignal }, callback: () => Promise<void>): Promise<unknown>;
}

const locksOf = () => (globalThis as { navigator?: { locks?: LocksLike } }).navigator?.locks;
const channelClass = () => (globalThis as { BroadcastChannel?: typeof BroadcastChannel }).BroadcastChannel;

/** Whether this runtime can share a stream: Web Locks and BroadcastChannel both exist. */
export function canShare(): boolean {
  return typeof locksOf()?.request === 'function' && typeof channelClass() === 'function';
}

/** Joins the shared stream `name`, or returns undefined where sharing is impossible. */
export function joinShare(name: string, hooks: ShareHooks): Share | undefined {
  if (!canShare()) return undefined;
  const locks = locksOf() as LocksLike;
  const Channel = channelClass() as typeof BroadcastChannel;

  const channel = new Channel(name);
  const waiting = new AbortController();
  let release: (() => void) | undefined;
  let left = false;

  channel.onmessage = (event: MessageEvent<ShareMessage>) => {
    if (!left) hooks.onMessage(event.data);
  };
  locks
    .request(name, { signal: waiting.signal }, async () => {
      if (left) return;
      // Held until leave(): the promise is the lease, made before onLeader()
      // so that a leave() from inside it releases the lock.
      const lease = new Promise<void>((resolve) => (release = resolve));
      hooks.onLeader();
      await lease;
    })
    // An aborted wait (leave() before the lock came) rejects: nothing to do.
    .catch(() => {});

  return {
    post(message) {
      if (!left) channel.postMessage(message);
    },
    leave() {
      if (left) return;
      left = true;
      waiting.abort();
      release?.();
      channel.close();
    },
  };
}
