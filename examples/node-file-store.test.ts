/** Runs examples/node-file-store.ts twice, stopping it mid-stream: the second run resumes. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createSseServer } from '../server/sse-server.js';

async function runUntil(env: Record<string, string>, lines: number, signal: NodeJS.Signals): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/node-file-store.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const out: string[] = [];
  let buffer = '';
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += String(chunk);
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      out.push(...parts);
      if (out.length >= lines) resolve();
    });
  });
  child.kill(signal);
  expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
  return out;
}

it.each<[NodeJS.Signals, string]>([
  ['SIGTERM', 'a process manager'],
  ['SIGINT', 'Ctrl-C'],
])(
  'the Node example resumes from its file cursor after %s (%s)',
  async (signal) => {
    const server = await createSseServer({ retry: 50, heartbeatInterval: 0 });
    server.faults.requireToken('s3cret');
    const dir = await mkdtemp(join(tmpdir(), 'example-'));
    try {
      const env = { EVENTS_URL: server.streamUrl, CURSOR_DIR: dir, TOKEN: 's3cret' };
      server.publishMany(5);
      const first = await runUntil(env, 5, signal);
      server.publishMany(3);
      const second = await runUntil(env, 3, signal);
      expect([...first, ...second].map((line) => line.split(' ')[0])).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
      expect(server.requests.map((r) => r.lastEventId)).toEqual([null, '5']);
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
  30_000,
);
