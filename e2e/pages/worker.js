// A dedicated worker: no window, no document; IndexedDB and `online` exist.
importScripts('/dist/resilient-eventsource.umd.min.js');
const RES = self.ResilientEventSource;
const es = new RES('/stream', { backoff: { initialDelay: 20 }, storageKey: 'worker-stream' });
self.postMessage({
  type: 'ready',
  hasWindow: typeof window !== 'undefined',
  hasDocument: typeof document !== 'undefined',
  hasIndexedDB: typeof indexedDB !== 'undefined',
});
es.onopen = () => self.postMessage({ type: 'open' });
es.onmessage = (e) => self.postMessage({ type: 'message', id: e.lastEventId, data: e.data });
es.onerror = (e) => self.postMessage({ type: 'error', reason: e.reason });
