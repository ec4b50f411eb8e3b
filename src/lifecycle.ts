/**
 * Browser life-cycle signals, reached only through feature checks so that the
 * same code runs in Node and in workers, where `window` and `document` do not
 * exist. Workers do have `online`/`offline` on their global scope.
 */

/** What the source wants to hear about. */
export interface LifecycleHooks {
  /** The network came back: a pending reconnect should happen now. */
  onOnline(): void;
  /** The page is going away (reload, navigation, bfcache): persist now. */
  onPageHide(): void;
  /** The page became hidden (`true`) or visible (`false`). Only wired when asked for. */
  onHiddenChange?: ((hidden: boolean) => void) | undefined;
}

interface ListenerTarget {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

function target(value: unknown): ListenerTarget | undefined {
  const t = value as Partial<ListenerTarget> | undefined;
  return t && typeof t.addEventListener === 'function' && typeof t.removeEventListener === 'function'
    ? (t as ListenerTarget)
    : undefined;
}

/** Subscribes to what exists in this runtime; returns the function that unsubscribes. */
export function watchLifecycle(hooks: LifecycleHooks): () => void {
  const global = target(globalThis);
  const doc = (globalThis as { document?: { hidden?: boolean } }).document;
  const documentTarget = target(doc);
  const onOnline = () => hooks.onOnline();
  const onPageHide = () => hooks.onPageHide();
  const onVisibility = () => hooks.onHiddenChange?.(doc?.hidden === true);

  global?.addEventListener('online', onOnline);
  global?.addEventListener('pagehide', onPageHide);
  if (hooks.onHiddenChange) documentTarget?.addEventListener('visibilitychange', onVisibility);
  return () => {
    global?.removeEventListener('online', onOnline);
    global?.removeEventListener('pagehide', onPageHide);
    documentTarget?.removeEventListener('visibilitychange', onVisibility);
  };
}

/** Whether the page is hidden now (`false` where there is no document). */
export function isHidden(): boolean {
  return (globalThis as { document?: { hidden?: boolean } }).document?.hidden === true;
}
