/**
 * What the fuzzers found, kept as named cases that run whatever the
 * generators become. Each is the shrunk script of a failure, written out, and
 * must now hold every invariant of check.ts. (What the differential fuzzer
 * found is in e2e/differential.spec.ts: the `unsendable-id` scenario.)
 */
import { describe, expect, it } from 'vitest';
import { check } from './check.js';
import { type Case, type ClientOptions, runCase } from './run-script.js';
import type { Item, Plan } from './scripts.js';

const client: ClientOptions = {
  dedupe: 1000,
  lastEventIdQuery: false,
  headersFunction: true,
  maxRetries: Infinity,
  fileStore: false,
  post: false,
};
const events = (...types: string[]): Item => ({
  kind: 'new',
  events: types.map((type, i) => ({ type, data: `d${i}`, idField: 'id: ' as const })),
});
const stream = (items: Item[], ending: Plan['ending'], more: Partial<Plan> = {}): Plan => ({
  status: 200,
  contentType: ['text/event-stream'],
  items,
  ending,
  partial: false,
  boms: 0,
  eol: '\n',
  cuts: [],
  ...more,
});

async function holds(c: Case, seed = 1) {
  const run = await runCase(c, seed);
  expect(check(c, run)).toEqual([]);
  return run;
}

describe('found by the invariant fuzzer', () => {
  it('seed 4242, path 8769: reconnect() from the listener of a `wake` reconnect (the wall clock stepped forward an hour) leaves one attempt, and the cursor a later reset left is what a restart resumes from', async () => {
    const c: Case = {
      plans: [
        stream([events('', 'update', 'stats')], 'silence', { redirect: { status: 307, crossOrigin: true } }),
        stream([events('message', 'stats'), { kind: 'reset', withData: true }], 'drop'),
        { ...stream([], 'end'), status: 204, contentType: ['text/plain'] },
        stream([events('', 'update')], 'end'),
      ],
      client: { ...client, dedupe: false, lastEventIdQuery: true, post: true, maxRetries: 4 },
      caller: { act: { on: 'reconnecting', nth: 1, call: 'reconnect' }, restarts: 1, steps: [[2, 3_600_000]] },
    };
    const run = await holds(c);
    const reasons = run.seen.filter((e) => e.kind === 'reconnecting').map((e) => e.kind === 'reconnecting' && e.reason);
    expect(reasons.slice(0, 2)).toEqual(['wake', 'requested']);
    // The restart after the 204 goes without a cursor: the reset emptied it.
    expect(run.server.received.filter((r) => r.hop === 'first').at(-1)?.lastEventId).toBeUndefined();
  });

  it('an id with a leading tab: the header arrives without it (HTTP trims field values), the query parameter with it', async () => {
    const c: Case = {
      plans: [stream([{ kind: 'odd-id', id: '\t9', data: 'x' }], 'drop'), stream([events('')], 'end')],
      client: { ...client, lastEventIdQuery: true },
      caller: { restarts: 0, steps: [] },
    };
    const run = await holds(c);
    const second = run.server.received.filter((r) => r.hop === 'first')[1];
    expect([second?.lastEventId, second?.queryCursor]).toEqual(['9', '\t9']);
  });

  it('a 431 to a request with a cursor: the retry without it waits on a timer of 0 ms, and goes', async () => {
    const c: Case = {
      plans: [
        stream([events('')], 'drop'),
        { ...stream([], 'end'), status: 431, contentType: ['text/plain'] },
        stream([events('')], 'end'),
      ],
      client,
      caller: { restarts: 0, steps: [] },
    };
    const run = await holds(c);
    expect(run.server.received.filter((r) => r.hop === 'first').map((r) => r.lastEventId)).toEqual([
      undefined,
      '1',
      undefined,
      '2',
    ]);
  });
});
