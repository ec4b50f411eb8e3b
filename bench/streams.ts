/**
 * The three benchmark streams, generated deterministically so every client
 * can verify every event's id and data without the server telling it.
 */

/** A benchmark stream. Event `id` has the data `${id}:${tail(digits of id)}`. */
export interface StreamSpec {
  name: 'small' | 'large' | 'multiline';
  title: string;
  /** Events in the stream. */
  count: number;
  /** What follows `${id}:` in the data of an id with this many digits. */
  tail(digits: number): string;
}

const pad = (length: number) => 'x'.repeat(Math.max(0, length));

/** The `data` of event `id`. */
export const dataOf = (spec: StreamSpec, id: number) => {
  const n = String(id);
  return `${n}:${spec.tail(n.length)}`;
};

/** 100 bytes on the wire per event: `id: N\ndata: N:xxx…\n\n`. */
function small(count: number): StreamSpec {
  return {
    name: 'small',
    title: '100-byte events',
    count,
    // "id: " + n + "\n" + "data: " + n + ":" + pad + "\n\n" = 100 bytes
    tail: (digits) => pad(100 - (4 + digits + 1 + 6 + digits + 1 + 2)),
  };
}

/** 4 KB events. */
function large(count: number): StreamSpec {
  return { name: 'large', title: '4 KB events', count, tail: () => pad(4096 - 16) };
}

/** Events of four data lines, about 100 bytes each. */
function multiline(count: number): StreamSpec {
  return {
    name: 'multiline',
    title: '4-line events',
    count,
    tail: () => `first\nsecond line ${pad(10)}\nthird line ${pad(10)}\nfourth line ${pad(10)}`,
  };
}

/** The streams, sized for a run: `quick` for a smoke run. */
export function streams(quick: boolean): StreamSpec[] {
  return quick
    ? [small(100_000), large(5_000), multiline(100_000)]
    : [small(1_000_000), large(50_000), multiline(1_000_000)];
}

/** The wire form of event `id`. */
export const frame = (spec: StreamSpec, id: number) => {
  const lines = dataOf(spec, id)
    .split('\n')
    .map((l) => `data: ${l}\n`)
    .join('');
  return `id: ${id}\n${lines}\n`;
};

const tails = new Map<StreamSpec, string[]>();

/**
 * Whether a received event is event `id` of the stream, exactly: the id, and
 * the data compared in full (prefix, separator, tail and length) without
 * building the expected string, so verifying costs every client little and
 * the same.
 */
export function verify(spec: StreamSpec, id: number, lastEventId: string, data: string): boolean {
  const n = String(id);
  if (lastEventId !== n) return false;
  let byDigits = tails.get(spec);
  if (!byDigits) tails.set(spec, (byDigits = []));
  const tail = (byDigits[n.length] ??= spec.tail(n.length));
  return (
    data.length === n.length + 1 + tail.length &&
    data.startsWith(n) &&
    data.charCodeAt(n.length) === 58 &&
    data.endsWith(tail)
  );
}
