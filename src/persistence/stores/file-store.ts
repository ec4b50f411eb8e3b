/**
 * A cursor store on disk for Node: one small JSON file per key, replaced
 * atomically (written whole to a temporary file of its own, then renamed over
 * it), so a crash mid-write, or another writer of the same file (a second
 * store on the directory, a worker thread, another process), leaves one whole
 * cursor, never a torn one. Calls for one key run in call order, so the
 * latest call wins and a read sees every write made before it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { StoreError } from '../../contract/events.js';
import { storeIdentity } from './identity.js';
import type { LastEventIdStore, StoredCursor } from '../../contract/types.js';

/**
 * What a file holds, as JSON. Exported for its declaration only: the next
 * version reads what this one wrote, so the production build keeps these
 * field names (scripts/build/names.mjs).
 */
export interface FileContent {
  key: string;
  cursor: StoredCursor;
}

type Failure = (what: string, key: string, cause: unknown, corrupt?: boolean) => StoreError;

/**
 * Reads the cursor of `key` from `path`: `undefined` when there is none, or the
 * file is another key's. A file that is not JSON is corrupt: the store still
 * works, and the next save replaces the file (see `StoreError.corrupt`).
 */
async function read(path: string, key: string, failed: Failure): Promise<StoredCursor | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw failed('read', key, cause);
  }
  let content: Partial<FileContent>;
  try {
    content = JSON.parse(text) as Partial<FileContent>;
  } catch (cause) {
    throw failed('parse', key, cause, true);
  }
  // A hash collision or a foreign file: not ours.
  return content?.key === key ? content.cursor : undefined;
}

/**
 * Creates a store that keeps cursors as files in `directory` (created on first
 * write). File names are a hash of the key, so any key (a URL) is safe.
 *
 * @example
 * import { ResilientEventSource } from 'resilient-eventsource';
 * import { createFileStore } from 'resilient-eventsource/node';
 * const es = new ResilientEventSource(url, { store: createFileStore('.cursors') });
 * process.on('SIGTERM', async () => { await es.close(); process.exit(0); });
 */
export function createFileStore(directory: string): LastEventIdStore {
  if (typeof directory !== 'string' || directory === '') {
    throw new TypeError(`createFileStore(directory) needs a directory path, got ${JSON.stringify(directory)}`);
  }
  /** Per key, the last call queued: they run one after another, in call order. */
  const queues = new Map<string, Promise<unknown>>();
  const inOrder = <T>(key: string, run: () => Promise<T>): Promise<T> => {
    const next = (queues.get(key) ?? Promise.resolve()).catch(() => {}).then(run);
    queues.set(key, next);
    void next
      .finally(() => {
        if (queues.get(key) === next) queues.delete(key);
      })
      .catch(() => {});
    return next;
  };
  const pathOf = (key: string) =>
    join(directory, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);
  const failed: Failure = (what, key, cause, corrupt) =>
    new StoreError(`Could not ${what} the cursor for "${key}" in ${directory}`, { cause, corrupt });

  const store: LastEventIdStore & { [storeIdentity]: string } = {
    // Two stores on one directory are one store: a key open in one is open in both.
    [storeIdentity]: `file:${resolve(directory)}`,
    get: (key) => inOrder(key, () => read(pathOf(key), key, failed)),
    set(key, cursor) {
      const content = JSON.stringify({ key, cursor } satisfies FileContent);
      return inOrder(key, async () => {
        const path = pathOf(key);
        // A name no other writer can pick: another store on this directory, a
        // worker thread (same pid) or another process may write this key now.
        const temporary = `${path}.${randomUUID()}.tmp`;
        try {
          await mkdir(directory, { recursive: true });
          await writeFile(temporary, content);
          await rename(temporary, path);
        } catch (cause) {
          await rm(temporary, { force: true }).catch(() => {});
          throw failed('write', key, cause);
        }
      });
    },
    delete(key) {
      return inOrder(key, async () => {
        try {
          await rm(pathOf(key), { force: true });
        } catch (cause) {
          throw failed('delete', key, cause);
        }
      });
    },
  };
  return store;
}
