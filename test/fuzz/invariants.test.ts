/**
 * The invariant fuzzer (issue 20): random server scripts on real sockets
 * (test/fuzz/script-server.ts) × random callers (close() or reconnect() from
 * a listener of any event, a `for await` loop that breaks, restarts on the
 * same store, wall clock steps), each run checked against the invariants and
 * the model of test/fuzz/check.ts.
 *
 * In `npm test`: a fixed seed and FUZZ_RUNS (default 500) cases, a few
 * seconds. `npm run fuzz` runs many more from a random seed; a failure
 * prints the seed and the path that replay it:
 *   FUZZ_SEED=<seed> FUZZ_PATH=<path> npx vitest run --project node test/fuzz/invariants.test.ts
 * Every failure it found is a named test in test/fuzz/regressions.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check } from './check.js';
import { type Case, fuzzCase, runCase } from './run-script.js';
import type { Plan } from './scripts.js';

const runs = Number(process.env['FUZZ_RUNS'] ?? 500);
const seed = Number(process.env['FUZZ_SEED'] ?? 20_261_207);
const path = process.env['FUZZ_PATH'];

describe('invariants over random servers and callers', () => {
  it(`${runs} random cases (seed ${seed}): every run as the model predicts`, async () => {
    await fc.assert(
      fc.asyncProperty(fuzzCase(), fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (c, jitterSeed) => {
        const problems = check(c, await runCase(c, jitterSeed));
        if (problems.length > 0) throw new Error(problems.join('\n'));
      }),
      { numRuns: runs, seed, ...(path ? { path } : {}), endOnFailure: true },
    );
  }, 600_000);
});

/** A stream plan with events 1…n (through the log), ending as asked. */
const stream = (count: number, ending: Plan['ending']): Plan => ({
  status: 200,
  contentType: ['text/event-stream'],
  items: [
    {
      kind: 'new',
      events: Array.from({ length: count }, (_, i) => ({ type: '', data: `d${i}`, idField: 'id: ' as const })),
    },
  ],
  ending,
  partial: ending === 'drop',
  boms: 0,
  eol: '\n',
  cuts: [0.5],
});
const plain: Case = {
  plans: [stream(3, 'drop'), { ...stream(2, 'end'), items: [{ kind: 'replay', count: 2 }, ...stream(2, 'end').items] }],
  client: {
    dedupe: 1000,
    lastEventIdQuery: false,
    headersFunction: true,
    maxRetries: Infinity,
    fileStore: false,
    post: false,
  },
  caller: { restarts: 0, steps: [] },
};

describe('the checks can fail', () => {
  it('a plain script: five events over two streams, the replayed two suppressed, and every check holds', async () => {
    const run = await runCase(plain, 1);
    expect(run.seen.filter((e) => e.kind === 'message').map((e) => e.kind === 'message' && e.lastEventId)).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
    ]);
    expect(run.server.received.filter((r) => r.hop === 'first').map((r) => r.lastEventId)).toEqual([
      undefined,
      '3',
      '5',
    ]);
    expect(check(plain, run)).toEqual([]);
  });

  it('a message lost, one repeated, a wrong cursor, a leak, a dispatch after close(): each is reported', async () => {
    const run = await runCase(plain, 1);
    const messages = run.seen.filter((e) => e.kind === 'message');
    const lost = { ...run, seen: run.seen.filter((e) => e !== messages[1]) };
    expect(check(plain, lost).join()).toMatch(
      /attempt 0: expected \{"kind":"message","type":"message","data":"d1","lastEventId":"2"\}/,
    );
    const repeated = {
      ...run,
      seen: [...run.seen.slice(0, 2), messages[0] as (typeof run.seen)[number], ...run.seen.slice(2)],
    };
    expect(check(plain, repeated)).not.toEqual([]);
    const wrongCursor = {
      ...run,
      server: {
        ...run.server,
        received: run.server.received.map((r, i) => (i === 1 ? { ...r, lastEventId: '2' } : r)),
      },
    };
    expect(check(plain, wrongCursor).join()).toMatch(/Last-Event-ID "2", the model says "3"/);
    expect(check(plain, { ...run, leftover: { timers: 1, openStreams: 1 } })).toEqual(
      expect.arrayContaining([
        '1 timer(s) left after every source closed',
        '1 stream(s) left open after every source closed',
      ]),
    );
    expect(check(plain, { ...run, afterClose: ['message after close()'] })).toContain(
      'dispatched after close(): message after close()',
    );
  });
});
