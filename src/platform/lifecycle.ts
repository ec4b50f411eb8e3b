/**
 * Browser life-cycle signals, reached only through feature checks so that the
 * same code runs in Node and in workers, where `window` and `document` do not
 * exist. Workers do have `online`/`offline` on their global scope.
 */

/** What the source wants to hear about. */
export interface LifecycleHooks {
  /** The network came back: a pending reconnect should happen now. */
  onOnline(): void;
  /** The page is going away (reload, navigation, or into the back/forward cache). */
  onPageHide(): void;
  /** The page came back from the back/forward cache. */
  onPageRestore(): void;
  /** The page became hidden (`true`) or visible (`false`). Only wired when asked for. */
  onHiddenChange?: ((hidden: boolean) => void) | undefined;
  /**
   * The page may have been asleep: the Page Lifecycle `resume` event (a frozen
   * page thawed), or a return to visible. `visible` says which.
   */
  onMaybeWoke?: ((cause: 'resume' | 'visible') => void) | undefined;
}

type Listener = (event?: { persisted?: boolean }) => void;
interface ListenerTarget {
  addEventListener(type: string, listener: Listener, options: { signal: AbortSignal }): void;
}

/** Subscribes to what exists in this runtime; returns the function that unsubscribes. */
export function watchLifecycle(hooks: LifecycleHooks): () => void {
  const doc = (globalThis as { document?: { hidden?: boolean } }).document;
  // One signal for every listener: unsubscribing needs no reference to the
  // targets, which may have been replaced since (a test restoring globals, a
  // polyfill replaced).
  const subscription = new AbortController();
  const options = { signal: subscription.signal };
  const on = (t: unknown, type: string, listener: Listener) => {
    if (typeof (t as Partial<ListenerTarget> | undefined)?.addEventListener === 'function')
      (t as ListenerTarget).addEventListener(type, listener, options);
  };

  on(globalThis, 'online', () => hooks.onOnline());
  on(globalThis, 'pagehide', () => hooks.onPageHide());
  on(globalThis, 'pageshow', (event) => {
    if (event?.persisted === true) hooks.onPageRestore();
  });
  const { onHiddenChange, onMaybeWoke } = hooks;
  // One listener for both hooks: the hidden state first, then a return to visible.
  if (onHiddenChange || onMaybeWoke) {
    on(doc, 'visibilitychange', () => {
      const hidden = doc?.hidden === true;
      onHiddenChange?.(hidden);
      if (!hidden) onMaybeWoke?.('visible');
    });
  }
  if (onMaybeWoke) on(doc, 'resume', () => onMaybeWoke('resume'));
  return () => subscription.abort();
}

/** Whether the page is hidden now (`false` where there is no document). */
export function isHidden(): boolean {
  return (globalThis as { document?: { hidden?: boolean } }).document?.hidden === true;
}

/**
 * Whether this code runs in a worker: no document, so no `pagehide` ever
 * comes to flush the cursor before the page that owns the worker goes away.
 */
export function isWorker(): boolean {
  const g = globalThis as { document?: unknown; importScripts?: unknown };
  return g.document === undefined && typeof g.importScripts === 'function';
}
