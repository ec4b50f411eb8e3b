/**
 * Conformance with WHATWG HTML §9.2 "Server-sent events": the parsing rules
 * (§9.2.5–9.2.6) and the processing model (§9.2.3), through the public class.
 * Every parsing case is fed whole, one byte at a time, and in seeded random
 * chunk sizes; fixtures are built with an encoder, never hand-typed bytes.
 */
import { describe, expect, it } from 'vitest';
import { ResilientEventSource, StreamErrorEvent } from '../../src/index.js';
import { ours } from '../helpers/events.js';
import { createFakeClock } from '../helpers/fake-clock.js';
import { createFakeFetch } from '../helpers/fake-fetch.js';
import { settle } from '../helpers/sources.js';

const encoder = new TextEncoder();

type Chunking = 'whole' | 'bytes' | 'random';

function split(bytes: Uint8Array, how: Chunking, seed = 7): Uint8Array[] {
  if (how === 'whole') return [bytes];
  if (how === 'bytes') return Array.from(bytes, (b) => Uint8Array.of(b));
  // A small LCG so the chunking is random but repeatable.
  let s = seed;
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; ) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const size = 1 + (s % 7);
    out.push(bytes.subarray(i, i + size));
    i += size;
  }
  return out;
}

interface Received {
  type: string;
  data: string;
  lastEventId: string;
}

/** Streams `input` to a source, ends the body, and returns what was dispatched. */
async function parse(input: string | Uint8Array, how: Chunking, types: string[] = []): Promise<Received[]> {
  const fetch = createFakeFetch();
  const es = new ResilientEventSource('http://spec.test/', {
    fetch,
    clock: createFakeClock(),
    store: false,
    backoff: { maxRetries: 0 },
  });
  const received: Received[] = [];
  for (const type of ['message', ...types]) {
    es.addEventListener(type, (e: MessageEvent) =>
      received.push({ type: e.type, data: e.data, lastEventId: e.lastEventId }),
    );
  }
  const stream = (await fetch.call(0)).respondStream();
  for (const chunk of split(typeof input === 'string' ? encoder.encode(input) : input, how)) {
    stream.write(chunk);
    await Promise.resolve();
  }
  stream.close();
  await settle();
  await settle();
  expect(es.readyState).toBe(es.CLOSED);
  return received;
}

const msg = (data: string, lastEventId = '', type = 'message'): Received => ({ type, data, lastEventId });

const cases: [string, string | Uint8Array, Received[], string[]?][] = [
  // §9.2.4 examples
  ['multi-line data is joined with LF', 'data: YHOO\ndata: +2\ndata: 10\n\n', [msg('YHOO\n+2\n10')]],
  [
    'comments, id and an empty id reset',
    ': test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n',
    [msg('first event', '1'), msg('second event', ''), msg(' third event', '')],
  ],
  ['a field with no colon is a field with an empty value', 'data\n\ndata\ndata\n\ndata:', [msg(''), msg('\n')]],
  ['one leading space is removed from the value', 'data:test\n\ndata: test\n\n', [msg('test'), msg('test')]],
  // §9.2.5 grammar: line endings
  ['CR line endings', 'data: a\rdata: b\r\rdata: c\r\r', [msg('a\nb'), msg('c')]],
  ['CRLF line endings', 'data: a\r\ndata: b\r\n\r\n', [msg('a\nb')]],
  ['mixed line endings', 'data: a\ndata: b\r\ndata: c\r\rdata: d\r\n\n', [msg('a\nb\nc'), msg('d')]],
  // BOM
  ['a leading BOM is stripped', '\uFEFFdata: a\n\n', [msg('a')]],
  ['only one BOM is stripped: the second makes an unknown field', '\uFEFF\uFEFFdata: a\n\ndata: b\n\n', [msg('b')]],
  // §9.2.6 interpretation
  [
    'event sets the type; it resets after dispatch',
    'event: add\ndata: 1\n\ndata: 2\n\n',
    [msg('1', '', 'add'), msg('2')],
    ['add'],
  ],
  ['an empty event field means message', 'event:\ndata: x\n\n', [msg('x')]],
  ['a block with no data dispatches nothing', 'event: add\n\n: comment\n\ndata: y\n\n', [msg('y')], ['add']],
  ['unknown fields are ignored', 'foo: bar\ndata: x\nDATA: y\n\n', [msg('x')]],
  ['an id containing NULL is ignored', 'id: 1\ndata: a\n\nid: 2\u00003\ndata: b\n\n', [msg('a', '1'), msg('b', '1')]],
  ['the last event id persists across events', 'id: 5\ndata: a\n\ndata: b\n\n', [msg('a', '5'), msg('b', '5')]],
  ['the id applies to the event it is in, wherever the line is', 'data: a\nid: 9\n\n', [msg('a', '9')]],
  ['retry lines are not events', 'retry: 100\ndata: a\n\nretry: x\n\n', [msg('a')]],
  ['only one space is stripped', 'data:   spaced\n\n', [msg('  spaced')]],
  ['colons after the first belong to the value', 'data: a:b:c\n\n', [msg('a:b:c')]],
  ['an unfinished event at the end is discarded', 'data: done\n\ndata: unfinished\n', [msg('done')]],
  ['an unfinished line at the end is discarded', 'data: done\n\ndata: unfin', [msg('done')]],
  // UTF-8 decoding
  ['UTF-8 characters of every width', 'data: é ✓ 😀 中文\n\n', [msg('é ✓ 😀 中文')]],
  [
    'invalid UTF-8 becomes U+FFFD',
    Uint8Array.of(...encoder.encode('data: a'), 0xff, 0xfe, ...encoder.encode('b\n\n')),
    [msg('a\uFFFD\uFFFDb')],
  ],
];

describe('parsing (§9.2.5–9.2.6)', () => {
  for (const how of ['whole', 'bytes', 'random'] as const) {
    describe(`fed ${how === 'whole' ? 'in one chunk' : how === 'bytes' ? 'one byte at a time' : 'in random chunks'}`, () => {
      it.each(cases)('%s', async (_name, input, expected, types) => {
        expect(await parse(input, how, types)).toEqual(expected);
      });
    });
  }

  it('a multi-byte character split across chunks at every position decodes whole', async () => {
    const bytes = encoder.encode('data: 😀€\n\n');
    for (let cut = 1; cut < bytes.length; cut++) {
      const fetch = createFakeFetch();
      const es = new ResilientEventSource('http://spec.test/', { fetch, store: false, backoff: { maxRetries: 0 } });
      const got: string[] = [];
      es.onmessage = (e) => got.push(e.data);
      const stream = (await fetch.call(0)).respondStream();
      stream.write(bytes.subarray(0, cut));
      await settle();
      stream.write(bytes.subarray(cut));
      await settle();
      expect(got).toEqual(['😀€']);
      es.close();
      await es.closed;
    }
  });

  it('a CR at the end of a chunk ends the line at once: the event is not held for the next byte', async () => {
    const fetch = createFakeFetch();
    const es = new ResilientEventSource('http://spec.test/', { fetch, store: false });
    const got: string[] = [];
    es.onmessage = (e) => got.push(e.data);
    const stream = (await fetch.call(0)).respondStream();
    stream.write('data: a\r\r');
    await settle();
    expect(got).toEqual(['a']);
    // The LF that completes a CRLF split across chunks is not a second line ending.
    stream.write('data: b\r');
    await settle();
    stream.write('\ndata: c\r\n\r\n');
    await settle();
    expect(got).toEqual(['a', 'b\nc']);
    es.close();
    await es.closed;
  });

  it('a long stream in random chunks arrives whole and in order', async () => {
    const events = Array.from(
      { length: 500 },
      (_, i) => `id: ${i}\nevent: e${i % 3}\ndata: ${'ü'.repeat(i % 13)}${i}\ndata: line2\n\n`,
    ).join('');
    const got = await parse(events, 'random', ['e0', 'e1', 'e2']);
    expect(got).toHaveLength(500);
    expect(got.map((e) => e.lastEventId)).toEqual(Array.from({ length: 500 }, (_, i) => String(i)));
    expect(got[77]).toEqual({ type: 'e2', data: `${'ü'.repeat(12)}77\nline2`, lastEventId: '77' });
  });
});

describe('processing model (§9.2.3)', () => {
  async function start(respond: (call: Awaited<ReturnType<ReturnType<typeof createFakeFetch>['call']>>) => void) {
    const fetch = createFakeFetch();
    const clock = createFakeClock();
    const es = new ResilientEventSource('http://spec.test/s', { fetch, clock, store: false, random: () => 0 });
    const events: string[] = [];
    es.addEventListener('open', () => events.push(`open@${es.readyState}`));
    es.addEventListener(
      'error',
      ours(StreamErrorEvent, (e) => events.push(`error@${es.readyState}:${e.reason}`)),
    );
    respond(await fetch.call(0));
    await settle();
    return { es, fetch, clock, events };
  }

  it('"readyState … CONNECTING (0)" at construction, before any network activity', () => {
    const es = new ResilientEventSource('http://spec.test/s', { fetch: createFakeFetch(), store: false });
    expect(es.readyState).toBe(0);
    expect(es.url).toBe('http://spec.test/s');
    expect(es.withCredentials).toBe(false);
    void es.close();
  });

  it('"announce the connection": readyState OPEN, then fire open', async () => {
    const { events } = await start((c) => c.respondStream({ 'content-type': 'Text/Event-Stream; charset=utf-8' }));
    expect(events).toEqual(['open@1']);
  });

  it('"fail the connection" on a 200 with another content type: CLOSED, then fire error', async () => {
    const { events } = await start((c) => c.respond(200, { 'content-type': 'text/plain' }, 'data: x\n\n'));
    expect(events).toEqual(['error@2:content-type']);
  });

  it('"fail the connection" on a non-200 status that is not retried', async () => {
    const { events } = await start((c) => c.respond(404));
    expect(events).toEqual(['error@2:http-status']);
  });

  it('"reestablish the connection" when the stream ends: CONNECTING, error, wait, reconnect with Last-Event-ID', async () => {
    const { fetch, clock, events } = await start((c) => {
      const s = c.respondStream();
      s.write('id: abc\ndata: x\n\n');
      s.close();
    });
    expect(events).toEqual(['open@1', 'error@0:network']);
    clock.advance(1000);
    expect((await fetch.call(1)).headers.get('last-event-id')).toBe('abc');
  });

  it('"reestablish the connection" on a network error (the contract retries where the spec would too)', async () => {
    const { events } = await start((c) => c.fail(new TypeError('Failed to fetch')));
    expect(events).toEqual(['error@0:network']);
  });

  it('close(): "abort any instances of the fetch algorithm … set readyState to CLOSED"; no events after', async () => {
    const { es, fetch, events } = await start((c) => c.respondStream());
    es.close();
    await es.closed;
    expect(es.readyState).toBe(2);
    expect(fetch.calls[0]?.aborted).toBe(true);
    expect(events).toEqual(['open@1']);
  });

  it('constants are on the class and on instances', () => {
    const es = new ResilientEventSource('http://spec.test/s', { fetch: createFakeFetch(), store: false });
    expect([ResilientEventSource.CONNECTING, ResilientEventSource.OPEN, ResilientEventSource.CLOSED]).toEqual([
      0, 1, 2,
    ]);
    expect([es.CONNECTING, es.OPEN, es.CLOSED]).toEqual([0, 1, 2]);
    void es.close();
  });
});

describe('dispatch step 1 for a block without data', () => {
  // [spec] "Set the last event ID string of the event source to the value of
  // the last event ID buffer" comes before "If the data buffer is an empty
  // string … return": an id-only block moves the position, and fires nothing.
  it('an id-only block changes lastEventId for the events after it', async () => {
    expect(await parse('id: 1\ndata: a\n\nid: 2\n\ndata: b\n\n', 'whole')).toEqual([msg('a', '1'), msg('b', '2')]);
  });
});
