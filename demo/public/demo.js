// The demo page: the same stream through the native EventSource and through
// ResilientEventSource (from the UMD bundle), side by side. Everything shown is
// also kept in window.demo for the demo's Playwright test.
(() => {
  'use strict';
  const RES = window.ResilientEventSource;
  // Both start from what is live; only the resilient one has a cursor to resume
  // from. `client` lets the server count each panel's connections.
  const STREAM = '/stream?from=live';
  const SHARE_KEY = 'demo-share';
  // How long the page lets a closed native EventSource lie before it creates a
  // new one, and how long an OPEN one may hear nothing before the page gives up
  // on it: a real app would have to write both itself.
  const NATIVE_RECREATE_MS = 4000;
  const NATIVE_SILENCE_MS = 8000;
  // The simulated sleep: how long the streams are silent before the page gets
  // its `resume` event. Shorter than the resilient panel's heartbeatTimeout
  // (3 s), so what the panel shows is the wake detection, not the watchdog.
  const SLEEP_MS = 1200;
  const SLEEP_LABEL = 'simulated sleep: streams go silent, then the page gets the Page Lifecycle resume event';
  const shareBox = document.getElementById('share');
  shareBox.checked = localStorage.getItem(SHARE_KEY) === '1';
  const post = (path) => fetch(`/control/${path}`, { method: 'POST' }).then((r) => r.json());
  const clock = () => new Date().toTimeString().slice(0, 8);
  /** `what happened. rest`, or `Rest` when nothing is to be said first (never a line that starts ". "). */
  const sentence = (first, rest) =>
    first ? `${first}. ${rest[0].toUpperCase()}${rest.slice(1)}` : `${rest[0].toUpperCase()}${rest.slice(1)}`;

  /** What each panel showed last before this page load (a reload), from this tab's sessionStorage. */
  const before = {
    native: Number(sessionStorage.getItem('demo-last-native')) || undefined,
    resilient: Number(sessionStorage.getItem('demo-last-resilient')) || undefined,
  };

  function createPanel(kind) {
    const root = document.getElementById(kind);
    const field = (name) => root.querySelector(`[data-field="${name}"]`);
    const counts = { received: 0, duplicates: 0, gaps: 0, reconnects: 0, suppressed: 0 };
    const ids = [];
    // Every timeline row, for the test (the list on screen keeps the newest 10).
    const history = [];
    let maxId = 0;
    let lastShown = 0;
    // Set when the connection is lost: the next event says where it picked up.
    let lost = null;
    const panel = {
      counts,
      ids,
      history,
      /** The fault button last clicked, until a lost connection explains itself with it. */
      fault: null,
      get lastId() {
        return lastShown;
      },
      state(readyState) {
        const el = field('state');
        const name = ['connecting', 'open', 'closed'][readyState] || 'connecting';
        const text = name.toUpperCase();
        if (el.textContent !== text) el.textContent = text;
        el.className = `state ${name}`;
      },
      start(text) {
        field('start').textContent = text;
      },
      note(text, tone) {
        const el = field('note');
        if (text && el.textContent !== text) history.push(`note: ${text}`);
        el.hidden = !text;
        el.textContent = text || '';
        el.className = `note${tone ? ` ${tone}` : ''}`;
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
        history.push(text);
        if (tone) span.className = tone;
        li.append(time, span);
        const list = field('timeline');
        list.prepend(li);
        while (list.children.length > 10) list.lastChild.remove();
      },
      /** The first event after a reload: where this panel picked up against the last it showed before. */
      reloaded(last, first) {
        const missed = Math.max(0, first - last - 1);
        const repeated = Math.max(0, last - first + 1);
        window.demo.reload[kind] = { last, first, missed, repeated };
        const how =
          kind === 'resilient'
            ? `resumed at id ${first}, right after the cursor it saved`
            : `started over at id ${first}, whatever was live`;
        const outcome = `${missed} missed${repeated ? `, ${repeated} repeated` : ''}`;
        panel.timeline(
          `after the reload: the last event shown before it was id ${last}; ${how}: ${outcome}`,
          missed || repeated ? 'bad' : 'ok',
        );
        // (The resilient panel's line already says where its cursor resumed it.)
        if (kind === 'native')
          panel.start(
            `Started over after a reload at id ${first}, whatever was live; the last shown before was id ${last}: ${outcome}.`,
          );
      },
      /** The connection is gone (or going): remember after which id, and why, for the next event. */
      lost() {
        if (lost) return '';
        const fault = panel.fault;
        panel.fault = null;
        lost = { after: lastShown, fault };
        if (fault === 'drop-mid-event')
          return `cut mid-event after id ${lastShown}: the half-written event that followed (id ${lastShown + 1}) was discarded by the parser, never shown`;
        if (fault === 'drop') return `dropped between two events, after id ${lastShown}`;
        return `lost after id ${lastShown}`;
      },
      event(e) {
        const id = Number(e.lastEventId);
        const duplicate = id <= maxId;
        if (duplicate) panel.count('duplicates', counts.duplicates + 1);
        else if (maxId > 0 && id > maxId + 1) panel.count('gaps', counts.gaps + 1);
        if (lost) {
          const { after, fault } = lost;
          lost = null;
          if (after === 0) {
            /* nothing shown before: nothing to compare */
          } else if (id === after + 1) {
            panel.timeline(
              fault === 'drop-mid-event'
                ? `back at id ${id}, sent again whole: nothing lost, nothing repeated`
                : `back at id ${id}, right after ${after}: nothing lost, nothing repeated`,
              'ok',
            );
          } else if (id <= after) panel.timeline(`back at id ${id}, already shown: repeating from there`, 'bad');
          else
            panel.timeline(
              `back at id ${id}: missed ${id - after - 1 === 1 ? `1 event (${after + 1})` : `${id - after - 1} events (${after + 1}…${id - 1})`}`,
              'bad',
            );
        }
        if (ids.length === 0 && before[kind] !== undefined) panel.reloaded(before[kind], id);
        maxId = Math.max(maxId, id);
        lastShown = id;
        sessionStorage.setItem(`demo-last-${kind}`, String(id));
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
  // What the page asked the server for and a new native EventSource could not
  // get past: it cannot send a token, and 204 is the server's "stop".
  const server = { tokenRequired: false, stopped: false };
  window.demo = { native, resilient, sources, sleepMs: SLEEP_MS, wakeToOpenMs: [], reload: {} };

  let nativeRecreate;
  let nativeHeardAt = performance.now();
  let silenceNoted = false;
  function openNative(label) {
    clearTimeout(nativeRecreate);
    if (label) native.timeline(label, 'warn');
    native.note(null);
    silenceNoted = false;
    nativeHeardAt = performance.now();
    const es = (sources.native = new EventSource(`${STREAM}&client=native`));
    let first = true;
    es.onopen = () => {
      native.timeline('connected', 'ok');
      nativeHeardAt = performance.now();
    };
    es.onmessage = (e) => {
      if (first && native.counts.received === 0 && before.native === undefined)
        native.start(`Started at id ${e.lastEventId}: whatever was live.`);
      first = false;
      nativeHeardAt = performance.now();
      if (silenceNoted) {
        silenceNoted = false;
        native.note(null);
      }
      native.event(e);
    };
    es.onerror = () => {
      if (sources.native !== es) return;
      const where = native.lost();
      if (es.readyState === EventSource.CLOSED) nativeGaveUp(where);
      else {
        native.count('reconnects', native.counts.reconnects + 1);
        native.timeline(
          `${where || 'still down'}; the browser retries after a fixed delay (the server's retry: 1000)`,
          'warn',
        );
      }
    };
  }

  /** The native source is CLOSED for good: say why, and bring a new one back where that can work. */
  function nativeGaveUp(where) {
    native.timeline(
      sentence(
        where,
        'the native EventSource gave up: it closes on any non-200 status, with no retry (its error event does not even say which status)',
      ),
      'bad',
    );
    if (server.tokenRequired) {
      native.note(
        `Closed for good: an EventSource cannot send an Authorization header, so it cannot get past a server that wants a token (a real app would need a cookie). So that the next buttons still compare, the page creates a new one in ${NATIVE_RECREATE_MS / 1000} s, which the demo server lets in without a token.`,
        'bad',
      );
      nativeRecreate = setTimeout(async () => {
        await post('token-exempt?client=native');
        openNative(
          'recreated by the page: a new EventSource, let in without a token (no Last-Event-ID: it starts from what is live)',
        );
      }, NATIVE_RECREATE_MS);
    } else if (server.stopped) {
      native.note('Closed: the server answers 204 (stop) to both until Reset.', 'bad');
    } else {
      native.note(
        `Closed for good: the native EventSource gave up (it closes on any non-200 status). The page creates a new one in ${NATIVE_RECREATE_MS / 1000} s, as an app would have to.`,
        'bad',
      );
      nativeRecreate = setTimeout(
        () => openNative('recreated by the page: a new EventSource (no Last-Event-ID: it starts from what is live)'),
        NATIVE_RECREATE_MS,
      );
    }
  }

  // An OPEN native source that hears nothing never notices: it has no
  // heartbeat timeout. The page says so, then gives up on it as an app would.
  setInterval(() => {
    const es = sources.native;
    if (!es || es.readyState !== EventSource.OPEN) return;
    const silent = performance.now() - nativeHeardAt;
    if (silent > NATIVE_SILENCE_MS) {
      native.timeline(
        sentence(
          native.lost(),
          `still OPEN after ${Math.round(silent / 1000)} s of silence. It never notices a silent socket (no heartbeat timeout)`,
        ),
        'bad',
      );
      es.close();
      openNative('recreated by the page: a new EventSource (no Last-Event-ID: it starts from what is live)');
    } else if (silent > 2500) {
      silenceNoted = true;
      native.note(
        `OPEN, yet nothing for ${Math.round(silent / 1000)} s: the native EventSource cannot tell a silent socket from a quiet stream, and waits. The page recreates it after ${NATIVE_SILENCE_MS / 1000} s.`,
      );
    }
  }, 500);

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
  let role = 'private';
  let resumedAt;
  function openResilient() {
    if (sources.resilient) {
      carried.reconnects += sources.resilient.stats.reconnects;
      carried.suppressed += sources.resilient.stats.duplicatesSuppressed;
    }
    resilient.note(null);
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
        resilient.start(
          following
            ? `Following the leading tab's connection, live from id ${es.lastEventId || 'the next event'}.`
            : es.lastEventId
              ? `Resumed right after id ${es.lastEventId}: the cursor from IndexedDB.`
              : 'Started from what was live: no cursor stored yet.',
        );
      }
      first = false;
      resilient.note(null);
      // After the simulated sleep: how long from the resume event to a stream open again.
      const sinceResume =
        resumedAt === undefined ? '' : `, ${Math.round(performance.now() - resumedAt)} ms after the resume event`;
      if (resumedAt !== undefined) window.demo.wakeToOpenMs.push(Math.round(performance.now() - resumedAt));
      resumedAt = undefined;
      resilient.timeline(
        following
          ? 'joined the shared stream of the leading tab'
          : `connected${es.lastEventId ? ` (Last-Event-ID: ${es.lastEventId})` : ''}${sinceResume}`,
        'ok',
      );
    });
    es.addEventListener('message', (e) => resilient.event(e));
    es.addEventListener('error', (e) => {
      if (sources.resilient !== es) return;
      if (e.status === 401) tokenFresh = false;
      const what = `${e.reason}${e.status ? ` ${e.status}` : ''}`;
      const where = resilient.lost();
      if (es.readyState === es.CLOSED) {
        resilient.timeline(`closed: ${what}. ${e.message}`, 'bad');
        resilient.note(
          e.status === 204
            ? 'Closed: 204 is the server saying "stop", and it is obeyed. Reset lifts it and reopens.'
            : `Closed: ${e.message}`,
          'bad',
        );
      } else {
        resilient.timeline(`dropped: ${what}${where ? ` (${where})` : ''}`, 'warn');
      }
    });
    es.addEventListener('reconnecting', (e) => {
      if (sources.resilient !== es) return;
      resilient.lost();
      if (e.reason === 'wake' || e.reason === 'requested')
        resilient.timeline(`reconnect (${e.reason}) at once, attempt ${e.attempt}`, 'ok');
      else if (e.delay === 0) resilient.timeline(`retry at once (attempt ${e.attempt}, after ${e.reason})`);
      else resilient.timeline(`reconnect in ${e.delay} ms (attempt ${e.attempt}, after ${e.reason})`);
    });
  }

  const both = (text, tone) => {
    native.timeline(text, tone);
    resilient.timeline(text, tone);
  };
  const faults = {
    drop: () => post('drop'),
    'drop-mid-event': () => post('drop-mid-event'),
    silence: () => post('silence'),
    sleep: async () => {
      both(SLEEP_LABEL);
      await post('silence');
      setTimeout(() => {
        both('page: Page Lifecycle resume event (the device woke up)');
        resumedAt = performance.now();
        // What Chrome fires on document when a frozen page thaws.
        document.dispatchEvent(new Event('resume'));
        native.timeline('the native EventSource ignores it: its silent socket still looks OPEN', 'warn');
      }, SLEEP_MS);
    },
    503: () => post('fail?status=503&retryAfter=2&times=2').then(() => post('drop')),
    401: () => {
      server.tokenRequired = true;
      return post('rotate-token').then(() => post('drop'));
    },
    replay: async () => {
      const suppressed = () => carried.suppressed + (sources.resilient?.stats.duplicatesSuppressed ?? 0);
      const was = { native: native.counts.duplicates, resilient: suppressed() };
      await post('replay?count=5');
      // The replay goes out at once to open streams; what each panel made of it is known a moment later.
      setTimeout(() => {
        const shownTwice = native.counts.duplicates - was.native;
        const dropped = suppressed() - was.resilient;
        native.timeline(
          `the server sent its last 5 events again: ${shownTwice} shown a second time (the duplicates counter)`,
          shownTwice ? 'bad' : undefined,
        );
        resilient.timeline(
          `the server sent its last 5 events again: ${dropped} suppressed by id, none shown twice`,
          'ok',
        );
      }, 1000);
    },
    204: () => {
      server.stopped = true;
      return post('stop').then(() => post('drop'));
    },
    restart: async () => {
      const answer = await post('restart?ms=3000');
      both(`server: going down for ${answer.downMs / 1000} s`);
    },
    reconnect: () => {
      if (sources.resilient.readyState === RES.CLOSED)
        resilient.timeline('reconnect() does nothing once CLOSED: press Reset', 'warn');
      else sources.resilient.reconnect();
      native.timeline(
        sentence(native.lost(), 'the native EventSource has no reconnect(): the page closes it and creates a new one'),
        'warn',
      );
      sources.native.close();
      openNative('recreated by the page: a new EventSource (no Last-Event-ID: it starts from what is live)');
    },
    reset: async () => {
      await post('reset');
      server.tokenRequired = false;
      server.stopped = false;
      if (sources.native.readyState === EventSource.CLOSED) openNative('reopened by Reset');
      if (sources.resilient.readyState === RES.CLOSED) {
        resilient.timeline('reopened by Reset');
        openResilient();
      }
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

  const lastAction = document.getElementById('last-action');
  for (const button of document.querySelectorAll('[data-fault]')) {
    button.addEventListener('click', async () => {
      const name = button.dataset.fault;
      lastAction.textContent = `${clock()} · ${name === 'sleep' ? SLEEP_LABEL : button.textContent}`;
      if (name !== 'reset' && name !== 'reconnect') {
        for (const p of [native, resilient]) {
          p.timeline(`FAULT: ${button.textContent}`);
          p.fault = name;
        }
      }
      try {
        await faults[name]();
      } catch (error) {
        lastAction.textContent = `${clock()} · ${button.textContent}: ${error.message}`;
      }
    });
  }

  function tick() {
    if (sources.native) native.state(sources.native.readyState);
    if (sources.resilient) {
      const es = sources.resilient;
      resilient.state(es.readyState);
      const stats = es.stats;
      resilient.count('reconnects', carried.reconnects + stats.reconnects);
      resilient.count('suppressed', carried.suppressed + stats.duplicatesSuppressed);
      if (stats.role !== role) {
        // A follower became the leader: the tab that held the connection went away.
        if (role === 'follower' && stats.role === 'leader') {
          resilient.start(
            `Took over: the leading tab went away, this tab holds the shared connection now (from id ${es.lastEventId || 'the next event'}).`,
          );
          resilient.timeline('took over the shared connection', 'ok');
        }
        role = stats.role;
        document.querySelector('#resilient [data-field="role"]').textContent = role;
      }
    }
    requestAnimationFrame(tick);
  }
  openNative();
  openResilient();
  tick();
})();
