/**
 * The source's own event types. They go through the real `EventTarget`
 * (source-target.ts); every other type is a message, dispatched through the
 * fast listener registry (listeners.ts). A server event with one of these
 * names is still a message, and reaches the same listeners (delivery.ts).
 */
export const isOwnEventType = (type: string): boolean =>
  type === 'open' || type === 'error' || type === 'reconnecting' || type === 'stats';
