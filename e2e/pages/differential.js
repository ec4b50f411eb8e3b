// The differential harness: window.runScenario(spec) builds either the native
// EventSource or ResilientEventSource (the UMD bundle) with the same URL, runs
// one of the client scripts below, and resolves with an observable trace:
// every listener call (type, readyState seen inside it, data, lastEventId,
// origin, the event's shape), the source's attributes, and what close()
// returned. e2e/differential.spec.ts compares the two traces.
(() => {
  'use strict';
  // A cookie for 127.0.0.1 (cookies ignore the port): which requests carry it
  // tells the credentials mode, same-origin and cross-origin.
  // biome-ignore lint/suspicious/noDocumentCookie: the cookie is the probe, set the way a page sets one
  document.cookie = 'diff=1; path=/';

  /** What a listener call looked like. */
  function describeCall(es, via, event, self) {
    const entry = { via, type: event.type, readyState: es.readyState };
    if (typeof event.data === 'string' || event.type === 'message' || 'lastEventId' in event) {
      entry.data = event.data;
      entry.lastEventId = event.lastEventId;
      entry.origin = event.origin;
    }
    entry.isEvent = event instanceof Event;
    entry.isMessageEvent = event instanceof MessageEvent;
    // Known deviations (e2e/deviations.ts): our events are built by script in
    // the page's realm, so isTrusted is false, and a message's prototype chains
    // to MessageEvent.prototype instead of being it.
    entry.isTrusted = event.isTrusted;
    entry.exactPrototype =
      Object.getPrototypeOf(event) === (event instanceof MessageEvent ? MessageEvent.prototype : Event.prototype);
    entry.targetIsSource = event.target === es;
    entry.currentTargetIsSource = event.currentTarget === es;
    entry.thisIsSource = self === es;
    entry.bubbles = event.bubbles;
    entry.cancelable = event.cancelable;
    return entry;
  }

  const returned = (value) => (value === undefined ? 'undefined' : Object.prototype.toString.call(value));

  /**
   * Runs one scenario. spec: { impl: 'native' | 'ours', url, urlObject,
   * withCredentials, ours (extra options for ours), types (extra event types
   * to listen to), client (a name below), maxErrors, settle, timeout }.
   */
  window.runScenario = function runScenario(spec) {
    const trace = { calls: [], closeReturns: [], notes: [] };
    const url = spec.urlObject ? new URL(spec.url, location.href) : spec.url;
    const init = spec.withCredentials === undefined ? undefined : { withCredentials: spec.withCredentials };
    let es;
    try {
      if (spec.impl === 'native') {
        es = init ? new EventSource(url, init) : new EventSource(url);
      } else {
        // Options that make ours a plain EventSource: no stored cursor (each
        // run starts from none, as a new EventSource does) and a short
        // reconnection time, so that a reconnect that should not happen shows
        // within the settle time (the native default of 3 s is never waited
        // for: every scenario that reconnects sends `retry:`).
        const options = Object.assign({ store: false, backoff: { initialDelay: 50 } }, init, spec.ours);
        es = new window.ResilientEventSource(url, options);
      }
    } catch (error) {
      trace.threw = {
        isDOMException: typeof DOMException !== 'undefined' && error instanceof DOMException,
        isError: error instanceof Error,
        name: error?.name,
        code: error?.code,
      };
      return Promise.resolve(trace);
    }
    window.currentSource = es;
    const C = spec.impl === 'native' ? EventSource : window.ResilientEventSource;
    trace.attributes = {
      url: es.url,
      withCredentials: es.withCredentials,
      readyState: es.readyState,
      constants: [es.CONNECTING, es.OPEN, es.CLOSED, C.CONNECTING, C.OPEN, C.CLOSED],
      handlers: [es.onopen, es.onmessage, es.onerror].map((h) => h === null),
    };

    return new Promise((resolve) => {
      // finishing: the end condition was met; over: the trace is taken (the
      // settle time in between records whatever still happens).
      let finishing = false;
      let over = false;
      let errors = 0;
      // Several listeners see one error event: count events, not calls.
      const seenErrors = new WeakSet();
      const finish = (why) => {
        if (finishing) return;
        finishing = true;
        trace.notes.push(why);
        clearTimeout(timer);
        // The settle time: whatever should not happen (one more event, a
        // reconnect) has this long to show.
        setTimeout(() => {
          over = true;
          trace.finalReadyState = es.readyState;
          es.close();
          resolve(trace);
        }, spec.settle ?? 150);
      };
      const timer = setTimeout(() => {
        finish('timeout');
      }, spec.timeout ?? 4000);
      const close = (where) => {
        trace.closeReturns.push([where, returned(es.close()), es.readyState]);
      };
      const record = (via) =>
        function (event) {
          if (over) return;
          // Our own additions (the reconnecting and stats events) are no part
          // of the EventSource API, so not of the trace; a server event of
          // those names is a MessageEvent for both, and is.
          if ((event.type === 'reconnecting' || event.type === 'stats') && !(event instanceof MessageEvent)) return;
          trace.calls.push(describeCall(es, via, event, this));
          if (event.type === 'error' && !seenErrors.has(event)) {
            seenErrors.add(event);
            errors++;
            if (es.readyState === 2) finish('closed');
            else if (spec.maxErrors !== undefined && errors >= spec.maxErrors) finish('max-errors');
          }
        };
      const types = ['open', 'message', 'error'].concat(spec.types || []);

      switch (spec.client || 'default') {
        case 'default':
          // Listeners first, then the onX handlers: a listener added before
          // a handler attribute is set runs before it.
          for (const type of types) es.addEventListener(type, record(`listener`));
          es.onopen = record('onopen');
          es.onmessage = record('onmessage');
          es.onerror = record('onerror');
          break;
        case 'order': {
          // [html] An event handler keeps the place of its first assignment;
          // reassigning replaces it in place; null removes it; a later
          // assignment appends it anew.
          es.addEventListener('message', record('first-listener'));
          es.onmessage = record('handler-1');
          es.addEventListener('message', record('second-listener'));
          es.onmessage = record('handler-2');
          es.onerror = record('onerror-1');
          es.onerror = null;
          es.addEventListener('error', record('error-listener'));
          es.onerror = record('onerror-2');
          const dup = record('duplicate-listener');
          es.addEventListener('message', dup);
          es.addEventListener('message', dup);
          const removed = record('removed-listener');
          es.addEventListener('message', removed);
          es.removeEventListener('message', removed);
          es.addEventListener('message', record('once-listener'), { once: true });
          es.addEventListener('open', record('open-listener'));
          trace.handlersAfter = [typeof es.onmessage, es.onopen === null];
          break;
        }
        case 'close-in-message':
          es.addEventListener('open', record('open'));
          es.addEventListener('error', record('error'));
          es.addEventListener('message', function (event) {
            record('closing-listener').call(this, event);
            close('message');
            finish('closed-by-handler');
          });
          es.addEventListener('message', record('next-listener'));
          break;
        case 'close-in-open':
          es.addEventListener('message', record('message'));
          es.addEventListener('error', record('error'));
          es.onopen = function (event) {
            record('onopen').call(this, event);
            close('open');
            finish('closed-by-handler');
          };
          break;
        case 'close-in-error':
          es.addEventListener('open', record('open'));
          es.addEventListener('message', record('message'));
          es.onerror = function (event) {
            record('onerror').call(this, event);
            close('error');
            close('error-again');
            finish('closed-by-handler');
          };
          break;
        case 'window-stop-open':
          for (const type of types) es.addEventListener(type, record('listener'));
          // window.stop() once the stream is open and has delivered: the user agent aborts it.
          es.addEventListener('message', () => setTimeout(() => window.stop(), 0));
          break;
        case 'window-stop-connecting':
          for (const type of types) es.addEventListener(type, record('listener'));
          setTimeout(() => window.stop(), 50);
          break;
        default:
          throw new Error(`unknown client ${spec.client}`);
      }
    });
  };
})();
