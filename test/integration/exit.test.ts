/**
 * close() leaves nothing behind: a Node process whose only work was a source
 * exits on its own once the source is closed — while open with a heartbeat
 * watchdog armed, while waiting 60 s to reconnect, before connecting, or
 * after the source closed itself on a fatal status.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSseServer, type SseServer } from '../../server/sse-server.js';

let server: SseServer;
beforeAll(async () => {
  server = await createSseServer({ retry: 0, heartbeatInterval: 0 });
  server.publishMany(1);
});
afterAll(() => server.close());

function run(url: string, when: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/exit-after-close.ts', url, when], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += String(chunk)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the process did not exit after close() (${when}); output: ${out}`));
    }, 15_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('after close()', () => {
  it('exits when closed while open (heartbeat armed, socket open)', async () => {
    expect(await run(server.streamUrl, 'open')).toEqual({ code: 0, out: 'closed\n' });
  });

  it('exits when closed while waiting to reconnect', async () => {
    server.faults.failNext(503, { times: 1 });
    expect(await run(server.streamUrl, 'reconnecting')).toEqual({ code: 0, out: 'closed\n' });
  });

  it('exits after failing for good on a fatal status, with no close() at all', async () => {
    // 404: CLOSED by the source itself; nothing may keep the process alive.
    expect(await run(`${server.url}/no-such-stream`, 'open')).toEqual({ code: 0, out: '' });
  });

  it('exits when closed before it connected', async () => {
    expect(await run(server.streamUrl, 'connecting')).toEqual({ code: 0, out: '' });
  });
});
