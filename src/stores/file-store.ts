/**
 * A cursor store on disk for Node: one small JSON file per key, replaced
 * atomically (write to a temporary file, then rename), so a crash mid-write
 * leaves the previous cursor intact rather than a torn file. Writes to one key
 * run in call order, so the latest call wins.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreError } from '../errors.js';
import type { LastEventIdStore, StoredCursor } from '../types.js';

interface FileContent {
  key: string;
  cursor: StoredCursor;
}

type Failure = (what: string, key: string, cause: unknown) => StoreError;

/** Reads the cursor of `key` from `path`: `undefined` when there is none, or the file is another key's. */
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
    throw failed('parse', key, cause);
  }
  // A hash collision or a foreign file: not ours.
  return content.key === key ? content.cursor : undefined;
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
  let writes = 0;
  /** Per key, the last write or delete queued: they run one after another, in call order. */
  const queues = new Map<string, Promise<unknown>>();
  const inOrder = (key: string, run: () => Promise<void>): Promise<void> => {
    const next = (queues.get(key) ?? Promise.resolve()).catch(() => {}).then(run);
    queues.set(key, next);
    void next.finally(() => {
      if (queues.get(key) === next) queues.delete(key);
    }).catch(() => {});
    return next;
  };
  const pathOf = (key: string) => join(directory, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);
  const failed: Failure = (what, key, cause) =>
    new StoreError(`Could not ${what} the cursor for "${key}" in ${directory}`, { cause });

  return {
    get: (key) => read(pathOf(key), key, failed),
    set(key, cursor) {
      const content = JSON.stringify({ key, cursor } satisfies FileContent);
      return inOrder(key, async () => {
        const path = pathOf(key);
        const temporary = `${path}.${process.pid}.${writes++}.tmp`;
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
}
