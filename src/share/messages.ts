/**
 * The cross-tab protocol's messages, all in one place: who sends each, and
 * what it carries. Only plain data crosses a BroadcastChannel (it clones what
 * is posted), so headers travel as pairs and an error travels without its
 * `cause`.
 */
import type { ReconnectingInit, StreamErrorInit } from '../contract/events.js';
import type { ErrorReason } from '../contract/types.js';

/** An event as the leader broadcasts it (after its own dedupe); no `data` for a block that only moved the id. */
export interface SharedEvent {
  type: string;
  data: string | undefined;
  id: string | undefined;
}

/** What an `open` event carried, as it travels. */
export interface WireOpen {
  status: number;
  headers: [string, string][];
  url: string;
}

/** A {@link StreamErrorInit} as it travels: a refused response's headers and body ride along. */
export interface WireError {
  reason: ErrorReason;
  message: string;
  status: number | undefined;
  headers: [string, string][] | undefined;
  body: string | undefined;
}

/** What goes over the channel. */
export type ShareMessage =
  /** Follower → leader: a source joined; the leader answers with `state`. */
  | { kind: 'hello' }
  /** Leader → all: the shared stream as it is now; `open` is what its last `open` event carried. */
  | { kind: 'state'; readyState: number; origin: string; lastEventId: string; open: WireOpen | undefined }
  /** Leader → all: the stream opened. */
  | { kind: 'open'; origin: string; open: WireOpen }
  /** Leader → all: the events of a parsed chunk. */
  | { kind: 'events'; origin: string; events: SharedEvent[] }
  /** Leader → all: `readyState` 0: the connection was lost, a reconnect follows; 2: the shared stream failed for good. */
  | ({ kind: 'error'; readyState: number } & WireError)
  /** Leader → all: a reconnect is scheduled. */
  | ({ kind: 'reconnecting' } & ReconnectingInit)
  /** Leader → all: the stream ended and `endOfStream` is `'close'`: every tab closes, without an error. */
  | { kind: 'end' }
  /** Follower → leader: a follower called `reconnect()`; the leader does it. */
  | { kind: 'reconnect' };

/** An error as it travels: the fields a follower reports, nothing that may not clone. */
export const toWire = ({ reason, message, status, headers, body }: StreamErrorInit): WireError => ({
  reason,
  message,
  status,
  headers: headers && [...headers],
  body,
});

/** The error a follower reports for an `error` message: {@link toWire} undone. */
export const fromWire = (error: WireError): StreamErrorInit => ({
  ...error,
  headers: error.headers && new Headers(error.headers),
});
