/**
 * [spec] The `readyState` values of an EventSource, in one place for the
 * modules of the source that set or read them (the class exposes them as
 * `CONNECTING`, `OPEN` and `CLOSED`).
 */
export const CONNECTING = 0;
export const OPEN = 1;
export const CLOSED = 2;
/** A `readyState` value. */
export type ReadyState = typeof CONNECTING | typeof OPEN | typeof CLOSED;
