/**
 * close() and reconnect() from a listener of every event the source
 * dispatches (issue 20): from each, close() leaves nothing (no timer, no
 * socket: the process exits by itself) and reconnect() leaves exactly one
 * connection. Each case runs in a process of its own against the reference
 * server; the fixture is test/fixtures/listener-action.ts.
 */
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSseServer, type SseServer } from '../../server/sse-server.js';

let server: SseServer;
beforeEach(async () => {
  server = await createSseServer({ retry: 0, heartbeatInterval: 0 });
});
afterEach(() => server.close());

/** How each kind of event is brought about. */
const kinds = {
  open: 'the stream opens',
  message: 'an unnamed event arrives',
  custom: 'an `event: update` arrives',
  error: 'the first request gets 503',
  reconnecting: 'the first request gets 503',
  stats: 'the first request gets 503 (stats follows the reconnect being scheduled)',
  store: 'the store fails its read (an error with reason store)',
} as const;
type Kind = keyof typeof kinds;
const failsFirst = (kind: Kind) => kind === 'error' || kind === 'reconnecting' || kind === 'stats';

interface Run {
  code: number | null;
  lines: string[];
  /** Streams open at the server when the fixture said `reopened`, and again 1.5 s later. */
  open: number[];
}

/** Spawns the fixture; resolves when it exits by itself (rejects after 15 s: something kept it alive). */
function run(kind: Kind, action: 'close' | 'reconnect', initialDelay: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/fixtures/listener-action.ts', server.streamUrl, kind, action, String(initialDelay)],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    const lines: string[] = [];
    const open: number[] = [];
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += String(chunk);
      const complete = buffer.split('\n');
      buffer = complete.pop() ?? '';
      for (const line of complete) {
        lines.push(line);
        if (line !== 'reopened') continue;
        // An orphaned attempt would connect within the backoff delay: look again after several times it.
        open.push(server.openStreams);
        setTimeout(() => {
          open.push(server.openStreams);
          child.stdin.end('close\n');
        }, 1500);
      }
    });
    if (action === 'close') child.stdin.end();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${kind}/${action}: the process did not exit; output: ${lines.join(', ')}`));
    }, 15_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, lines, open });
    });
  });
}

describe.each(Object.keys(kinds) as Kind[])('from a listener of %s', (kind) => {
  it(`close() leaves nothing behind: the process exits (${kinds[kind]})`, async () => {
    server.publish('first', kind === 'custom' ? { event: 'update' } : {});
    // A reconnect an hour away: close() must clear its timer.
    if (failsFirst(kind)) server.faults.failNext(503, { retryAfter: '3600' });
    const { code, lines } = await run(kind, 'close', 1000);
    expect(code).toBe(0);
    expect(lines).toEqual(['acted', 'closed']);
  });

  it(`reconnect() leaves exactly one connection (${kinds[kind]})`, async () => {
    server.publish('first', kind === 'custom' ? { event: 'update' } : {});
    if (failsFirst(kind)) server.faults.failNext(503);
    // A backoff of 300 ms: an orphaned reconnect would open a second stream well within the 1.5 s look.
    const { code, lines, open } = await run(kind, 'reconnect', 300);
    expect(code).toBe(0);
    // (From the store's report, made while the stored cursor is read, before
    // the first attempt, reconnect() has nothing to drop: the first attempt is the one.)
    expect(lines).toEqual(['acted', 'reopened', 'closed']);
    expect(open).toEqual([1, 1]);
  });
});
