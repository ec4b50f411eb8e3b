/**
 * The source's own event types. They go through the real `EventTarget`
 * (source-target.ts); every other type is a message, dispatched through the
 * fast listener registry (listeners.ts). A server event with one of these
 * names is still a message, and reaches the same listeners (delivery.ts).
 */
export function isOwnEventType(type: string): boolean {
  // It runs for every message nobody listens to: the length settles most at once.
  const n = type.length;
  if (n === 4) return type === 'open';
  if (n === 5) return type === 'error' || type === 'stats';
  return n === 12 && type === 'reconnecting';
}
