// The demo page: the same stream through the native EventSource and through
// ResilientEventSource (from the UMD bundle), side by side. Everything shown is
// also kept in window.demo for the demo's Playwright test.
(function () {
  'use strict';
  const RES = window.ResilientEventSource;
  // Both start from what is live; only the resilient one has a cursor to resume
  // from. `client` lets the server count each panel's connections.
  const STREAM = '/stream?from=live';
  const SHARE_KEY = 'demo-share';
  const shareBox = document.getElementById('share');
  shareBox.checked = localStorage.getItem(SHARE_KEY) === '1';
  const post = (path) => fetch(`/control/${path}`, { method: 'POST' }).then((r) => r.json());
  const clock = () => new Date().toTimeString().slice(0, 8);

  function createPanel(kind) {
    const root = document.getElementById(kind);
    const field = (name) => root.querySelector(`[data-field="${name}"]`);
    const counts = { received: 0, duplicates: 0, gaps: 0, reconnects: 0, suppressed: 0 };
    const ids = [];
    let maxId = 0;
    const panel = {
      counts,
      ids,
      state(readyState) {
        const el = field('state');
        const name = ['connecting', 'open', 'closed'][readyState] || 'connecting';
        el.textContent = name.toUpperCase();
        el.className = `state ${name}`;
      },
      start(text) {
        field('start').textContent = text;
      },
      count(name, value) {
        counts[name] = value;
        const el = root.querySelector(`[data-count="${name}"]`);
        if (!el) return;
        el.textContent = String(value);
        el.classList.toggle('bad', value > 0 && (name === 'duplicates' || name === 'gaps'));
      },
      timeline(text, tone) {
        const li = document.createElement('li');
        const time = document.createElement('time');
        time.textContent = clock();
        const span = document.createElement('span');
        span.textContent = text;
        if (tone) span.className = tone;
        li.append(time, span);
        const list = field('timeline');
        list.prepend(li);
        while (list.children.length > 30) list.lastChild.remove();
      },
      event(e) {
        const id = Number(e.lastEventId);
        const duplicate = id <= maxId;
        if (duplicate) panel.count('duplicates', counts.duplicates + 1);
        else if (maxId > 0 && id > maxId + 1) panel.count('gaps', counts.gaps + 1);
        maxId = Math.max(maxId, id);
        ids.push(e.lastEventId);
        panel.count('received', counts.received + 1);
        const row = document.createElement('tr');
        if (duplicate) row.className = 'dup';
        for (const text of [e.lastEventId, e.type, e.data]) {
          const td = document.createElement('td');
          td.textContent = text;
          row.append(td);
        }
        const log = field('log');
        log.prepend(row);
        while (log.children.length > 12) log.lastChild.remove();
      },
    };
    return panel;
  }

  const native = createPanel('native');
  const resilient = createPanel('resilient');
  const sources = { native: null, resilient: null };
  window.demo = { native, resilient, sources };

  function openNative() {
    const es = (sources.native = new EventSource(`${STREAM}&client=native`));
    let first = true;
    es.onopen = () => {
      native.timeline('connected', 'ok');
    };
    es.onmessage = (e) => {
      if (first) native.start(`Started at id ${e.lastEventId}: whatever was live.`);
      first = false;
      native.event(e);
    };
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) {
        native.timeline('failed: closed for good, no retry', 'bad');
      } else {
        native.count('reconnects', native.counts.reconnects + 1);
        native.timeline('dropped; the browser retries after a fixed delay', 'warn');
      }
    };
  }

  // A token cache as apps keep one: refreshed only after a 401. The source's
  // one immediate retry on 401 then carries the fresh token.
  let token = null;
  let tokenFresh = false;
  async function currentToken() {
    if (!tokenFresh) {
      token = (await post('issued-token')).token;
      tokenFresh = true;
    }
    return token;
  }

  // Counters add up across the sources Reset opens, as the page's totals.
  const carried = { reconnects: 0, suppressed: 0 };
  function openResilient() {
    if (sources.resilient) {
      carried.reconnects += sources.resilient.stats.reconnects;
      carried.suppressed += sources.resilient.stats.duplicatesSuppressed;
    }
    const es = (sources.resilient = new RES(`${STREAM}&client=resilient`, {
      storageKey: 'demo-stream',
      share: shareBox.checked,
      heartbeatTimeout: 3000,
      backoff: { initialDelay: 500, maxDelay: 8000 },
      headers: async () => {
        const t = await currentToken();
        return t ? { Authorization: `Bearer ${t}` } : {};
      },
    }));
    let first = true;
    es.addEventListener('open', () => {
      const following = es.stats.role === 'follower';
      if (first) {
        resilient.start(following
          ? `Following the leading tab's connection, live from id ${es.lastEventId || 'the next event'}.`
          : es.lastEventId
            ? `Resumed right after id ${es.lastEventId}: the cursor from IndexedDB.`
            : 'Started from what was live: no cursor stored yet.');
      }
      first = false;
      resilient.timeline(following
        ? 'joined the shared stream of the leading tab'
        : `connected${es.lastEventId ? ` (Last-Event-ID: ${es.lastEventId})` : ''}`, 'ok');
    });
    es.addEventListener('message', (e) => resilient.event(e));
    es.addEventListener('error', (e) => {
      if (e.status === 401) tokenFresh = false;
      const what = `${e.reason}${e.status ? ` ${e.status}` : ''}`;
      resilient.timeline(es.readyState === es.CLOSED ? `closed: ${what}. ${e.message}` : `dropped: ${what}`, es.readyState === es.CLOSED ? 'bad' : 'warn');
    });
    es.addEventListener('reconnecting', (e) => {
      resilient.timeline(e.delay === 0 ? `retry at once (attempt ${e.attempt})` : `reconnect in ${e.delay} ms (attempt ${e.attempt})`);
    });
  }

  const faults = {
    drop: () => post('drop'),
    'drop-mid-event': () => post('drop-mid-event'),
    silence: () => post('silence'),
    503: () => post('fail?status=503&retryAfter=2&times=2').then(() => post('drop')),
    401: () => post('rotate-token').then(() => post('drop')),
    replay: () => post('replay?count=5'),
    204: () => post('stop').then(() => post('drop')),
    restart: () => post('restart?ms=3000'),
    reset: async () => {
      await post('reset');
      if (sources.native.readyState === EventSource.CLOSED) { native.timeline('reopened by Reset'); openNative(); }
      if (sources.resilient.readyState === RES.CLOSED) { resilient.timeline('reopened by Reset'); openResilient(); }
    },
  };
  // The tabs switch: reopen the resilient source with or without sharing.
  shareBox.addEventListener('change', () => {
    localStorage.setItem(SHARE_KEY, shareBox.checked ? '1' : '0');
    resilient.timeline(shareBox.checked ? 'sharing one connection across tabs' : 'own connection');
    void sources.resilient.close();
    openResilient();
  });
  async function pollConnections() {
    try {
      const state = await post('state');
      document.getElementById('connections-resilient').textContent = String(state.byClient.resilient ?? 0);
      document.getElementById('connections-native').textContent = String(state.byClient.native ?? 0);
    } catch {
      // The server is restarting; the next poll will tell.
    }
    setTimeout(pollConnections, 1000);
  }
  pollConnections();

  for (const button of document.querySelectorAll('[data-fault]')) {
    button.addEventListener('click', async () => {
      const name = button.dataset.fault;
      document.getElementById('last-action').textContent = `${clock()} · ${button.textContent}`;
      for (const p of [native, resilient]) if (name !== 'reset') p.timeline(`FAULT: ${button.textContent}`);
      await faults[name]();
    });
  }

  function tick() {
    if (sources.native) native.state(sources.native.readyState);
    if (sources.resilient) {
      resilient.state(sources.resilient.readyState);
      const stats = sources.resilient.stats;
      resilient.count('reconnects', carried.reconnects + stats.reconnects);
      resilient.count('suppressed', carried.suppressed + stats.duplicatesSuppressed);
      const role = document.querySelector('#resilient [data-field="role"]');
      if (role.textContent !== stats.role) role.textContent = stats.role;
    }
    requestAnimationFrame(tick);
  }
  openNative();
  openResilient();
  tick();
})();
