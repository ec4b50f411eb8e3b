/**
 * A Node consumer restarted mid-stream (test/fixtures/consumer.ts, in a
 * process of its own, on the file store) against the reference server: each
 * restart resumes from the stored id, with no gap and no repeat.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSseServer } from '../../server/sse-server.js';
import { range } from '../helpers/events.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'res-es-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a Node consumer restarted mid-stream', () => {
  it('resumes from the stored id with no gap and no repeat, three times over', async () => {
    const server = await createSseServer({ retry: 50, heartbeatInterval: 0 });
    const lines: string[] = [];
    const printedBeforeStop: number[] = [];
    try {
      for (let run = 0; run < 3; run++) {
        server.publishMany(40);
        const target = (run + 1) * 40;
        const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/consumer.ts', server.streamUrl, dir], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
        await new Promise<void>((resolve, reject) => {
          let buffer = '';
          const timer = setTimeout(
            () => reject(new Error(`run ${run}: ${lines.length}/${target} events; stderr: ${stderr}`)),
            20_000,
          );
          child.stdout.on('data', (chunk: Buffer) => {
            buffer += String(chunk);
            const complete = buffer.split('\n');
            buffer = complete.pop() ?? '';
            lines.push(...complete);
            // Stop it mid-stream: more events are still coming.
            if (lines.length >= target) {
              clearTimeout(timer);
              resolve();
            }
          });
        });
        server.publishMany(5);
        child.kill('SIGTERM');
        const code = await new Promise((resolve) => child.on('exit', resolve));
        expect(code).toBe(0);
        printedBeforeStop.push(lines.length);
      }
    } finally {
      await server.close();
    }
    const ids = lines.map((line) => line.split(' ')[0]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(range(1, ids.length));
    expect(ids.length).toBeGreaterThanOrEqual(120);
    expect(lines[0]).toBe('1 {"n":1}');
    // Each restart asked for exactly what the previous process had printed last.
    expect(server.requests.map((r) => r.lastEventId)).toEqual([
      null,
      String(printedBeforeStop[0]),
      String(printedBeforeStop[1]),
    ]);
  }, 60_000);
});
