/**
 * The file store (src/persistence/stores/file-store.ts, Node only) on its own:
 * round trips, atomic writes, concurrent writers in one process and in worker
 * threads, corrupt files, and a directory it cannot write. A consumer process
 * restarted on it is test/integration/restart.test.ts.
 */
import { Worker } from 'node:worker_threads';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../../src/contract/events.js';
import { createFileStore } from '../../../src/node.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'res-es-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createFileStore', () => {
  it('round-trips cursors by key, in a directory it creates', async () => {
    const store = createFileStore(join(dir, 'nested', 'cursors'));
    expect(await store.get('http://a.test/stream?x=1')).toBeUndefined();
    await store.set('http://a.test/stream?x=1', { lastEventId: '10', recentIds: ['9', '10'] });
    await store.set('b', { lastEventId: 'β', recentIds: [] });
    expect(await store.get('http://a.test/stream?x=1')).toEqual({ lastEventId: '10', recentIds: ['9', '10'] });
    expect(await store.get('b')).toEqual({ lastEventId: 'β', recentIds: [] });
    await store.delete('b');
    expect(await store.get('b')).toBeUndefined();
    await store.delete('never-there');
  });

  it('survives a new store object (a process restart)', async () => {
    await createFileStore(dir).set('k', { lastEventId: '3', recentIds: ['1', '2', '3'] });
    expect(await createFileStore(dir).get('k')).toEqual({ lastEventId: '3', recentIds: ['1', '2', '3'] });
  });

  it('writes atomically: no temporary files are left behind', async () => {
    const store = createFileStore(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set('k', { lastEventId: String(i), recentIds: [] })));
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f]{40}\.json$/);
    expect(JSON.parse(await readFile(join(dir, files[0] ?? ''), 'utf8')).key).toBe('k');
  });

  it('applies concurrent writes to one key in call order: the last call wins', async () => {
    const store = createFileStore(dir);
    for (let round = 0; round < 5; round++) {
      const calls = Array.from({ length: 10 }, (_, i) =>
        store.set('k', { lastEventId: `${round}-${i}`, recentIds: ['x'.repeat((9 - i) * 5000)] }),
      );
      await Promise.all(calls);
      expect((await store.get('k'))?.lastEventId).toBe(`${round}-9`);
    }
  });

  it('rejects with a StoreError on a corrupt file', async () => {
    const store = createFileStore(dir);
    await store.set('k', { lastEventId: '1', recentIds: [] });
    const [file] = await readdir(dir);
    await writeFile(join(dir, file ?? ''), '{not json');
    const error = await store.get('k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toMatch(/Could not parse the cursor for "k"/);
    expect((error as StoreError).cause).toBeInstanceOf(SyntaxError);
  });

  it('marks a corrupt file as corrupt (the store works; the next save replaces it), and rewrites it on the next set', async () => {
    const store = createFileStore(dir);
    await store.set('k', { lastEventId: '1', recentIds: [] });
    const [file] = await readdir(dir);
    await writeFile(join(dir, file ?? ''), '{"key":"k","cur');
    await expect(store.get('k')).rejects.toMatchObject({ name: 'StoreError', corrupt: true });
    await store.set('k', { lastEventId: '2', recentIds: ['2'] });
    expect(await store.get('k')).toEqual({ lastEventId: '2', recentIds: ['2'] });
  });

  it('two stores on one directory writing one key at once: 300 rounds, never a torn file', async () => {
    const [a, b] = [createFileStore(dir), createFileStore(dir)];
    const cursorOf = (name: string, round: number) => ({
      lastEventId: `${name}-${round}`,
      recentIds: Array.from({ length: (round % 5) * 50 }, (_, i) => `${name}${i}`),
    });
    const files = () => readdir(dir).then((names) => names.filter((n) => n.endsWith('.json')));
    for (let round = 0; round < 300; round++) {
      await Promise.all([a.set('k', cursorOf('a', round)), b.set('k', cursorOf('b', round))]);
      const [file] = await files();
      const content = JSON.parse(await readFile(join(dir, file ?? ''), 'utf8'));
      expect([cursorOf('a', round), cursorOf('b', round)]).toContainEqual(content.cursor);
    }
    // And no temporary file is left behind.
    expect(await readdir(dir)).toHaveLength(1);
  });

  it('two worker threads (one process id) writing one key 300 times each: every read finds a whole cursor', async () => {
    const rounds = 300;
    const workers = ['w1', 'w2'].map(
      (name) =>
        new Worker(new URL('../../fixtures/file-store-writer.mjs', import.meta.url), {
          workerData: { dir, key: 'k', name, rounds },
        }),
    );
    const done = Promise.all(
      workers.map(
        (w) =>
          new Promise((resolve, reject) => {
            w.once('message', resolve);
            w.once('error', reject);
          }),
      ),
    );
    let finished = false;
    void done.finally(() => (finished = true));
    const reader = createFileStore(dir);
    let reads = 0;
    while (!finished) {
      // A corrupt or torn file rejects; a missing one (before the first rename) is undefined.
      const cursor = await reader.get('k');
      if (cursor) expect(cursor.lastEventId).toMatch(/^w[12]-\d+$/);
      reads++;
    }
    await done;
    await Promise.all(workers.map((w) => w.terminate()));
    expect((await reader.get('k'))?.lastEventId).toMatch(new RegExp(`^w[12]-${rounds - 1}$`));
    expect(reads).toBeGreaterThan(0);
    expect(await readdir(dir)).toHaveLength(1);
  });

  it('rejects with a StoreError when the directory cannot be written', async () => {
    await writeFile(join(dir, 'file'), 'x');
    const store = createFileStore(join(dir, 'file', 'sub'));
    await expect(store.set('k', { lastEventId: '1', recentIds: [] })).rejects.toBeInstanceOf(StoreError);
  });

  it('throws a TypeError without a directory', () => {
    expect(() => createFileStore('')).toThrow(TypeError);
  });
});
