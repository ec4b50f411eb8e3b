/**
 * The differential fuzzer (issue 20), in Chromium: random server scripts
 * (test/fuzz/scripts.ts) served to the native EventSource and to ours in the
 * same page, against the same servers, and compared as the differential suite
 * compares its scenarios (e2e/differential-support.ts): every listener call
 * with the readyState inside it, data, lastEventId and origin, and every
 * request with all its headers. The only differences allowed are the README's
 * deviations (e2e/deviations.ts): the fields of the event objects, and after
 * a redirect, where each reconnect starts. (It found one more, which the
 * README now lists: `unsendable-last-event-id`.)
 *
 * The scripts are the subset on which the two can agree: streams that end or
 * drop (mid-event too), with any event names (`error`, `open`… included),
 * ids, replays, resets, comments, odd lines, BOMs, every line ending and
 * chunking; every Content-Type, doubled included; 204, 401 and 404; redirects
 * within the origin. Ours runs with the spec's fixed reconnection time (no
 * jitter, no growth) and no dedupe, so that it reconnects as the native does.
 *
 * In `npm test`: FUZZ_RUNS (default 30) scripts from a fixed seed. `npm run
 * fuzz` runs more from a random seed and prints it; a failure names the seed
 * and path that replay it: FUZZ_SEED=<seed> FUZZ_PATH=<path> npx playwright
 * test e2e/differential-fuzz.spec.ts --project chromium.
 */
import { Buffer } from 'node:buffer';
import { expect } from '@playwright/test';
import fc from 'fast-check';
import { chunksOf, type LogEvent, type Plan, plan, renderBody } from '../test/fuzz/scripts.js';
import {
  comparable,
  differential,
  makeTest,
  type Run,
  type Scenario,
  withoutRedirectHops,
} from './differential-support.js';
import type { Reply, Route } from './scenario-server.js';

const runs = Number(process.env['FUZZ_RUNS_BROWSER'] ?? process.env['FUZZ_RUNS'] ?? 30);
const seed = Number(process.env['FUZZ_SEED'] ?? 20_261_207);
const path = process.env['FUZZ_PATH'];

/** What both can be compared on (see above). */
const comparablePlan = plan({ endings: ['end', 'drop'], statuses: [204, 401, 404] }).map(
  (p): Plan => ({
    ...p,
    // Within the origin: a cross-origin reconnect with a Last-Event-ID needs a preflight from ours (a listed deviation).
    redirect: p.redirect && { ...p.redirect, crossOrigin: false },
    // A retry: over the run's time limit would only make both wait; an id that cannot be a header
    // value is a listed deviation (`unsendable-last-event-id`), with a scenario of its own.
    items: p.items.filter(
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
      (i) => (i.kind !== 'retry' || i.value !== '2500') && (i.kind !== 'odd-id' || !/[\0-\x08\x0a-\x1f]/.test(i.id)),
    ),
  }),
);
const scripts = fc.array(comparablePlan, { minLength: 1, maxLength: 4 });

/** Per run of a script: the next plan, the log of events, and whether a redirect made the stream's URL lead elsewhere for good. */
interface Played {
  next: number;
  log: LogEvent[];
  redirected: boolean;
}

/**
 * The routes of script `name`: `<name>` is the stream's URL; once a plan
 * redirects, it redirects every later request to `<name>-t`, which answers
 * the plans, in order, across both routes. So both clients meet the same
 * plans, whether they reconnect to the stream's URL (ours) or to where the
 * redirect led (the native one).
 */
function routesOf(name: string, plans: readonly Plan[]): Record<string, Route> {
  const played = new Map<string, Played>();
  const stateOf = (run: string): Played => {
    let state = played.get(run);
    if (!state) played.set(run, (state = { next: 0, log: [], redirected: false }));
    return state;
  };
  const answer = (state: Played, lastEventId: string | undefined): Reply => {
    const p = plans[state.next++];
    if (!p) return { status: 204, contentType: null };
    if (p.status !== 200) return { status: p.status, contentType: p.contentType, chunks: ['refused'] };
    const at = state.log.findIndex((e) => e.id === lastEventId);
    const body = renderBody(p, at === -1 ? [] : state.log.slice(at + 1), state.log);
    // The spec's fixed reconnection time, for both, after the stream's BOMs.
    const boms = '\uFEFF'.repeat(p.boms);
    const bytes = Buffer.from(`${boms}retry: 20\n${body.slice(boms.length)}`);
    // A drop once both have read every byte: what a fetch body drops when it errors before being read is
    // timing, not semantics (see destroyAfter).
    return {
      status: 200,
      contentType: p.contentType,
      chunks: chunksOf(bytes, p.cuts),
      then: p.ending === 'drop' ? 'destroy' : 'end',
      destroyAfter: 150,
    };
  };
  const lastEventId = (headers: Record<string, string | string[] | undefined>) => {
    const value = headers['last-event-id'];
    return typeof value === 'string' ? Buffer.from(value, 'latin1').toString('utf8') : undefined;
  };
  return {
    [name]: ({ query, headers }) => {
      const state = stateOf(query.get('run') ?? '');
      const p = plans[state.next];
      if (state.redirected || p?.redirect) {
        state.redirected = true;
        return { status: p?.redirect?.status ?? 307, redirect: { route: `${name}-t` } };
      }
      return answer(state, lastEventId(headers));
    },
    [`${name}-t`]: ({ query, headers }) => answer(stateOf(query.get('run') ?? ''), lastEventId(headers)),
  };
}

const generated = fc.sample(scripts, { numRuns: runs, seed, ...(path ? { path } : {}) });
const routes: Record<string, Route> = {};
for (const [i, plans] of generated.entries()) Object.assign(routes, routesOf(`fz${i}`, plans));

const test = makeTest(routes);

/** The scenario of script `i`. */
function scenarioOf(i: number, plans: readonly Plan[]): Scenario {
  const redirects = plans.some((p) => p.redirect);
  return {
    title: `script ${i}`,
    slug: `fz${i}`,
    types: ['update', 'stats', 'reconnecting'],
    // The spec's reconnection: the server's retry: as it is, no growth, no jitter; and no dedupe.
    ours: { backoff: { initialDelay: 20, factor: 1, jitter: 0 }, dedupe: false },
    timeout: 8000,
    // The native run is the oracle here: nothing is asked of it on its own.
    expect: () => {},
    ...(redirects
      ? {
          deviation: {
            id: 'reconnect-to-original-url' as const,
            check: (ours: Run, native: Run) => {
              expect(comparable(ours).trace).toEqual(comparable(native).trace);
              expect(withoutRedirectHops(ours)).toEqual(withoutRedirectHops(native));
            },
          },
        }
      : {}),
  };
}

test.describe('ours against the native EventSource, on random server scripts', () => {
  test.describe.configure({ timeout: 20_000 });
  generated.forEach((plans, i) => {
    test(`script ${i} of ${runs} (seed ${seed}): ${plans.length} answer(s)`, async ({ sharedPage, servers }) => {
      test.info().annotations.push({ type: 'script', description: JSON.stringify(plans) });
      await differential(sharedPage, servers, scenarioOf(i, plans));
    });
  });
});
