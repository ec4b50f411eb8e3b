/**
 * The shared event log of the cluster, on one Redis stream.
 *
 * Layout (for a stream key `K`):
 * - `K`: the stream. Entry ids are `<n>-0`, so the stream id *is* the SSE id;
 *   fields `data` and, when set, `event`. Trimmed with `MAXLEN ~`.
 * - `K:seq`: the counter, the last id handed out.
 * - `K:pub:<key>`: `<first>:<count>` of a publish made with an idempotency
 *   key, kept for {@link RedisLogOptions.idempotencyTtl} seconds, so a publish
 *   retried after a lost answer returns the ids it already has.
 *
 * The counter and the appends are one Lua script: Redis runs a script alone,
 * so ids are handed out strictly increasing and gapless across every
 * instance, and a client can move between instances freely.
 */
import { Redis } from 'ioredis';

/** One entry of the log. */
export interface LogEntry {
  /** The SSE id, from 1. */
  seq: number;
  event: string | undefined;
  data: string;
}

/** Options of {@link RedisLog}. */
export interface RedisLogOptions {
  /** `redis://host:port[/db]`. */
  url: string;
  /** @defaultValue 'sse:events' */
  stream?: string | undefined;
  /** Approximate number of entries kept (`MAXLEN ~`): the replay window. @defaultValue 100000 */
  maxLength?: number | undefined;
  /** Seconds an idempotency key is remembered. @defaultValue 3600 */
  idempotencyTtl?: number | undefined;
  /** Ms a command may take before it fails (the server then answers 503). @defaultValue 2000 */
  commandTimeout?: number | undefined;
}

/** Thrown when Redis cannot be reached or does not answer: the HTTP layer answers 503. */
export class LogUnavailableError extends Error {
  override readonly name = 'LogUnavailableError';
}

// KEYS: stream, counter, idempotency key (or the counter again when none).
// ARGV: maxlen, ttl, has-key (0/1), event ('' = none), data...
const appendScript = `
if ARGV[3] == '1' then
  local prior = redis.call('GET', KEYS[3])
  if prior then return prior end
end
local n = #ARGV - 4
local last = redis.call('INCRBY', KEYS[2], n)
local first = last - n + 1
for i = 1, n do
  if ARGV[4] == '' then
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], (first + i - 1) .. '-0', 'data', ARGV[4 + i])
  else
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], (first + i - 1) .. '-0', 'event', ARGV[4], 'data', ARGV[4 + i])
  end
end
local answer = first .. ':' .. n
if ARGV[3] == '1' then redis.call('SET', KEYS[3], answer, 'EX', ARGV[2]) end
return answer
`;

type RawEntry = [id: string, fields: string[]];

function toEntry([id, fields]: RawEntry): LogEntry {
  let data = '';
  let event: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'data') data = fields[i + 1] ?? '';
    else if (fields[i] === 'event') event = fields[i + 1];
  }
  return { seq: Number.parseInt(id, 10), event, data };
}

/**
 * The log: appends, ranges, and one tail per instance. The tail runs on its
 * own connection, because `XREAD BLOCK` holds a connection for as long as it
 * waits; every other command shares the second one.
 */
export class RedisLog {
  readonly stream: string;
  readonly #maxLength: number;
  readonly #ttl: number;
  readonly #commands: Redis;
  readonly #tail: Redis;
  #head = 0;
  #tailing = false;
  #closed = false;
  #listeners = new Set<(entries: LogEntry[]) => void>();

  constructor(options: RedisLogOptions) {
    this.stream = options.stream ?? 'sse:events';
    this.#maxLength = options.maxLength ?? 100_000;
    this.#ttl = options.idempotencyTtl ?? 3600;
    const common = {
      lazyConnect: true,
      // Fail at once while disconnected instead of queueing: the server
      // must answer 503 now, not hold the request until Redis is back.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // A command lost with its connection is not sent again on the next
      // one: the caller decides (a publish retried carries its key).
      autoResendUnfulfilledCommands: false,
      retryStrategy: () => 100,
    };
    this.#commands = new Redis(options.url, { ...common, commandTimeout: options.commandTimeout ?? 2000 });
    this.#tail = new Redis(options.url, common);
    // Connection errors are reported by the commands that fail; without a
    // listener ioredis would print each reconnect attempt.
    this.#commands.on('error', () => {});
    this.#tail.on('error', () => {});
  }

  /** Whether the command connection is up right now. */
  get ready(): boolean {
    return this.#commands.status === 'ready';
  }

  /** The last id this instance's tail has seen. */
  get head(): number {
    return this.#head;
  }

  /** Connects both connections (retrying until Redis answers) and starts the tail at the current end. */
  async open(): Promise<void> {
    await Promise.all([connect(this.#commands), connect(this.#tail)]);
    this.#head = await this.lastId();
    this.#tailing = true;
    void this.#runTail();
  }

  /** Called with each batch of new entries, in order, without gaps. */
  subscribe(listener: (entries: LogEntry[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Appends `items` (consecutive ids) and returns the first id and count. With
   * a `key`, a repeated call returns the ids of the first one and appends
   * nothing: a publisher may retry a publish whose answer it did not get.
   */
  async append(
    items: string[],
    options: { event?: string | undefined; key?: string | undefined } = {},
  ): Promise<{ first: number; count: number }> {
    if (items.length === 0) throw new RangeError('append needs at least one item');
    const counter = `${this.stream}:seq`;
    const key = options.key === undefined ? counter : `${this.stream}:pub:${options.key}`;
    const answer = await this.#run(() =>
      this.#commands.eval(
        appendScript,
        3,
        this.stream,
        counter,
        key,
        String(this.#maxLength),
        String(this.#ttl),
        options.key === undefined ? '0' : '1',
        options.event ?? '',
        ...items,
      ),
    );
    const [first, count] = String(answer).split(':').map(Number);
    return { first: first ?? 0, count: count ?? 0 };
  }

  /** Entries after `after`, oldest first, at most `count`. */
  async after(after: number, count: number): Promise<LogEntry[]> {
    const raw = (await this.#run(() =>
      this.#commands.xrange(this.stream, `(${after}-0`, '+', 'COUNT', count),
    )) as RawEntry[];
    return raw.map(toEntry);
  }

  /** The last id handed out (0 before the first publish). */
  async lastId(): Promise<number> {
    const value = await this.#run(() => this.#commands.get(`${this.stream}:seq`));
    return Number(value ?? 0);
  }

  /** Stops the tail and closes both connections. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#tailing = false;
    this.#tail.disconnect();
    await this.#commands.quit().catch(() => this.#commands.disconnect());
  }

  async #run<T>(command: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new LogUnavailableError('the log is closed');
    try {
      return await command();
    } catch (error) {
      throw new LogUnavailableError(`Redis did not answer: ${(error as Error).message}`, { cause: error });
    }
  }

  async #runTail(): Promise<void> {
    while (this.#tailing) {
      try {
        const reply = (await this.#tail.xread(
          'COUNT',
          1000,
          'BLOCK',
          1000,
          'STREAMS',
          this.stream,
          `${this.#head}-0`,
        )) as [string, RawEntry[]][] | null;
        const entries = (reply?.[0]?.[1] ?? []).map(toEntry).filter((e) => e.seq > this.#head);
        if (entries.length === 0) continue;
        this.#head = entries[entries.length - 1]?.seq ?? this.#head;
        for (const listener of this.#listeners) listener(entries);
      } catch {
        // Redis is down or restarting: keep the position and ask again; the
        // entries appended meanwhile come with the next read.
        if (this.#tailing) await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }
}

/** Resolves once the connection is ready; until then ioredis retries every 100 ms (`retryStrategy`). */
async function connect(redis: Redis): Promise<void> {
  const ready = new Promise<void>((resolve) => redis.once('ready', () => resolve()));
  // A first attempt that fails rejects here, then the retry strategy takes over.
  redis.connect().catch(() => {});
  await ready;
}
