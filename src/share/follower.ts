/**
 * The follower's role: it mirrors what the leader announces, as if its own
 * connection had done it.
 */
import { fromWire, type ShareMessage, type WireOpen } from './messages.js';
import type { SharedStreamHost } from './host.js';

const opens = (host: SharedStreamHost, open: WireOpen | undefined): void => {
  if (open) host.open(open.status, new Headers(open.headers), open.url);
};

/** A follower hears a message of the leader (those for every role are handled before). */
export function followerHears(host: SharedStreamHost, message: ShareMessage): void {
  switch (message.kind) {
    case 'state':
      // A late joiner starts from the live cursor, not from an older stored one.
      if (!host.hasDelivered()) host.adoptCursor(message.lastEventId);
      if (message.readyState === 1) opens(host, message.open);
      return;
    case 'open':
      opens(host, message.open);
      return;
    case 'error':
      host.lost(fromWire(message));
      return;
    case 'reconnecting':
      host.reconnecting(message);
      return;
  }
}
