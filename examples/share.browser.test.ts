/** README: sharing one connection across tabs, and stats for metrics — in Chromium. */
import { afterAll, expect, inject, it } from 'vitest';
import { ResilientEventSource as Tab } from 'resilient-eventsource';

const server = inject('sseUrl');
const url = `${server}/stream?from=live&client=share-example`;
const rendered: string[] = [];
const render = (data: string) => rendered.push(data);
const gauges = new Map<string, number>();
const metrics = { gauge: (name: string, value: number) => gauges.set(name, value) };

// #region readme:share
import { ResilientEventSource } from 'resilient-eventsource';

// The same code in every tab of the app: one connection in all. One tab leads
// (it holds a Web Lock) and fans events out to the others over a
// BroadcastChannel; if it closes or crashes, another tab takes over from the
// last event it showed.
const es = new ResilientEventSource(url, { share: true, storageKey: 'dashboard-feed' });
es.addEventListener('message', (e) => render(e.data));
// #endregion

// #region readme:stats
// es.stats is a cheap snapshot; `stats` fires on each change of connection state.
es.addEventListener('stats', (e) => metrics.gauge('sse.leader', e.stats.role === 'leader' ? 1 : 0));
function exportStats() {
  const { msSinceLastEvent, duplicatesSuppressed, reconnects } = es.stats;
  metrics.gauge('sse.ms_since_last_event', msSinceLastEvent ?? -1);
  metrics.gauge('sse.duplicates_suppressed', duplicatesSuppressed);
  metrics.gauge('sse.reconnects', reconnects);
}
const timer = setInterval(exportStats, 10_000);
// #endregion

// A second "tab": another source of the same stream in this page shares the
// same lock and channel, exactly as another tab would.
const other = new Tab(url, { share: true, storageKey: 'dashboard-feed' });
const otherSeen: string[] = [];
other.addEventListener('message', (e) => otherSeen.push(e.data));

afterAll(async () => {
  clearInterval(timer);
  es.close();
  other.close();
  await Promise.all([es.closed, other.closed]);
});

it('two sources, one connection; both see the same events; stats reach the exporter', async () => {
  await expect
    .poll(() => [es.stats.role, other.stats.role].sort(), { timeout: 10_000 })
    .toEqual(['follower', 'leader']);
  await expect.poll(() => rendered.length, { timeout: 10_000 }).toBeGreaterThan(5);
  await expect.poll(() => otherSeen.length, { timeout: 10_000 }).toBeGreaterThan(5);
  const state = (await (await fetch(`${server}/control/state`, { method: 'POST' })).json()) as {
    byClient: Record<string, number>;
  };
  expect(state.byClient['share-example']).toBe(1);
  const common = otherSeen.filter((d) => rendered.includes(d));
  expect(common.length).toBeGreaterThan(3);
  expect(gauges.get('sse.leader')).toBe(es.stats.role === 'leader' ? 1 : 0);
  exportStats();
  expect(gauges.get('sse.ms_since_last_event')).toBeGreaterThanOrEqual(0);
  expect(gauges.get('sse.reconnects')).toBe(es.stats.reconnects);
});
