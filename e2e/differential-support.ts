/**
 * The machinery of the differential suite: the two scenario servers of a test,
 * one run of a scenario in the page (e2e/pages/differential.js), the
 * normalisation of its trace, and the comparison of the native run with ours
 * that allows only the differences listed in e2e/deviations.ts.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { test as base, expect, type Page } from '@playwright/test';
import type { DeviationId } from './deviations.js';
import {
  createScenarioServer,
  type RecordedRequest,
  type Reply,
  type Route,
  type ScenarioServer,
} from './scenario-server.js';

const root = join(import.meta.dirname, '..');

/** One listener call as the page recorded it. */
export interface Call {
  via: string;
  type: string;
  readyState: number;
  data?: string;
  lastEventId?: string;
  origin?: string;
  isEvent: boolean;
  isMessageEvent: boolean;
  isTrusted?: boolean;
  exactPrototype?: boolean;
  targetIsSource: boolean;
  currentTargetIsSource: boolean;
  thisIsSource: boolean;
  bubbles: boolean;
  cancelable: boolean;
}

/** What one run observed in the page. */
export interface Trace {
  calls: Call[];
  /** [where, what close() returned, readyState right after]. */
  closeReturns: [string, string, number][];
  /** Why the run ended: closed, closed-by-handler, max-errors, timeout. */
  notes: string[];
  attributes?: { url: string; withCredentials: boolean; readyState: number; constants: number[]; handlers: boolean[] };
  finalReadyState?: number;
  threw?: { isDOMException: boolean; isError: boolean; name: string; code: number };
  handlersAfter?: unknown;
}

/** One request as compared: method, path and query, every header. */
export interface ComparedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

/** One run: the page's trace and the requests the servers received. */
export interface Run {
  trace: Trace;
  requests: ComparedRequest[];
  /** As received, with times (not compared: timing is no part of the trace). */
  raw: RecordedRequest[];
}

/** The page's client scripts (see e2e/pages/differential.js). */
export type Client =
  | 'default'
  | 'order'
  | 'close-in-message'
  | 'close-in-open'
  | 'close-in-error'
  | 'window-stop-open'
  | 'window-stop-connecting';

/** Where a run's URL points. */
export interface UrlParts {
  /** This page's origin, which serves the page. */
  self: string;
  /** The other origin (another port of 127.0.0.1). */
  peer: string;
  /** `run=…`, to put in the query so the servers can tell runs apart. */
  run: string;
}

/** A scenario, written from the WHATWG HTML "Server-sent events" text. */
export interface Scenario {
  title: string;
  /** The route name, unique; the stream is `/s/<slug>`. */
  slug: string;
  /** What the server answers, attempt by attempt. Omitted for URLs that reach no server. */
  route?: Route;
  /** Further routes the scenario uses (redirect targets), by name. */
  routes?: Record<string, Route>;
  /** The URL given to the constructor. @defaultValue `/s/<slug>?<run>` on this origin */
  url?: (parts: UrlParts) => string;
  /** Pass the URL as a `URL` object. */
  urlObject?: boolean;
  withCredentials?: boolean;
  /** Options for ours on top of those that make it a plain EventSource (store: false…), with the reason. */
  ours?: Record<string, unknown>;
  client?: Client;
  /** Extra event types to listen to. */
  types?: string[];
  /** End the run after this many error events (for sources that keep reconnecting). */
  maxErrors?: number;
  /** Ms the run goes on after its end condition, for what should not happen. */
  settle?: number;
  timeout?: number;
  /** What the spec says the (native) run shows; ours must then be equal. */
  expect: (native: Run) => void;
  /** Checks each run must pass on its own (timing, which the comparison leaves out). */
  each?: (run: Run, impl: Impl) => void;
  /** A known deviation in timing, which the comparison leaves out; `each` checks its bound. */
  timing?: DeviationId;
  /** A known deviation this scenario shows: ours may differ from native only as `check` says. */
  deviation?: { id: DeviationId; check: (ours: Run, native: Run) => void };
}

export type Impl = 'native' | 'ours';

/** Every scenario's routes, mounted on both servers. */
export function routesOf(scenarios: Scenario[]): Record<string, Route> {
  const routes: Record<string, Route> = {};
  for (const s of scenarios) {
    for (const [name, route] of Object.entries({ ...(s.route ? { [s.slug]: s.route } : {}), ...s.routes })) {
      if (routes[name]) throw new Error(`route ${name} defined twice`);
      routes[name] = route;
    }
  }
  return routes;
}

/**
 * Two scenario servers per test (two origins), torn down after it; and one
 * page per worker (a new browser context per test costs about a second on a
 * loaded 2-core machine, and each test navigates the page afresh anyway).
 */
export const makeTest = (routes: Record<string, Route>) =>
  base.extend<{ servers: { self: ScenarioServer; peer: ScenarioServer } }, { sharedPage: Page }>({
    sharedPage: [
      async ({ browser }, use) => {
        const context = await browser.newContext();
        await use(await context.newPage());
        await context.close();
      },
      { scope: 'worker' },
    ],
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from its first parameter's pattern
    servers: async ({}, use) => {
      const staticRoots = { '/dist/': join(root, 'dist'), '/pages/': join(root, 'e2e', 'pages') };
      const self = await createScenarioServer({ routes, staticRoots });
      const peer = await createScenarioServer({ routes });
      self.peer = peer;
      peer.peer = self;
      await use({ self, peer });
      await Promise.all([self.close(), peer.close()]);
    },
  });

/** A reply script: attempt n gets replies[n]; every later attempt gets 204 (the server's "stop"). */
export const script =
  (...replies: Reply[]): Route =>
  ({ attempt }) =>
    replies[attempt] ?? { status: 204, contentType: null };

let counter = 0;

/** Runs a scenario once with one implementation in the page and collects what both servers saw. */
export async function runOnce(
  page: Page,
  servers: { self: ScenarioServer; peer: ScenarioServer },
  s: Scenario,
  impl: Impl,
): Promise<Run> {
  const run = `run-${impl}-${++counter}`;
  const parts: UrlParts = { self: servers.self.origin, peer: servers.peer.origin, run: `run=${run}` };
  const url = s.url ? s.url(parts) : `/s/${s.slug}?${parts.run}`;
  const spec = {
    impl,
    url,
    urlObject: s.urlObject,
    withCredentials: s.withCredentials,
    ours: s.ours,
    client: s.client,
    types: s.types,
    maxErrors: s.maxErrors,
    settle: s.settle,
    timeout: s.timeout,
  };
  const trace = (await page.evaluate(
    (spec) => (window as unknown as { runScenario(spec: unknown): Promise<unknown> }).runScenario(spec),
    spec,
  )) as Trace;
  const onPeer = new Set(servers.peer.requestsOf(run));
  const raw = [...servers.self.requestsOf(run), ...onPeer].sort((a, b) => a.at - b.at);
  const requests = raw.map((r) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of [...r.headers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    return { method: r.method, url: `${onPeer.has(r) ? 'peer' : 'self'}:${r.url}`, headers };
  });
  // The run's token is the one thing that differs by construction.
  const normal = JSON.parse(JSON.stringify({ trace, requests }).replaceAll(run, 'RUN')) as Omit<Run, 'raw'>;
  return { ...normal, raw };
}

/** The known deviations that {@link comparable} leaves out of every comparison: fields of the event objects. */
export const fieldDeviations: readonly DeviationId[] = ['is-trusted', 'event-prototype'];

/** A run without the fields whose differences are known deviations (see {@link fieldDeviations}). */
export function comparable(run: Run): Omit<Run, 'raw'> {
  return {
    trace: { ...run.trace, calls: run.trace.calls.map(({ isTrusted: _t, exactPrototype: _p, ...rest }) => rest) },
    requests: run.requests,
  };
}

/**
 * Runs a scenario with the native EventSource, then with ours, in the same
 * page against the same servers, and compares.
 */
export async function differential(
  page: Page,
  servers: { self: ScenarioServer; peer: ScenarioServer },
  s: Scenario,
): Promise<{ native: Run; ours: Run }> {
  await page.goto(`${servers.self.origin}/pages/differential.html`);
  const native = await runOnce(page, servers, s, 'native');
  const ours = await runOnce(page, servers, s, 'ours');
  // Both runs, whole, for whoever reads a failure: runs.json in the test's output directory.
  await writeFile(base.info().outputPath('runs.json'), JSON.stringify({ native, ours }, null, 1));
  // [spec] The scenario tests what it claims: the native run shows the
  // behaviour the standard describes.
  for (const call of native.trace.calls) {
    // The two deviations of event objects: the native ones are the platform's, trusted.
    expect(call.isTrusted, 'native events are trusted').toBe(true);
    expect(call.exactPrototype, 'native events are platform objects').toBe(true);
  }
  s.expect(native);
  s.each?.(native, 'native');
  const same = isDeepStrictEqual(comparable(ours), comparable(native));
  if (!same && s.deviation) {
    note(s.deviation.id);
    s.deviation.check(ours, native);
  } else {
    expect(comparable(ours), 'ours (ResilientEventSource) against native EventSource').toEqual(comparable(native));
  }
  s.each?.(ours, 'ours');
  return { native, ours };
}

function note(id: DeviationId): void {
  base.info().annotations.push({ type: 'deviation', description: id });
}

/** `type:readyState` for open/error, `type:data` for messages, in the order the listeners (not the onX handlers) saw them. */
export const events = (run: Run, via = 'listener'): string[] =>
  run.trace.calls
    .filter((c) => c.via === via)
    .map((c) => (c.type === 'open' || c.type === 'error' ? `${c.type}:${c.readyState}` : `${c.type}:${c.data}`));

/** [type, data, lastEventId] of each message-like event the listeners saw. */
export const messages = (run: Run, via = 'listener'): [string, string | undefined, string | undefined][] =>
  run.trace.calls
    .filter((c) => c.via === via && c.type !== 'open' && c.type !== 'error')
    .map((c) => [c.type, c.data, c.lastEventId]);

/** The GET requests' `Last-Event-ID` headers (null: none sent). */
export const lastEventIds = (run: Run): (string | null)[] =>
  run.requests.filter((r) => r.method === 'GET').map((r) => r.headers['last-event-id'] ?? null);

export const gets = (run: Run) => run.requests.filter((r) => r.method === 'GET');
export const preflights = (run: Run) => run.requests.filter((r) => r.method === 'OPTIONS');

/**
 * The requests of a run without the hops that only redirect (to a route
 * whose name the redirect target's starts with), keeping the first: what a
 * run of ours looks like with the `reconnect-to-original-url` deviation taken
 * out. The headers of each request stay as compared.
 */
export function withoutRedirectHops(run: Run): ComparedRequest[] {
  const path = (r: ComparedRequest) => r.url.replace(/\?.*/, '');
  const first = run.requests[0];
  return run.requests.filter(
    (r, i) =>
      i === 0 ||
      !(
        first &&
        path(r) === path(first) &&
        run.requests[i + 1] !== undefined &&
        path(run.requests[i + 1] as ComparedRequest) !== path(first)
      ),
  );
}
