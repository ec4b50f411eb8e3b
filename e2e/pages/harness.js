// Shared by the e2e pages (an external file, so it also runs under a strict
// CSP). Options come from the query string; everything the source does is
// recorded in window.log and, with ?journal, in a sessionStorage journal that
// survives reloads.
(() => {
  const q = new URLSearchParams(location.search);
  const num = (name, fallback) => (q.has(name) ? Number(q.get(name)) : fallback);
  const RES = window.ResilientEventSource;
  const log = (window.log = { ids: [], data: [], errors: [], reconnects: [], opens: 0, writes: 0, states: [] });

  let store;
  if (q.get('store') === 'memory') store = RES.createMemoryStore();
  else if (q.get('store') === 'none') store = false;
  else if (q.get('store') === 'counting') {
    // The real IndexedDB store, with its writes counted.
    const idb = RES.createIndexedDbStore();
    store = {
      get: (k) => idb.get(k),
      delete: (k) => idb.delete(k),
      set: (k, v) => {
        log.writes++;
        return idb.set(k, v);
      },
    };
  }

  const options = {
    heartbeatTimeout: num('heartbeat', 45000),
    backoff: { initialDelay: num('initialDelay', 20), maxDelay: num('maxDelay', 30000) },
    pauseWhenHidden: q.get('pause') === '1',
    share: q.get('share') === '1',
  };
  if (store !== undefined) options.store = store;
  if (q.has('key')) options.storageKey = q.get('key');
  const es = (window.es = new RES(`/stream${q.has('retry') ? `?retry=${q.get('retry')}` : ''}`, options));
  es.onopen = () => {
    log.opens++;
    log.states.push('open');
  };
  es.onmessage = (e) => {
    log.ids.push(e.lastEventId);
    log.data.push(e.data);
    // A journal of what was shown, written synchronously to sessionStorage so
    // that it survives reloads; timeOrigin tells which page load showed it.
    if (q.has('journal'))
      sessionStorage.setItem(
        'journal',
        `${sessionStorage.getItem('journal') ?? ''}${e.lastEventId}@${performance.timeOrigin},`,
      );
  };
  es.onerror = (e) => {
    log.errors.push(e.reason);
    log.states.push(`error:${e.reason}`);
  };
  es.addEventListener('reconnecting', (e) =>
    log.reconnects.push({ attempt: e.attempt, delay: e.delay, reason: e.reason, at: Date.now() }),
  );
})();
